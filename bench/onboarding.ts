/**
 * `npm run bench:onboarding [-- --quick] [--examples tracklet,bookly]`: how long a new user spends,
 * on each of the five example APIs, from `tenantproof init` to the end of the first campaign.
 *
 * The steps are those of the onboarding end-to-end tests (test/onboarding/support.ts), through the
 * real CLI (`node bin/tenantproof.mjs`, i.e. dist/: run `npm run build` first), each in a fresh
 * temporary folder as the user's project (the command's cwd), against the example's clean server
 * started in this process on 127.0.0.1 (port 0):
 * 1. `tenantproof init --target URL --yes [--spec FILE]`;
 * 2. `tenantproof doctor`; if it exits 1, `tenantproof doctor --write-overlay` and `doctor` again;
 * 3. `tenantproof run --budget 60s --seed 1` (`--budget 15s --shrink-budget 5s --replays 1
 *    --replay-settle 0` with --quick), plus the example's own run flags (Orgcast: `--max-rps 1000`,
 *    its server's rate limit being lifted).
 * Each command is timed by wall clock from just before `spawn` to 'close', one after another, the
 * load average read before and after each. Per example: each step's seconds and exit code, the
 * total from the start of init to the end of run (the commands only: nothing else runs between
 * them), the run's verdict and coverage lines (stdout), and its request count (evidence.json).
 *
 * Writes reports/bench/onboarding.json and onboarding.md, and each step's stdout, headed by the
 * command typed, as reports/bench/onboarding/<example>-{init,doctor,run}.txt (the doctor file holds
 * every doctor command in order), with the temporary folder written `<dir>`, the repository
 * `<repo>` and loopback ports `PORT`, so the README guide can quote them (reports/bench/quick/…
 * with --quick). Exits 1 if a step's exit code is not the expected one (init 0, the last doctor 0,
 * run 0), 2 on a usage error or a missing dist/. The temporary folders are removed at the end, on
 * failure and on SIGINT/SIGTERM too.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startDeskly } from '../examples/framework-style/server.ts';
import { startOrgcast } from '../examples/org-scoped/server.ts';
import { startTeamboard } from '../examples/path-prefix/server.ts';
import { startBookly } from '../examples/subdomain/server.ts';
import { startThirdParty } from '../examples/third-party/server.ts';
import {
  BIN,
  DIST_ENTRY,
  distFreshness,
  environment,
  fmt,
  load,
  loadText,
  outputDir,
  REPO_ROOT,
  round,
  tail,
  writeJson,
  writeText,
} from './support/common.ts';

interface Served {
  url: string;
  close(): Promise<void>;
}

interface Example {
  name: string;
  /** The example's folder, for the reader. */
  folder: string;
  /** How the tenant is chosen and the user authenticates (from the example's README). */
  shape: string;
  start: () => Promise<Served>;
  /** Extra `init` flags: a spec file for an API that serves none. */
  initArgs: string[];
  /** Extra `run` flags. */
  runArgs: string[];
}

/** The five examples, started and driven as in test/onboarding/*.test.ts. */
const EXAMPLES: Example[] = [
  {
    name: 'tracklet',
    folder: 'examples/third-party',
    shape: 'the credential (JWT from sign-up, then login); spec file given',
    start: () => startThirdParty({}),
    initArgs: ['--spec', path.join(REPO_ROOT, 'examples/third-party/openapi.yaml')],
    runArgs: [],
  },
  {
    name: 'deskly',
    folder: 'examples/framework-style',
    shape: 'the credential (NestJS-style JWT); spec found at /api-json',
    start: () => startDeskly({ emailIndex: 'per-organisation' }),
    initArgs: [],
    runArgs: [],
  },
  {
    name: 'orgcast',
    folder: 'examples/org-scoped',
    shape: 'the credential (JWT); organisationId in bodies, X-Org-Id header; spec found at /openapi.yaml',
    start: () => startOrgcast({ rateLimitPerMinute: 1_000_000 }),
    initArgs: [],
    runArgs: ['--max-rps', '1000'],
  },
  {
    name: 'bookly',
    folder: 'examples/subdomain',
    shape: 'subdomain (Host), session cookie; spec file given',
    start: () => startBookly({}),
    initArgs: ['--spec', path.join(REPO_ROOT, 'examples/subdomain/openapi.yaml')],
    runArgs: [],
  },
  {
    name: 'teamboard',
    folder: 'examples/path-prefix',
    shape: 'path prefix /orgs/{orgId} + JWT claim, 2 users per tenant; spec found at /docs/spec',
    start: () => startTeamboard({}),
    initArgs: [],
    runArgs: [],
  },
];

