// Writes dist/bundle/focalscope.js.v8cache, the V8 code cache bin/run.cjs loads the bundle with. The cache
// is made after running a report on the example, so it also holds the functions a run compiles lazily.
import {execFileSync} from 'node:child_process'
import {rmSync} from 'node:fs'

const out = 'dist/bundle/focalscope.js.v8cache'
rmSync(out, {force: true})
execFileSync(process.execPath, ['bin/run.cjs', 'report', 'fixtures/example.csv', '--json'], {
  // NODE_OPTIONS could hold --enable-source-maps, which loads the bundle without a cache to write.
  env: {...process.env, NODE_OPTIONS: '', FOCALSCOPE_WRITE_CODE_CACHE: out},
  stdio: ['ignore', 'ignore', 'inherit'],
})
