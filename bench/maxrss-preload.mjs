// Fallback peak-RSS probe for machines without GNU time: `node --import ./bench/maxrss-preload.mjs …`
// writes this process's own peak RSS (KiB, from getrusage) and CPU time (µs, user + system) to
// $BENCH_MAXRSS_FILE when it exits.
import {writeFileSync} from 'node:fs'
import process from 'node:process'

const target = process.env.BENCH_MAXRSS_FILE
if (target) {
  process.on('exit', () => {
    try {
      const usage = process.resourceUsage()
      writeFileSync(target, `${usage.maxRSS} ${usage.userCPUTime + usage.systemCPUTime}`)
    } catch {
      // The benchmark reports a missing value; never change the measured program's exit.
    }
  })
}