type StepName = 'init' | 'doctor' | 'run';

/** One command of the path, as run. */
interface Command {
  step: StepName;
  /** The arguments after `tenantproof`, placeholders in. */
  args: string;
  code: number | null;
  signal: string | null;
  seconds: number;
  loadBefore: number[];
  loadAfter: number[];
  stdout: string;
  stderr: string;
}

interface StepRecord {
  seconds: number;
  /** The exit code that counts: init's, the last doctor's, run's. */
  code: number | null;
  expected: number;
  commands: Omit<Command, 'stdout' | 'stderr'>[];
  /** The stdout file, relative to the repository. */
  stdoutFile: string;
}

interface ExampleRecord {
  name: string;
  folder: string;
  shape: string;
  /** What init said it recognised (its `tenant:`, `credential:`, `spec:` … lines). */
  initRecognised: string[];
  steps: Partial<Record<StepName, StepRecord>>;
  totalSeconds: number | null;
  verdictLine: string | null;
  coverageLine: string | null;
  requests: number | null;
  verdict: string | null;
  loadavgAtStart: number[];
  loadavgAtEnd: number[];
  /** What went wrong, if a step's exit code was not the expected one (or a step did not run). */
  problem: string | null;
}

const liveChildren = new Set<ChildProcess>();
const liveDirs = new Set<string>();
const liveServers = new Set<Served>();

/** `node bin/tenantproof.mjs …args` in `cwd`, timed from just before spawn to 'close'. */
function tenantproof(step: StepName, args: string[], cwd: string, scrub: (s: string) => string): Promise<Command> {
  const loadBefore = load();
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd,
      env: { ...process.env, CI: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    liveChildren.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // A safety net against a hung child, never a measurement limit: sized for a loaded machine.
    const timer = setTimeout(() => child.kill('SIGKILL'), 15 * 60_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      liveChildren.delete(child);
      reject(error);
    });
    child.on('close', (code, signal) => {
      const seconds = (performance.now() - started) / 1000;
      clearTimeout(timer);
      liveChildren.delete(child);
      resolve({
        step,
        args: scrub(args.join(' ')),
        code,
        signal,
        seconds: round(seconds, 2)!,
        loadBefore,
        loadAfter: load(),
        stdout,
        stderr,
      });
    });
  });
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Replaces what changes from one machine or run to the next by placeholders. */
function scrubber(dir: string): (s: string) => string {
  const dirs = [...new Set([dir, realpathSync(dir)])].sort((a, b) => b.length - a.length);
  return (s) => {
    let out = s;
    for (const d of dirs) out = out.replace(new RegExp(escapeRegExp(d), 'g'), '<dir>');
    return out
      .replace(new RegExp(escapeRegExp(REPO_ROOT), 'g'), '<repo>')
      .replace(/\b(127\.0\.0\.1|localhost):\d+/g, '$1:PORT');
  };
}

function runFlags(quick: boolean): string[] {
  return quick
    ? ['--budget', '15s', '--shrink-budget', '5s', '--replays', '1', '--replay-settle', '0', '--seed', '1']
    : ['--budget', '60s', '--seed', '1'];
}

function firstLine(text: string, pattern: RegExp): string | null {
  return (
    text
      .split('\n')
      .map((l) => l.trim())
      .find((l) => pattern.test(l)) ?? null
  );
}

function readRequests(runDir: string | undefined): { requests: number | null; verdict: string | null } {
  if (!runDir) return { requests: null, verdict: null };
  try {
    const evidence = JSON.parse(readFileSync(path.join(runDir, 'evidence.json'), 'utf8')) as {
      verdict?: string;
      method?: { requestCount?: number };
    };
    return { requests: evidence.method?.requestCount ?? null, verdict: evidence.verdict ?? null };
  } catch {
    return { requests: null, verdict: null };
  }
}

