/**
 * `npx tsx bench/startup.ts [--quick] [--runs 5] [--before <commit> | --no-before]`: how long the
 * `tenantproof` command takes to start, before and after it ran compiled JavaScript from dist/
 * instead of loading its TypeScript through tsx at start-up.
 *
 * - after: this checkout's `node bin/tenantproof.mjs` (dist/, so `npm run build` must have run);
 * - before: the same commands from a git worktree of `--before` (default 42bcf77, the last commit
 *   whose bin/tenantproof.mjs registered tsx), with this checkout's node_modules symlinked into it;
 *   the worktree is removed at the end, on failure too. `--no-before` skips it; a default commit
 *   missing from the clone (shallow) is skipped with a note, an explicit one is an error.
 *
 * Commands, each timed by wall clock from just before `spawn` to the event (output lines and 'exit',
 * waited on, never slept for):
 * 1. `tenantproof --version`: to exit;
 * 2. `tenantproof run --out <tmp>` (embedded CRM on PGlite): to the first output line, and to the
 *    `tenantproof: run <id>, seed …, target embedded CRM, …` line; then SIGINT, and wait for exit;
 * 3. `tenantproof crm --port 0` (embedded PGlite): to the line with its URL; then SIGINT, and wait;
 * 4. `tenantproof crm --list-faults`: to exit.
 * One discarded warm-up run per command and side first (it fills tsx's transform cache and the OS
 * file cache; its time is kept in the JSON), then `--runs` runs each (5; 1 with --quick),
 * interleaved before/after/after/before… so that a change of machine load hits both sides alike.
 *
 * Writes reports/bench/startup.json and startup.md (reports/bench/quick/ with --quick), and prints
 * the table.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  BIN,
  DIST_ENTRY,
  distFreshness,
  environment,
  fmt,
  load,
  loadText,
  median,
  outputDir,
  REPO_ROOT,
  round,
  tail,
  writeJson,
  writeText,
} from './support/common.ts';
import { liveChildren, probe, type Mark, type Probe } from './support/startup-probe.ts';
import { addWorktree, resolveCommit, type Worktree } from './support/startup-worktree.ts';

const DEFAULT_BEFORE = '42bcf77';
/** Temporary `--out` folders of runs in progress, removed if the benchmark is interrupted. */
const liveOutDirs = new Set<string>();

type SideName = 'before' | 'after';

interface Side {
  name: SideName;
  root: string;
  bin: string;
}

interface Metric {
  /** A mark id, or `exit`. */
  id: string;
  label: string;
}

interface Case {
  id: string;
  /** As a user would type it (the temporary folder shown as <tmp>). */
  command: string;
  args: (out: string) => string[];
  needsOut: boolean;
  marks: Mark[];
  stop: 'exit' | 'sigint';
  metrics: Metric[];
  /** Why a finished probe is not a valid measurement, or null. */
  problem: (p: Probe) => string | null;
}

const RUN_LINE = /^tenantproof: run \S+, seed .*, target /;

const CASES: Case[] = [
  {
    id: 'version',
    command: 'tenantproof --version',
    args: () => ['--version'],
    needsOut: false,
    marks: [],
    stop: 'exit',
    metrics: [{ id: 'exit', label: 'start to exit' }],
    problem: (p) =>
      p.code !== 0 ? `exit ${p.code ?? p.signal}` : /^tenantproof \S+/.test(p.stdout) ? null : 'no version printed',
  },
  {
    id: 'run',
    command: 'tenantproof run --out <tmp>',
    args: (out) => ['run', '--out', out],
    needsOut: true,
    marks: [
      { id: 'first', match: () => true },
      { id: 'runLine', match: (line) => RUN_LINE.test(line) },
    ],
    stop: 'sigint',
    metrics: [
      { id: 'first', label: 'to the first line' },
      { id: 'runLine', label: 'to the `run <id>, seed …, target embedded CRM` line' },
    ],
    problem: (p) => (p.sigintMs === null ? 'the run line never appeared' : null),
  },
  {
    id: 'crm',
    command: 'tenantproof crm --port 0',
    args: () => ['crm', '--port', '0'],
    needsOut: false,
    marks: [{ id: 'url', match: (line, stream) => stream === 'stdout' && /^http:\/\/\S+$/.test(line) }],
    stop: 'sigint',
    metrics: [{ id: 'url', label: 'to the line with its URL' }],
    problem: (p) => (p.sigintMs === null ? 'the URL line never appeared' : null),
  },
  {
    id: 'list-faults',
    command: 'tenantproof crm --list-faults',
    args: () => ['crm', '--list-faults'],
    needsOut: false,
    marks: [],
    stop: 'exit',
    metrics: [{ id: 'exit', label: 'start to exit' }],
    problem: (p) => (p.code !== 0 ? `exit ${p.code ?? p.signal}` : p.stdout.trim() ? null : 'no faults listed'),
  },
];

