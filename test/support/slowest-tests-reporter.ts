/**
 * A vitest reporter that prints, after the run, the 10 slowest tests and the 10 slowest files
 * (a file's time includes its beforeAll/afterAll hooks, where the campaigns of end-to-end files
 * run). The README's development section quotes what it prints.
 */
import type { Reporter, TestModule } from 'vitest/node';

const SHOW = 10;

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1).padStart(6)} s`;

export default class SlowestTestsReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const tests: { ms: number; name: string }[] = [];
    const files: { ms: number; name: string }[] = [];
    for (const m of testModules) {
      files.push({ ms: m.diagnostic().duration, name: m.relativeModuleId });
      for (const t of m.children.allTests()) {
        const d = t.diagnostic();
        if (d) tests.push({ ms: d.duration, name: `${m.relativeModuleId} > ${t.fullName}` });
      }
    }
    const top = (rows: { ms: number; name: string }[]): string =>
      rows
        .sort((a, b) => b.ms - a.ms)
        .slice(0, SHOW)
        .map((r) => `  ${seconds(r.ms)}  ${r.name}`)
        .join('\n');
    process.stdout.write(
      `\nThe ${SHOW} slowest tests:\n${top(tests)}\n\nThe ${SHOW} slowest files (hooks included):\n${top(files)}\n`,
    );
  }
}