function stepRecord(commands: Command[], counting: Command, expected: number, stdoutFile: string): StepRecord {
  return {
    seconds: round(
      commands.reduce((sum, c) => sum + c.seconds, 0),
      2,
    )!,
    code: counting.code,
    expected,
    commands: commands.map(({ stdout: _o, stderr: _e, ...rest }) => rest),
    stdoutFile: path.relative(REPO_ROOT, stdoutFile),
  };
}

/** The stdout of each command, headed by the command typed (placeholders in). */
function transcript(commands: Command[], scrub: (s: string) => string): string {
  return commands.map((c) => `$ tenantproof ${c.args}\n${scrub(c.stdout)}`).join('\n');
}

function blankRecord(example: Example): ExampleRecord {
  return {
    name: example.name,
    folder: example.folder,
    shape: example.shape,
    initRecognised: [],
    steps: {},
    totalSeconds: null,
    verdictLine: null,
    coverageLine: null,
    requests: null,
    verdict: null,
    loadavgAtStart: load(),
    loadavgAtEnd: [],
    problem: null,
  };
}

async function onboard(example: Example, quick: boolean, stdoutDir: string, record: ExampleRecord): Promise<void> {
  const file = (step: StepName): string => path.join(stdoutDir, `${example.name}-${step}.txt`);
  for (const step of ['init', 'doctor', 'run'] as const) rmSync(file(step), { force: true });
  const server = await example.start();
  liveServers.add(server);
  const dir = mkdtempSync(path.join(tmpdir(), `tp-bench-onboarding-${example.name}-`));
  liveDirs.add(dir);
  const scrub = scrubber(dir);
  const save = (step: StepName, commands: Command[]): void => writeText(file(step), transcript(commands, scrub), true);
  try {
    const init = await tenantproof('init', ['init', '--target', server.url, '--yes', ...example.initArgs], dir, scrub);
    save('init', [init]);
    record.steps.init = stepRecord([init], init, 0, file('init'));
    record.initRecognised = init.stdout
      .split('\n')
      .filter((l) => /^\s+(spec|sign-up|login|credential|tenant|tenant fields|invite|accept|admin|rate limit):/.test(l))
      .map((l) => scrub(l.trim()));
    process.stdout.write(
      `onboarding: ${example.name}: init exit ${init.code} in ${fmt(init.seconds, 1)} s; ${loadText()}\n`,
    );
    if (init.code !== 0) {
      record.problem = `init exited ${init.code ?? init.signal}, not 0:\n${tail(init, 15)}`;
      return;
    }

    const doctors = [await tenantproof('doctor', ['doctor'], dir, scrub)];
    if (doctors[0]!.code === 1) {
      doctors.push(await tenantproof('doctor', ['doctor', '--write-overlay'], dir, scrub));
      doctors.push(await tenantproof('doctor', ['doctor'], dir, scrub));
    }
    const lastDoctor = doctors.at(-1)!;
    save('doctor', doctors);
    record.steps.doctor = stepRecord(doctors, lastDoctor, 0, file('doctor'));
    process.stdout.write(
      `onboarding: ${example.name}: doctor exit ${doctors.map((d) => d.code).join(' → ')} in ${fmt(record.steps.doctor.seconds, 1)} s; ${loadText()}\n`,
    );
    if (lastDoctor.code !== 0) {
      record.problem = `the last doctor exited ${lastDoctor.code ?? lastDoctor.signal}, not 0:\n${tail(lastDoctor, 15)}`;
      return;
    }

    const reports = path.join(dir, 'reports');
    const before = new Set(existsSync(reports) ? readdirSync(reports) : []);
    const run = await tenantproof('run', ['run', ...runFlags(quick), ...example.runArgs], dir, scrub);
    save('run', [run]);
    record.steps.run = stepRecord([run], run, 0, file('run'));
    const made = existsSync(reports) ? readdirSync(reports).filter((d) => d !== 'latest' && !before.has(d)) : [];
    const evidence = readRequests(made.length === 1 ? path.join(reports, made[0]!) : undefined);
    record.requests = evidence.requests;
    record.verdict = evidence.verdict;
    record.verdictLine = firstLine(run.stdout, /^(CLEAN|LEAK|INCONCLUSIVE)\b/);
    record.coverageLine = firstLine(run.stdout, /tenant-owned operations probed/);
    record.totalSeconds = round(init.seconds + record.steps.doctor.seconds + run.seconds, 2);
    process.stdout.write(
      `onboarding: ${example.name}: run exit ${run.code} in ${fmt(run.seconds, 1)} s: ${record.verdictLine ?? '(no verdict line)'}; ${record.coverageLine ?? '(no coverage line)'}; ${record.requests ?? '?'} requests; ${loadText()}\n`,
    );
    if (run.code !== 0) record.problem = `run exited ${run.code ?? run.signal}, not 0:\n${tail(run, 15)}`;
  } finally {
    record.loadavgAtEnd = load();
    await server.close();
    liveServers.delete(server);
    rmSync(dir, { recursive: true, force: true });
    liveDirs.delete(dir);
  }
}

