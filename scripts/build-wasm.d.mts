/** [source .wat, generated module, exported constant] for each WebAssembly module of the project. */
export const WASM_MODULES: [string, string, string][]
/** The module's bytes, compiled from WebAssembly text with wabt. */
export function compileWat(path: string): Promise<Buffer>
export function wasmModuleSource(bytes: Buffer, from: string, name: string): string
