// Loaded with `node --import` into a measured node child when GNU time is missing: on exit it writes
// the process's peak RSS (KiB, like GNU time's %M) to $OUTLOOP_BENCH_RSS_FILE. The 'exit' event
// also fires when the tool calls process.exit().
import fs from 'node:fs';

const file = process.env.OUTLOOP_BENCH_RSS_FILE;
if (file) {
  process.on('exit', () => {
    try {
      fs.writeFileSync(file, String(process.resourceUsage().maxRSS) + '\n');
    } catch {
      // Best effort: a missing figure is reported as n/a, never as a failed run.
    }
  });
}