function cell(text: string | null): string {
  return text === null ? '–' : text.replace(/\|/g, '\\|');
}

function table(records: ExampleRecord[]): string {
  const lines = [
    '| example | tenancy shape | init s | doctor s | first run s | total s | verdict | coverage | requests | load (1 min) at start |',
    '|---|---|--:|--:|--:|--:|---|---|--:|--:|',
  ];
  for (const r of records) {
    const doctorRuns = r.steps.doctor?.commands.length ?? 0;
    const doctor =
      r.steps.doctor === undefined
        ? '–'
        : `${fmt(r.steps.doctor.seconds, 1)}${doctorRuns > 1 ? ` (${doctorRuns} commands)` : ''}`;
    const coverage = r.coverageLine?.replace(/ tenant-owned operations probed cross-tenant/, '') ?? null;
    lines.push(
      `| ${r.name} (\`${r.folder}\`) | ${cell(r.shape)} | ${fmt(r.steps.init?.seconds, 1)} | ${doctor} | ${fmt(r.steps.run?.seconds, 1)} | **${fmt(r.totalSeconds, 1)}** | ${cell(r.verdictLine)} | ${cell(coverage)} | ${r.requests ?? '–'} | ${fmt(r.loadavgAtStart[0], 2)} |`,
    );
  }
  return lines.join('\n');
}

