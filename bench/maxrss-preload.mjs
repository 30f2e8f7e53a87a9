// Fallback peak-RSS probe for machines without GNU time: `node --import ./bench/maxrss-preload.mjs …`
// writes this process's own peak RSS (KiB, from getrusage) to $BENCH_MAXRSS_FILE when it exits.
import {writeFileSync} from 'node:fs'
import process from 'node:process'

const target = process.env.BENCH_MAXRSS_FILE
if (target) {
  process.on('exit', () => {
    try {
      writeFileSync(target, String(process.resourceUsage().maxRSS))
    } catch {
      // The benchmark reports a missing value; never change the measured program's exit.
    }
  })
}
