import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {childEnvironment, SCRUBBED_ENV} from '../../bench/lib/measure.js'

describe('bench childEnvironment', () => {
  it('gives both tools this environment without NODE_EXTRA_CA_CERTS, plus the extras', () => {
    const saved = process.env.NODE_EXTRA_CA_CERTS
    process.env.NODE_EXTRA_CA_CERTS = '/etc/ssl/certs/ca-certificates.crt'
    try {
      const env = childEnvironment({BENCH_EXTRA: '1'})
      for (const name of SCRUBBED_ENV) assert.equal(env[name], undefined, name)
      assert.equal(env.BENCH_EXTRA, '1')
      assert.equal(env.PATH, process.env.PATH)
      // The bench's own environment is left as it was.
      assert.equal(process.env.NODE_EXTRA_CA_CERTS, '/etc/ssl/certs/ca-certificates.crt')
    } finally {
      if (saved === undefined) delete process.env.NODE_EXTRA_CA_CERTS
      else process.env.NODE_EXTRA_CA_CERTS = saved
    }
  })
})
