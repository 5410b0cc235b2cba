// Preloaded into benchmark children with `node --import bench/support/rusage-hook.mjs`. When the
// process exits it writes its own resource usage to $BENCH_RUSAGE_FILE: CPU time, peak RSS, and a
// wall-clock / monotonic-clock pair read at startup (V8's CPU profile timestamps use the monotonic
// clock, evidence.json uses wall time; the pair maps one onto the other).
import { writeFileSync } from 'node:fs';

const file = process.env.BENCH_RUSAGE_FILE;
if (file) {
  const clockPair = { wallMs: Date.now(), monoUs: Number(process.hrtime.bigint() / 1000n) };
  process.on('exit', () => {
    const r = process.resourceUsage();
    writeFileSync(
      file,
      JSON.stringify({
        userCpuMs: r.userCPUTime / 1000,
        systemCpuMs: r.systemCPUTime / 1000,
        maxRssMB: r.maxRSS / 1024,
        heapUsedMB: process.memoryUsage().heapUsed / 1024 / 1024,
        clockPair,
      }),
    );
  });
}
