import {Command} from '@oclif/core/command'

import {EXIT, reportError} from './exit-error.js'
import {writeResult} from './write-result.js'

export {EXIT}

/**
 * Every focalscope command extends this. It turns any error into one line on stderr (no stack trace)
 * and the documented exit code (exit-error.ts): oclif 4 would exit 1 for all of them, which CI would read
 * as a failed gate (fixed upstream only in oclif 5, oclif/core#1423).
 */
export abstract class BaseCommand extends Command {
  static override enableJsonFlag = true

  override async init(): Promise<void> {
    // Test hook: a bug on purpose, so the tests can see how an internal error ends a run (exit 3).
    if (process.env.FOCALSCOPE_TEST_INTERNAL_ERROR === '1') throw new TypeError('a deliberate bug for the tests')
    await super.init()
  }

  /**
   * oclif's logJson runs the text through its JSON colouriser, which without a configured theme adds no
   * colour but tokenises the whole document (~6 ms for a small report). The same text, written directly,
   * as the run's last act: a signal from here on lets the document finish (write-result.ts).
   */
  override logJson(json: unknown): void {
    writeResult(`${JSON.stringify(json, null, 2)}\n`)
  }

  /** A warning as every other one reads: one line on stderr, also under --json (stdout is the document). */
  override warn(input: string | Error): string | Error {
    process.stderr.write(`focalscope: warning: ${input instanceof Error ? input.message : input}\n`)
    return input
  }

  protected override async catch(error: Error & {exitCode?: number; oclif?: {exit?: number}}): Promise<void> {
    const flags = Object.entries(this.ctor.flags ?? {}).flatMap(([name, flag]) => [
      name,
      ...(flag.aliases ?? []),
      ...(flag.char === undefined ? [] : [flag.char]),
    ])
    reportError(error, {commandId: this.id, flags: [...flags, 'help', ...(this.ctor.enableJsonFlag ? ['json'] : [])]})
  }
}