interface Stats {
  samples: number[];
  min: number | null;
  median: number | null;
  max: number | null;
  warmup: number | null;
}

interface ProbeRecord {
  side: SideName;
  warmup: boolean;
  marks: Record<string, number>;
  exitMs: number;
  sigintMs: number | null;
  /** Time from the SIGINT to exit (the command's own shut-down), when one was sent. */
  shutdownMs: number | null;
  code: number | null;
  signal: string | null;
  firstLine: string | null;
  load1: number;
}

function value(p: ProbeRecord, metric: string): number | null {
  return metric === 'exit' ? p.exitMs : (p.marks[metric] ?? null);
}

function stats(records: ProbeRecord[], side: SideName, metric: string): Stats {
  const mine = records.filter((r) => r.side === side);
  const samples = mine
    .filter((r) => !r.warmup)
    .map((r) => value(r, metric))
    .filter((x): x is number => x !== null);
  const warm = mine.find((r) => r.warmup);
  return {
    samples: samples.map((x) => round(x, 1)!),
    min: round(samples.length ? Math.min(...samples) : null, 1),
    median: round(median(samples), 1),
    max: round(samples.length ? Math.max(...samples) : null, 1),
    warmup: warm ? round(value(warm, metric), 1) : null,
  };
}

function childEnv(): NodeJS.ProcessEnv {
  // The embedded PGlite CRM, whatever the caller's shell says; CI=true as the other benchmarks run the CLI.
  const env: NodeJS.ProcessEnv = { ...process.env, CI: 'true', CRM_FAULTS: '' };
  delete env['DATABASE_URL'];
  delete env['PORT'];
  return env;
}

async function measure(side: Side, kase: Case, warmup: boolean): Promise<ProbeRecord> {
  const out = kase.needsOut ? mkdtempSync(path.join(tmpdir(), 'tp-bench-startup-out-')) : '';
  if (out) liveOutDirs.add(out);
  try {
    const p = await probe({
      bin: side.bin,
      cwd: side.root,
      args: kase.args(out),
      env: childEnv(),
      marks: kase.marks,
      stop: kase.stop,
      timeoutMs: 180_000,
    });
    const problem = p.timedOut ? 'no answer within 180 s (killed)' : kase.problem(p);
    if (problem)
      throw new Error(`${side.name}: \`${kase.command}\` in ${side.root}: ${problem}; its last output:\n${tail(p)}`);
    return {
      side: side.name,
      warmup,
      marks: Object.fromEntries(Object.entries(p.marks).map(([k, v]) => [k, round(v, 1)!])),
      exitMs: round(p.exitMs, 1)!,
      sigintMs: round(p.sigintMs, 1),
      shutdownMs: p.sigintMs === null ? null : round(p.exitMs - p.sigintMs, 1),
      code: p.code,
      signal: p.signal,
      firstLine: p.firstLine?.text ?? null,
      load1: p.load1,
    };
  } finally {
    if (out) {
      rmSync(out, { recursive: true, force: true });
      liveOutDirs.delete(out);
    }
  }
}

function range(s: Stats): string {
  return s.median === null ? '–' : `${fmt(s.min, 0)} / **${fmt(s.median, 0)}** / ${fmt(s.max, 0)}`;
}

interface Row {
  command: string;
  event: string;
  before: Stats | null;
  after: Stats;
  load1: number[];
}

