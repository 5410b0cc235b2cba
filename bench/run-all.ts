/**
 * `npm run bench [-- --quick]`: the harness benchmarks in turn: detect, speed, scale, startup (each in its
 * own process, output streamed). `--quick` runs the small variant of each (reports/bench/quick/),
 * for CI, so that the benchmarks cannot rot; the full run writes reports/bench/.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { loadText, REPO_ROOT } from './support/common.ts';

const quick = process.argv.includes('--quick');
const unknown = process.argv.slice(2).filter((a) => a !== '--quick');
if (unknown.length > 0) {
  process.stderr.write(
    `bench: unknown option(s) ${unknown.join(' ')}; run the benchmarks one by one (npm run bench:detect -- …) for their options\n`,
  );
  process.exit(2);
}

function run(script: string): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(REPO_ROOT, 'bench', script), ...(quick ? ['--quick'] : [])],
      { cwd: REPO_ROOT, stdio: 'inherit' },
    );
    child.on('close', (code) => resolve(code ?? 1));
  });
}

const started = performance.now();
const results: [string, number, number][] = [];
for (const script of ['detect.ts', 'speed.ts', 'scale.ts', 'startup.ts']) {
  const t0 = performance.now();
  process.stdout.write(`\n== bench/${script}${quick ? ' --quick' : ''} (${loadText()})\n`);
  const code = await run(script);
  results.push([script, code, (performance.now() - t0) / 1000]);
}
process.stdout.write(
  `\n== done in ${((performance.now() - started) / 1000).toFixed(0)} s (${loadText()}): ${results.map(([s, c, t]) => `${s} ${c === 0 ? 'ok' : `exit ${c}`} ${t.toFixed(0)} s`).join(', ')}\n`,
);
process.exitCode = results.some(([, c]) => c !== 0) ? 1 : 0;