async function cleanUp(): Promise<void> {
  for (const child of liveChildren) child.kill('SIGKILL');
  await Promise.allSettled([...liveServers].map((s) => s.close()));
  for (const dir of liveDirs) rmSync(dir, { recursive: true, force: true });
}

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      options: { quick: { type: 'boolean', default: false }, examples: { type: 'string' } },
    }));
  } catch (error) {
    process.stderr.write(
      `bench:onboarding: ${(error as Error).message}\n  usage: npx tsx bench/onboarding.ts [--quick] [--examples ${EXAMPLES.map((e) => e.name).join(',')}]\n`,
    );
    return 2;
  }
  const quick = values.quick!;
  const wanted = values.examples
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = (wanted ?? []).filter((n) => !EXAMPLES.some((e) => e.name === n));
  if (unknown.length > 0) {
    process.stderr.write(
      `bench:onboarding: unknown example(s) ${unknown.join(', ')} (known: ${EXAMPLES.map((e) => e.name).join(', ')})\n`,
    );
    return 2;
  }
  const examples = wanted ? EXAMPLES.filter((e) => wanted.includes(e.name)) : EXAMPLES;
  if (!existsSync(DIST_ENTRY)) {
    process.stderr.write(
      `bench:onboarding: ${path.relative(REPO_ROOT, DIST_ENTRY)} is missing: the CLI runs dist/.\n  fix: run \`npm run build\` first.\n`,
    );
    return 2;
  }
  const { builtMs: distBuiltMs, newer: stale } = distFreshness(['harness']);
  if (stale.length > 0)
    process.stdout.write(
      `onboarding: note: ${stale.length} source file(s) changed after dist/ was built (${stale.slice(0, 3).join(', ')}${stale.length > 3 ? ', …' : ''}); the figures are those of that build\n`,
    );

  const onSignal = (signal: NodeJS.Signals): void => {
    process.stderr.write(`bench:onboarding: interrupted by ${signal}; removing the temporary folders\n`);
    void cleanUp().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const env = environment();
  const dir = outputDir(quick);
  const stdoutDir = path.join(dir, 'onboarding');
  mkdirSync(stdoutDir, { recursive: true });
  process.stdout.write(
    `onboarding: ${examples.map((e) => e.name).join(', ')}: init, doctor, run ${runFlags(quick).join(' ')}; ${loadText()}\n`,
  );
  const records: ExampleRecord[] = [];
  try {
    for (const example of examples) {
      const record = blankRecord(example);
      records.push(record);
      try {
        await onboard(example, quick, stdoutDir, record);
      } catch (error) {
        record.problem = `failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
        record.loadavgAtEnd = load();
      }
    }
  } finally {
    await cleanUp();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }

  const endLoad = load();
  const failed = records.filter((r) => r.problem !== null);
  const report = {
    benchmark: 'onboarding',
    environment: env,
    environmentAtEnd: { loadavg: endLoad, date: new Date().toISOString() },
    settings: {
      quick,
      bin: 'bin/tenantproof.mjs (dist/)',
      distBuiltAt: new Date(distBuiltMs).toISOString(),
      sourcesChangedSinceBuild: stale,
      init: 'init --target URL --yes [--spec FILE]',
      doctor: 'doctor; if it exits 1: doctor --write-overlay, then doctor',
      run: `run ${runFlags(quick).join(' ')} [example's flags]`,
      expectedExitCodes: { init: 0, lastDoctor: 0, run: 0 },
    },
    examples: records,
  };

  const md: string[] = [];
  md.push('# Onboarding: from `tenantproof init` to the end of the first campaign');
  md.push('');
  md.push(
    `\`${env.command}\` — ${env.date}, node ${env.node}, ${env.cpus} CPUs, commit ${env.gitCommit?.slice(0, 12) ?? 'unknown'}${env.gitDirty ? ' (with uncommitted changes)' : ''}, dist/ built ${new Date(distBuiltMs).toISOString()}${stale.length ? ` (${stale.length} harness source file(s) changed since)` : ''}, load average at start ${env.loadavg.join(' ')}, at end ${endLoad.join(' ')}.`,
  );
  md.push(
    `Per example, its clean server in the benchmark's process on 127.0.0.1, and in a fresh temporary folder the real CLI (\`node bin/tenantproof.mjs\`), as in test/onboarding/: \`init --target URL --yes\` (\`--spec FILE\` for Tracklet and Bookly), \`doctor\` (if it exits 1: \`doctor --write-overlay\`, then \`doctor\` again; the doctor column sums them), \`run ${runFlags(quick).join(' ')}\` (Orgcast: \`--max-rps 1000\`, its server's limit lifted). ` +
      "Seconds are wall clock from just before spawn to close; total = init + doctor + run (nothing else runs between them; a user reading the output would add their own time). Verdict and coverage are the run's lines; requests from its evidence.json.",
  );
  md.push('');
  md.push(table(records));
  md.push('');
  const recognised = records
    .filter((r) => r.initRecognised.length > 0)
    .map((r) => `- ${r.name}: ${r.initRecognised.map((l) => `\`${l}\``).join('; ')}`);
  if (recognised.length > 0) {
    md.push('What `init --yes` recognised:');
    md.push('');
    md.push(...recognised);
    md.push('');
  }
  md.push(
    `Each step's stdout, headed by the command typed (temporary folder \`<dir>\`, repository \`<repo>\`, ports \`PORT\`): \`${path.relative(REPO_ROOT, stdoutDir)}/<example>-{init,doctor,run}.txt\`.`,
  );
  if (failed.length > 0) {
    md.push('');
    md.push('**Steps that did not exit as expected:**');
    md.push('');
    for (const r of failed) md.push(`- ${r.name}: ${r.problem!.split('\n')[0]}`);
  }
  md.push('');
  md.push(
    `Machine: ${env.cpus} CPUs (${env.cpuModel}), ${env.totalMemMB} MB, ${env.platform} ${env.osRelease}. The last column is the 1-minute load read when the example started; per command in onboarding.json.`,
  );
  md.push('');

  writeJson(path.join(dir, 'onboarding.json'), report);
  writeText(path.join(dir, 'onboarding.md'), md.join('\n'));
  process.stdout.write(`wrote ${path.relative(REPO_ROOT, stdoutDir)}/*.txt\n`);
  process.stdout.write(
    `\n${table(records)}\n\nCPUs ${env.cpus}; load at start ${env.loadavg.join(' ')}, at end ${endLoad.join(' ')}\n`,
  );
  for (const r of failed) process.stderr.write(`bench:onboarding: ${r.name}: ${r.problem}\n`);
  return failed.length > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench:onboarding failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    void cleanUp().finally(() => process.exit(1));
  },
);