function table(rows: Row[], withBefore: boolean): string {
  const lines: string[] = [];
  if (withBefore) {
    lines.push(
      '| command | until | before: min / **median** / max (ms) | after: min / **median** / max (ms) | after ÷ before (median) | load (1 min) during |',
    );
    lines.push('|---|---|--:|--:|--:|--:|');
  } else {
    lines.push('| command | until | after: min / **median** / max (ms) | load (1 min) during |');
    lines.push('|---|---|--:|--:|');
  }
  for (const r of rows) {
    const loadRange = `${fmt(Math.min(...r.load1), 2)}–${fmt(Math.max(...r.load1), 2)}`;
    if (withBefore && r.before) {
      const ratio =
        r.before.median && r.after.median !== null ? `×${(r.after.median / r.before.median).toFixed(2)}` : '–';
      lines.push(
        `| \`${r.command}\` | ${r.event} | ${range(r.before)} | ${range(r.after)} | ${ratio} | ${loadRange} |`,
      );
    } else {
      lines.push(`| \`${r.command}\` | ${r.event} | ${range(r.after)} | ${loadRange} |`);
    }
  }
  return lines.join('\n');
}

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        quick: { type: 'boolean', default: false },
        runs: { type: 'string' },
        before: { type: 'string' },
        'no-before': { type: 'boolean', default: false },
      },
    }));
  } catch (error) {
    process.stderr.write(
      `bench:startup: ${(error as Error).message}\n  usage: npx tsx bench/startup.ts [--quick] [--runs N] [--before <commit> | --no-before]\n`,
    );
    return 2;
  }
  const quick = values.quick!;
  const runs = Number(values.runs ?? (quick ? 1 : 5));
  if (!Number.isInteger(runs) || runs < 1) {
    process.stderr.write(`bench:startup: --runs must be a whole number ≥ 1, not "${values.runs}"\n`);
    return 2;
  }
  if (values['no-before'] && values.before !== undefined) {
    process.stderr.write('bench:startup: --before and --no-before exclude each other\n');
    return 2;
  }
  if (!existsSync(DIST_ENTRY)) {
    process.stderr.write(
      `bench:startup: ${path.relative(REPO_ROOT, DIST_ENTRY)} is missing: the "after" side runs the compiled CLI.\n` +
        '  fix: run `npm run build` first.\n',
    );
    return 2;
  }
  const { builtMs: distBuiltMs, newer: stale } = distFreshness(['harness', 'crm']);
  if (stale.length > 0)
    process.stdout.write(
      `startup: note: ${stale.length} source file(s) changed after dist/ was built (${stale.slice(0, 3).join(', ')}${stale.length > 3 ? ', …' : ''}); the "after" figures are those of that build\n`,
    );

  let beforeRef: string | null = values['no-before'] ? null : (values.before ?? DEFAULT_BEFORE);
  let skippedBefore: string | null = values['no-before'] ? 'skipped (--no-before)' : null;
  if (beforeRef !== null && resolveCommit(beforeRef) === null) {
    if (values.before !== undefined) {
      process.stderr.write(
        `bench:startup: --before ${beforeRef}: no such commit in this clone (a shallow clone? \`git fetch --unshallow\`)\n`,
      );
      return 2;
    }
    skippedBefore = `skipped: commit ${beforeRef} is not in this clone (a shallow clone?)`;
    process.stdout.write(`startup: note: "before" ${skippedBefore}\n`);
    beforeRef = null;
  }

  const env = environment();
  let worktree: Worktree | null = null;
  const onSignal = (signal: NodeJS.Signals): void => {
    for (const child of liveChildren) child.kill('SIGKILL');
    worktree?.remove();
    for (const dir of liveOutDirs) rmSync(dir, { recursive: true, force: true });
    process.stderr.write(`bench:startup: interrupted by ${signal}; worktree removed\n`);
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    if (beforeRef !== null) {
      worktree = addWorktree(beforeRef);
      process.stdout.write(
        `startup: before = ${worktree.commit.slice(0, 7)} ("${worktree.subject}") in worktree ${worktree.root}\n`,
      );
    }
    const sides: Side[] = [
      ...(worktree
        ? [{ name: 'before' as const, root: worktree.root, bin: path.join(worktree.root, 'bin', 'tenantproof.mjs') }]
        : []),
      { name: 'after', root: REPO_ROOT, bin: BIN },
    ];
    process.stdout.write(
      `startup: ${runs} run(s) per command and side after a warm-up, ${sides.map((s) => s.name).join(' and ')}; ${cpus().length} CPUs; ${loadText()}\n`,
    );

    const results: { case: Case; records: ProbeRecord[]; loadBefore: number[]; loadAfter: number[] }[] = [];
    for (const kase of CASES) {
      const loadBefore = load();
      const records: ProbeRecord[] = [];
      for (const side of sides) records.push(await measure(side, kase, true));
      for (let i = 0; i < runs; i++) {
        const order = i % 2 === 0 ? sides : [...sides].reverse();
        for (const side of order) records.push(await measure(side, kase, false));
      }
      const loadAfter = load();
      results.push({ case: kase, records, loadBefore, loadAfter });
      for (const metric of kase.metrics) {
        const parts = sides.map((s) => {
          const st = stats(records, s.name, metric.id);
          return `${s.name} ${fmt(st.min, 0)}/${fmt(st.median, 0)}/${fmt(st.max, 0)} ms`;
        });
        process.stdout.write(
          `startup: \`${kase.command}\` ${metric.label}: ${parts.join(', ')} (min/median/max); ${loadText()}\n`,
        );
      }
      const firstLines = [...new Set(records.map((r) => r.firstLine))];
      if (
        kase.id === 'run' &&
        firstLines.some((l) => !l?.startsWith('tenantproof: starting the embedded reference CRM'))
      )
        process.stdout.write(
          `startup: note: first line of \`tenantproof run\` was ${firstLines.map((l) => JSON.stringify(l)).join(' / ')}\n`,
        );
    }

    const withBefore = worktree !== null;
    const rows: Row[] = results.flatMap((r) =>
      r.case.metrics.map((m) => ({
        command: r.case.command,
        event: m.label,
        before: withBefore ? stats(r.records, 'before', m.id) : null,
        after: stats(r.records, 'after', m.id),
        load1: r.records.map((x) => x.load1),
      })),
    );
    const endLoad = load();
    const report = {
      benchmark: 'startup',
      environment: env,
      environmentAtEnd: { loadavg: endLoad, date: new Date().toISOString() },
      settings: {
        runs,
        quick,
        warmupRunsPerSide: 1,
        before: worktree
          ? { commit: worktree.commit, subject: worktree.subject, bin: 'bin/tenantproof.mjs (tsx at start-up)' }
          : { skipped: skippedBefore },
        after: {
          bin: 'bin/tenantproof.mjs (dist/)',
          distBuiltAt: new Date(distBuiltMs).toISOString(),
          sourcesChangedSinceBuild: stale,
        },
      },
      cases: results.map((r) => ({
        id: r.case.id,
        command: r.case.command,
        stop: r.case.stop,
        loadavgAtStart: r.loadBefore,
        loadavgAtEnd: r.loadAfter,
        metrics: r.case.metrics.map((m) => ({
          id: m.id,
          label: m.label,
          ...(withBefore ? { before: stats(r.records, 'before', m.id) } : {}),
          after: stats(r.records, 'after', m.id),
        })),
        probes: r.records,
      })),
    };

    const md: string[] = [];
    md.push('# Start-up time of the `tenantproof` command, before and after dist/');
    md.push('');
    md.push(
      worktree
        ? `Before: commit ${worktree.commit.slice(0, 7)} ("${worktree.subject}"), whose \`bin/tenantproof.mjs\` loads the TypeScript sources through tsx, run from a git worktree with this checkout's node_modules. ` +
            `After: this checkout (commit ${env.gitCommit?.slice(0, 7) ?? 'unknown'}${env.gitDirty ? ', with uncommitted changes' : ''}), \`bin/tenantproof.mjs\` running the compiled JavaScript in dist/ (built ${new Date(distBuiltMs).toISOString()}${stale.length ? `; ${stale.length} source file(s) changed since` : ''}).`
        : `After only (before ${skippedBefore}): this checkout (commit ${env.gitCommit?.slice(0, 7) ?? 'unknown'}${env.gitDirty ? ', with uncommitted changes' : ''}), \`bin/tenantproof.mjs\` running dist/ (built ${new Date(distBuiltMs).toISOString()}).`,
    );
    md.push('');
    md.push(
      `Wall clock in ms from just before \`spawn\` (\`node bin/tenantproof.mjs …\`) to the event, ${runs} run(s) per command and side, interleaved (before, after, after, before, …), after one discarded warm-up run each (it fills tsx's transform cache and the file cache; its time is in startup.json). ` +
        '`run` and `crm` use the embedded PGlite CRM; they get SIGINT once the awaited line has appeared and are waited for. `run` writes into a temporary `--out` folder.',
    );
    md.push('');
    md.push(table(rows, withBefore));
    md.push('');
    const exits = results
      .filter((r) => r.case.stop === 'sigint')
      .map((r) => {
        const counts = new Map<string, number>();
        for (const p of r.records) {
          const key = p.signal ? `killed by ${p.signal}` : `exit ${p.code}`;
          counts.set(key, (counts.get(key) ?? 0) + 1);
        }
        return `\`${r.case.command}\` ${[...counts].map(([k, n]) => `${k} ×${n}`).join(', ')}`;
      });
    md.push(
      `How the SIGINTed commands ended (warm-ups included; the timings above stop at the awaited line, before the SIGINT): ${exits.join('; ')}.`,
    );
    md.push('');
    md.push(
      `Machine: ${env.cpus} CPUs (${env.cpuModel}), ${env.totalMemMB} MB, Node ${env.node}, ${env.platform} ${env.osRelease}. ` +
        `Load average (1, 5, 15 min) at start ${env.loadavg.join(' ')}, at end ${endLoad.join(' ')}; the last column is the 1-minute load read before each run of that row.`,
    );
    md.push('');
    md.push(`Command: \`${env.command}\` (${env.date}).`);
    md.push('');
    const text = md.join('\n');

    const dir = outputDir(quick);
    writeJson(path.join(dir, 'startup.json'), report);
    writeText(path.join(dir, 'startup.md'), text);
    process.stdout.write(
      `\n${table(rows, withBefore)}\n\nCPUs ${env.cpus}; load at start ${env.loadavg.join(' ')}, at end ${endLoad.join(' ')}\n`,
    );
    return 0;
  } finally {
    worktree?.remove();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench:startup failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
