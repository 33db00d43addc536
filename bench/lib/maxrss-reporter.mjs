// Loaded with `node --import` by bench/run.mjs when /usr/bin/time is not available: on exit, writes
// the process's peak resident set size (process.resourceUsage().maxRSS, in KiB) and its user and
// system CPU time (seconds) to the file named by $TFORM_BENCH_MAXRSS_FILE, as one line
// "maxRSS user sys". It does nothing else, so it barely changes what is measured.
import { writeFileSync } from 'node:fs';

const out = process.env.TFORM_BENCH_MAXRSS_FILE;
if (out) {
  process.on('exit', () => {
    try {
      const u = process.resourceUsage();
      // Same shape as `/usr/bin/time -f "%M %U %S"`: KiB, seconds, seconds.
      writeFileSync(out, `${u.maxRSS} ${u.userCPUTime / 1e6} ${u.systemCPUTime / 1e6}\n`);
    } catch {
      // The measurement is lost, the process's own exit status is not.
    }
  });
}
