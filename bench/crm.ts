/**
 * Reference CRM throughput: `npm run bench:crm [-- --quick] [--seconds N] [--rounds N]
 *   [--baseline <commit|folder>] [--after <commit|folder>] [--profile] [--concurrency N]
 *   [--pool-size N] [--backend pglite,postgres]`.
 *
 * A mixed workload (reads, lists, writes, search, summary) from 8 tenants at concurrency 32 (4
 * in flight per tenant), against the CRM with RLS on and with RLS off (the test-only ablation
 * switch), on embedded PGlite and, when BENCH_DATABASE_URL or TEST_DATABASE_URL is set, on
 * PostgreSQL (a scratch database per target, pool of 10). Loopback only.
 *
 * The CRM runs in its own process (`support/crm-bench-target.ts`), so its CPU per request is read
 * from /proc apart from the load generator's (this process, node:http with keep-alive) and from the
 * PostgreSQL backends serving its pool (their pids from pg_stat_activity). `--baseline` also serves
 * the `crm/` of another commit (exported with `git archive`, `support/commit-export.ts`) or folder
 * with the same workload, and `--after` replaces this checkout as the other side; the cases
 * alternate round by round, so load from other jobs on the machine hits before and after alike.
 * The verdict compares PostgreSQL, RLS on, after against before (target ≥ 3× req/s) and RLS on
 * against RLS off (target ≥ 0.85). `--profile` then takes a CPU profile of each target (RLS on) and
 * attributes it to areas (`support/crm-profile.ts`).
 *
 * Prints a table and writes reports/bench/crm.json and crm.md (reports/bench/quick/ with --quick).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, statSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { createScratchDatabase, type ScratchDatabase } from '../crm/db/scratch-database.ts';
import { exportCommit } from './support/commit-export.ts';
import { environment, load, loadText, outputDir, REPO_ROOT, round, writeJson, writeText } from './support/common.ts';
import { pick, procCpuMs, seedTenants, send, unique, type SeededTenant } from './support/crm-workload.ts';
import { CRM_AREA_LABELS, CRM_AREAS, summariseCrmProfile, type CrmProfileSummary } from './support/crm-profile.ts';

const TENANTS = 8;
const SEED_CUSTOMERS = 20;
const TARGET_SPEEDUP = 3;
const TARGET_RLS_RATIO = 0.85;
/**
 * What the issue called "today": bench:crm at 4f95b43, CRM and load generator in one process
 * (PostgreSQL pool of 10). Kept for reference; the live `--baseline` comparison is the fair one.
 */
const ISSUE_BASELINE = { commit: '4f95b43', postgresReqPerSec: 171, pgliteReqPerSec: 94 };

class BenchError extends Error {
  override name = 'BenchError';
}

type Backend = 'pglite' | 'postgres';
type Rls = 'on' | 'off';

interface Target {
  label: string;
  root: string;
  child: ChildProcess;
  lines: Interface;
  urls: Record<Rls, string>;
  agents: Record<Rls, http.Agent>;
  tenants: SeededTenant[];
  scratch?: ScratchDatabase;
}

interface Sample {
  requests: number;
  errors: number;
  seconds: number;
  latenciesMs: number[];
  crmCpuMs: number | null;
  generatorCpuMs: number;
  postgresCpuMs: number | null;
  load1: number;
}

interface CaseResult {
  target: string;
  backend: Backend;
  rls: Rls;
  requests: number;
  errors: number;
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  /** CPU of the CRM process per request (user + system, /proc). */
  crmCpuMsPerRequest: number | null;
  /** CPU of this process (the load generator) per request. */
  generatorCpuMsPerRequest: number;
  /** CPU of the PostgreSQL backends of the CRM's pool per request (/proc; walwriter etc. excluded). */
  postgresCpuMsPerRequest: number | null;
  /** 1-minute load average at the start of each round. */
  load1: number[];
}

// --- the CRM process ---------------------------------------------------------------------------

function nextLine(lines: Interface): Promise<string> {
  return new Promise((resolve, reject) => {
    const onLine = (line: string) => {
      lines.off('close', onClose);
      resolve(line);
    };
    const onClose = () => {
      lines.off('line', onLine);
      reject(new BenchError('the CRM target exited'));
    };
    lines.once('line', onLine);
    lines.once('close', onClose);
  });
}

async function command(target: Target, text: string): Promise<void> {
  target.child.stdin!.write(`${text}\n`);
  const answer = await nextLine(target.lines);
  if (answer !== 'ok') throw new BenchError(`${target.label}: ${text}: ${answer}`);
}

async function startTarget(label: string, root: string, backend: Backend, pgUrl: string | undefined, poolSize: number) {
  const scratch = backend === 'postgres' ? await createScratchDatabase(pgUrl!) : undefined;
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      path.join(REPO_ROOT, 'bench', 'support', 'crm-bench-target.ts'),
      '--root',
      root,
      '--pool-size',
      String(poolSize),
      ...(scratch ? ['--database-url', scratch.url] : []),
    ],
    { cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: child.stdout! });
  const ready = await nextLine(lines).catch(async (error: unknown) => {
    await scratch?.drop();
    throw error;
  });
  if (!ready.startsWith('ready ')) throw new BenchError(`${label}: unexpected first line ${ready}`);
  const info = JSON.parse(ready.slice('ready '.length)) as { rlsOn: string; rlsOff: string; adminToken: string };
  const agent = () => new http.Agent({ keepAlive: true, maxSockets: 64 });
  const target: Target = {
    label,
    root,
    child,
    lines,
    urls: { on: info.rlsOn, off: info.rlsOff },
    agents: { on: agent(), off: agent() },
    tenants: [],
    ...(scratch ? { scratch } : {}),
  };
  try {
    target.tenants = await seedTenants(info.rlsOn, info.adminToken, {
      count: TENANTS,
      customers: SEED_CUSTOMERS,
      prefix: 'bench',
    });
  } catch (error) {
    await stopTarget(target);
    throw error;
  }
  return target;
}

async function stopTarget(target: Target): Promise<void> {
  if (target.child.exitCode === null && target.child.signalCode === null) {
    const exited = new Promise((resolve) => target.child.once('exit', resolve));
    target.child.stdin!.end();
    await exited;
  }
  for (const agent of Object.values(target.agents)) agent.destroy();
  await target.scratch?.drop();
}

// --- seeding (fetch: simple, not measured) and the measured client (node:http, keep-alive) ------

/** One request of the mix; true on the expected status. */
async function oneRequest(agent: http.Agent, base: URL, tenant: SeededTenant): Promise<boolean> {
  const roll = Math.random();
  const go = (method: string, path: string, body?: unknown) => send(agent, base, method, tenant.apiKey, path, body);
  if (roll < 0.25) return (await go('GET', `/v1/customers/${pick(tenant.customers)}`)) === 200;
  if (roll < 0.4) return (await go('GET', `/v1/jobs/${pick(tenant.jobs)}`)) === 200;
  if (roll < 0.55) return (await go('GET', '/v1/customers?limit=20')) === 200;
  if (roll < 0.65) return (await go('GET', '/v1/jobs?limit=20')) === 200;
  if (roll < 0.72) return (await go('GET', '/v1/search?q=boiler&limit=10')) === 200;
  if (roll < 0.77) return (await go('GET', '/v1/reports/summary')) === 200;
  if (roll < 0.87)
    return (await go('PATCH', `/v1/customers/${pick(tenant.customers)}`, { phone: '+1 555 010 2233' })) === 200;
  if (roll < 0.95)
    return (await go('POST', `/v1/customers/${pick(tenant.customers)}/notes`, { body: `note ${unique()}` })) === 201;
  const status = await go('POST', '/v1/jobs', {
    customerId: pick(tenant.customers),
    title: 'Extra visit',
    scheduledStart: '2026-03-03T09:00:00Z',
    scheduledEnd: '2026-03-03T10:00:00Z',
  });
  return status === 201;
}

// --- measuring --------------------------------------------------------------------------------

/** CPU of the PostgreSQL backends connected to `database`, by pid. */
async function backendCpu(admin: pg.Client, database: string): Promise<Map<number, number>> {
  const rows = (await admin.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1', [database]))
    .rows;
  const cpu = new Map<number, number>();
  for (const { pid } of rows) {
    const ms = procCpuMs(pid);
    if (ms !== null) cpu.set(pid, ms);
  }
  return cpu;
}

async function drive(
  target: Target,
  rls: Rls,
  seconds: number,
  concurrency: number,
  admin: pg.Client | undefined,
): Promise<Sample> {
  const base = new URL(target.urls[rls]);
  const agent = target.agents[rls];
  const load1 = load()[0]!;
  const pgBefore = admin && target.scratch ? await backendCpu(admin, target.scratch.name) : undefined;
  const crmBefore = procCpuMs(target.child.pid!);
  const generatorBefore = process.cpuUsage();
  const latenciesMs: number[] = [];
  let requests = 0;
  let errors = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      let i = worker;
      while (performance.now() < deadline) {
        const tenant = target.tenants[i++ % target.tenants.length]!;
        const t0 = performance.now();
        const ok = await oneRequest(agent, base, tenant).catch(() => false);
        latenciesMs.push(performance.now() - t0);
        requests++;
        if (!ok) errors++;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const generator = process.cpuUsage(generatorBefore);
  const crmAfter = procCpuMs(target.child.pid!);
  let postgresCpuMs: number | null = null;
  if (admin && target.scratch && pgBefore) {
    const pgAfter = await backendCpu(admin, target.scratch.name);
    postgresCpuMs = 0;
    for (const [pid, ms] of pgAfter) postgresCpuMs += ms - (pgBefore.get(pid) ?? 0);
  }
  return {
    requests,
    errors,
    seconds: elapsed,
    latenciesMs,
    crmCpuMs: crmBefore === null || crmAfter === null ? null : crmAfter - crmBefore,
    generatorCpuMs: (generator.user + generator.system) / 1000,
    postgresCpuMs,
    load1,
  };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function summarise(target: string, backend: Backend, rls: Rls, samples: Sample[]): CaseResult {
  const latencies = samples.flatMap((s) => s.latenciesMs).sort((a, b) => a - b);
  const requests = samples.reduce((n, s) => n + s.requests, 0);
  const seconds = samples.reduce((n, s) => n + s.seconds, 0);
  const perRequest = (values: (number | null)[]) =>
    values.some((v) => v === null) || requests === 0
      ? null
      : round(values.reduce<number>((n, v) => n + v!, 0) / requests, 3);
  return {
    target,
    backend,
    rls,
    requests,
    errors: samples.reduce((n, s) => n + s.errors, 0),
    reqPerSec: round(requests / seconds, 1)!,
    p50Ms: round(percentile(latencies, 50), 2)!,
    p99Ms: round(percentile(latencies, 99), 2)!,
    crmCpuMsPerRequest: perRequest(samples.map((s) => s.crmCpuMs)),
    generatorCpuMsPerRequest: perRequest(samples.map((s) => s.generatorCpuMs))!,
    postgresCpuMsPerRequest: backend === 'postgres' ? perRequest(samples.map((s) => s.postgresCpuMs)) : null,
    load1: samples.map((s) => s.load1),
  };
}

interface ProfileResult {
  target: string;
  backend: Backend;
  requests: number;
  file: string;
  /** Self time per area, in ms per request. */
  areasMsPerRequest: Record<string, number>;
  busyMsPerRequest: number;
  topFunctions: { function: string; location: string; area: string; selfMsPerRequest: number }[];
  topInclusive: { function: string; location: string; inclusiveMsPerRequest: number }[];
}

async function profileTarget(
  target: Target,
  backend: Backend,
  seconds: number,
  concurrency: number,
  dir: string,
): Promise<ProfileResult> {
  const file = path.join(dir, `crm-${target.label}-${backend}.cpuprofile`);
  await command(target, 'profile-start');
  const sample = await drive(target, 'on', seconds, concurrency, undefined);
  await command(target, `profile-stop ${file}`);
  const summary: CrmProfileSummary = summariseCrmProfile(file);
  const perRequest = (us: number) => round(us / 1000 / sample.requests, 4)!;
  return {
    target: target.label,
    backend,
    requests: sample.requests,
    file,
    areasMsPerRequest: Object.fromEntries(CRM_AREAS.map((a) => [a, perRequest(summary.areasUs[a])])),
    busyMsPerRequest: perRequest(summary.busyUs),
    topFunctions: summary.topFunctions.map((f) => ({
      function: f.function,
      location: f.location,
      area: f.area,
      selfMsPerRequest: perRequest(f.selfUs),
    })),
    topInclusive: summary.topInclusive.map((f) => ({
      function: f.function,
      location: f.location,
      inclusiveMsPerRequest: perRequest(f.inclusiveUs),
    })),
  };
}

async function benchBackend(
  backend: Backend,
  roots: TargetSpec[],
  options: { seconds: number; rounds: number; concurrency: number; poolSize: number; profileDir?: string },
  pgUrl: string | undefined,
): Promise<{ cases: CaseResult[]; profiles: ProfileResult[] }> {
  const targets: Target[] = [];
  const admin = backend === 'postgres' ? new pg.Client({ connectionString: pgUrl }) : undefined;
  await admin?.connect();
  try {
    for (const { label, root } of roots) targets.push(await startTarget(label, root, backend, pgUrl, options.poolSize));
    const cases = targets.flatMap((target) => (['on', 'off'] as const).map((rls) => ({ target, rls })));
    // Warm every case (JIT, caches, plans) before measuring.
    for (const c of cases) await drive(c.target, c.rls, Math.min(1, options.seconds), options.concurrency, admin);
    const samples = cases.map(() => [] as Sample[]);
    for (let r = 0; r < options.rounds; r++) {
      // Rotate and alternate the order so that no case always runs first or on a warmer database.
      const order = cases.map((_, i) => i);
      const rotated = [...order.slice(r % order.length), ...order.slice(0, r % order.length)];
      for (const i of r % 2 === 0 ? rotated : rotated.reverse()) {
        const c = cases[i]!;
        const sample = await drive(c.target, c.rls, options.seconds, options.concurrency, admin);
        samples[i]!.push(sample);
        process.stdout.write(
          `  ${backend} ${c.target.label} rls ${c.rls} round ${r + 1}: ${round(sample.requests / sample.seconds, 1)} req/s (load ${sample.load1})\n`,
        );
      }
    }
    const profiles: ProfileResult[] = [];
    if (options.profileDir)
      for (const target of targets)
        profiles.push(await profileTarget(target, backend, options.seconds, options.concurrency, options.profileDir));
    return { cases: cases.map((c, i) => summarise(c.target.label, backend, c.rls, samples[i]!)), profiles };
  } finally {
    for (const target of targets) await stopTarget(target);
    await admin?.end();
  }
}

// --- the verdict and the report ---------------------------------------------------------------

interface Verdicts {
  /**
   * `ratio`: RLS-on req/s over RLS-off req/s (the target); `cpuRatio`: RLS-off CPU per request over
   * RLS-on's (CRM + PostgreSQL backends + load generator), the steadier figure on a shared machine.
   */
  rlsOnOverOff: { target: string; backend: Backend; ratio: number; cpuRatio: number | null; met: boolean }[];
  postgresSpeedup: {
    /** RLS-on req/s of this checkout over the baseline checkout's, measured in the same run. */
    live: number | null;
    /** Baseline's CRM CPU per request over this checkout's (RLS on). */
    crmCpu: number | null;
    /**
     * Baseline's CPU per request over this checkout's, CRM + PostgreSQL backends + load generator
     * (RLS on): the speed-up on a machine that all three saturate.
     */
    totalCpu: number | null;
    /** RLS-on req/s of this checkout over the issue's 171 req/s (a different method and moment). */
    versusIssueFigure: number | null;
    target: number;
    met: boolean | null;
  };
}

function verdicts(results: CaseResult[], haveBaseline: boolean): Verdicts {
  const find = (target: string, backend: Backend, rls: Rls) =>
    results.find((r) => r.target === target && r.backend === backend && r.rls === rls);
  const total = (r: CaseResult | undefined) =>
    r?.crmCpuMsPerRequest != null && (r.backend === 'pglite' || r.postgresCpuMsPerRequest != null)
      ? r.crmCpuMsPerRequest + (r.postgresCpuMsPerRequest ?? 0) + r.generatorCpuMsPerRequest
      : null;
  const ratio = (b: number | null | undefined, a: number | null | undefined) =>
    b != null && a != null && a > 0 ? round(b / a, 2) : null;
  const rlsOnOverOff: Verdicts['rlsOnOverOff'] = [];
  for (const r of results.filter((x) => x.rls === 'on')) {
    const off = find(r.target, r.backend, 'off');
    if (!off || off.reqPerSec === 0) continue;
    const reqRatio = round(r.reqPerSec / off.reqPerSec, 3)!;
    rlsOnOverOff.push({
      target: r.target,
      backend: r.backend,
      ratio: reqRatio,
      cpuRatio: ratio(total(off), total(r)),
      met: reqRatio >= TARGET_RLS_RATIO,
    });
  }
  const after = find('after', 'postgres', 'on');
  const before = haveBaseline ? find('before', 'postgres', 'on') : undefined;
  const live = after && before && before.reqPerSec > 0 ? round(after.reqPerSec / before.reqPerSec, 2) : null;
  const versusIssueFigure = after ? round(after.reqPerSec / ISSUE_BASELINE.postgresReqPerSec, 2) : null;
  return {
    rlsOnOverOff,
    postgresSpeedup: {
      live,
      crmCpu: ratio(before?.crmCpuMsPerRequest, after?.crmCpuMsPerRequest),
      totalCpu: ratio(total(before), total(after)),
      versusIssueFigure,
      target: TARGET_SPEEDUP,
      met: live === null ? null : live >= TARGET_SPEEDUP,
    },
  };
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i]!)).join('  ');
  return `${line(header)}\n${line(widths.map((w) => '-'.repeat(w)))}\n${rows.map(line).join('\n')}\n`;
}

function markdownTable(header: string[], rows: string[][]): string {
  return `| ${header.join(' | ')} |\n|${header.map(() => '---').join('|')}|\n${rows.map((r) => `| ${r.join(' | ')} |`).join('\n')}\n`;
}

const fmt = (x: number | null) => (x === null ? '–' : String(x));

interface TargetSpec {
  label: string;
  /** The checkout whose `crm/` is served. */
  root: string;
  /** How reports name it. */
  shown: string;
  remove?: () => void;
}

/** This checkout (no spec), a folder holding another checkout, or a commit (exported to a temporary folder). */
function resolveTarget(label: string, spec: string | undefined): TargetSpec {
  if (spec === undefined) return { label, root: REPO_ROOT, shown: 'this checkout' };
  if (existsSync(spec) && statSync(spec).isDirectory())
    return { label, root: path.resolve(spec), shown: `\`${spec}\`` };
  const exported = exportCommit(spec);
  return {
    label,
    root: exported.root,
    shown: `commit ${exported.commit.slice(0, 7)}`,
    remove: exported.remove,
  };
}

function resultRows(results: CaseResult[]): { header: string[]; rows: string[][] } {
  return {
    header: [
      'target',
      'backend',
      'rls',
      'requests',
      'errors',
      'req/s',
      'p50 ms',
      'p99 ms',
      'CRM CPU ms/req',
      'PG CPU ms/req',
      'loadgen CPU ms/req',
      'load1',
    ],
    rows: results.map((r) => [
      r.target,
      r.backend,
      r.rls,
      String(r.requests),
      String(r.errors),
      String(r.reqPerSec),
      String(r.p50Ms),
      String(r.p99Ms),
      fmt(r.crmCpuMsPerRequest),
      fmt(r.postgresCpuMsPerRequest),
      String(r.generatorCpuMsPerRequest),
      r.load1.join(' '),
    ]),
  };
}

function verdictLines(v: Verdicts): string[] {
  const lines = v.rlsOnOverOff.map(
    (r) =>
      `${r.target} ${r.backend}: RLS on / RLS off = ${r.ratio} req/s (target ≥ ${TARGET_RLS_RATIO}: ${r.met ? 'met' : 'NOT met'}); by CPU per request ${r.cpuRatio}`,
  );
  const s = v.postgresSpeedup;
  lines.push(
    s.live === null
      ? `postgres speed-up: no live baseline (run with --baseline <checkout of ${ISSUE_BASELINE.commit}>)`
      : `postgres speed-up, RLS on, after / before in this run: ${s.live}× req/s (target ≥ ${s.target}×: ${s.met ? 'met' : 'NOT met'}); CPU per request: CRM ${s.crmCpu}× less, CRM + PostgreSQL + load generator ${s.totalCpu}× less`,
  );
  if (s.versusIssueFigure !== null)
    lines.push(
      `postgres RLS on / the issue's ${ISSUE_BASELINE.postgresReqPerSec} req/s (in-process bench, other load): ${s.versusIssueFigure}×`,
    );
  return lines;
}

function profileMarkdown(profiles: ProfileResult[]): string {
  if (profiles.length === 0) return '';
  let text = '\n## Profile (RLS on; self time per request, builtins charged to their caller)\n\n';
  const header = ['area', ...profiles.map((p) => `${p.target} ${p.backend} ms/req`)];
  const rows = CRM_AREAS.map((a) => [CRM_AREA_LABELS[a], ...profiles.map((p) => String(p.areasMsPerRequest[a]))]);
  rows.push(['**busy (sampled)**', ...profiles.map((p) => String(p.busyMsPerRequest))]);
  text += markdownTable(header, rows);
  for (const p of profiles) {
    text += `\n### Hottest functions: ${p.target}, ${p.backend} (${p.requests} requests)\n\n`;
    text += markdownTable(
      ['function', 'location', 'area', 'self ms/req'],
      p.topFunctions
        .slice(0, 15)
        .map((f) => [`\`${f.function}\``, `\`${f.location}\``, f.area, String(f.selfMsPerRequest)]),
    );
  }
  return text;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean' },
      seconds: { type: 'string' },
      rounds: { type: 'string' },
      baseline: { type: 'string' },
      after: { type: 'string' },
      profile: { type: 'boolean' },
      concurrency: { type: 'string' },
      'pool-size': { type: 'string' },
      backend: { type: 'string' },
    },
  });
  const quick = values.quick ?? false;
  // Many short rounds rather than a few long ones: the cases interleave more finely, so a burst
  // of load from another job on the machine lands on every case alike.
  const seconds = Math.min(60, Number(values.seconds ?? (quick ? 3 : 4)));
  const rounds = Math.min(20, Number(values.rounds ?? (quick ? 1 : 6)));
  const concurrency = Number(values.concurrency ?? 32);
  const poolSize = Number(values['pool-size'] ?? 10);
  const pgUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  const wanted = (values.backend ?? 'pglite,postgres').split(',').map((b) => b.trim());
  const backends = (['pglite', 'postgres'] as const).filter((b) => wanted.includes(b) && (b === 'pglite' || pgUrl));
  const roots = [resolveTarget('after', values.after)];
  if (values.baseline) roots.push(resolveTarget('before', values.baseline));
  try {
    await run(roots);
  } finally {
    for (const r of roots) r.remove?.();
  }

  async function run(roots: TargetSpec[]): Promise<void> {
    const profileDir = values.profile ? mkdtempSync(path.join(tmpdir(), 'crm-profile-')) : undefined;
    const env = environment();
    process.stdout.write(
      `CRM mixed workload: ${TENANTS} tenants, concurrency ${concurrency}, pool ${poolSize}, ${rounds} round(s) × ${seconds}s per case; ${loadText()}\n`,
    );

    const results: CaseResult[] = [];
    const profiles: ProfileResult[] = [];
    for (const backend of backends) {
      const measured = await benchBackend(
        backend,
        roots,
        { seconds, rounds, concurrency, poolSize, ...(profileDir ? { profileDir } : {}) },
        pgUrl,
      );
      results.push(...measured.cases);
      profiles.push(...measured.profiles);
    }
    const v = verdicts(results, roots.length > 1);

    const { header, rows } = resultRows(results);
    process.stdout.write(`\n${table(header, rows)}`);
    for (const line of verdictLines(v)) process.stdout.write(`${line}\n`);
    if (!pgUrl) process.stdout.write('postgres: skipped (set BENCH_DATABASE_URL or TEST_DATABASE_URL)\n');
    for (const p of profiles) {
      process.stdout.write(`\nprofile ${p.target} ${p.backend} (${p.file}), ms per request:\n`);
      process.stdout.write(
        table(
          ['area', 'ms/req'],
          CRM_AREAS.map((a) => [CRM_AREA_LABELS[a], String(p.areasMsPerRequest[a])]),
        ),
      );
    }

    const dir = outputDir(quick);
    const report = {
      benchmark: 'crm',
      environment: env,
      loadAfter: load(),
      workload: {
        tenants: TENANTS,
        concurrency,
        poolSize,
        secondsPerRound: seconds,
        rounds,
        seedCustomersPerTenant: SEED_CUSTOMERS,
        mix: 'GET customer 25%, GET job 15%, list customers 15%, list jobs 10%, search 7%, summary 5%, PATCH customer 10%, POST note 8%, POST job 5%',
      },
      targets: Object.fromEntries(roots.map((r) => [r.label, r.shown])),
      issueBaseline: ISSUE_BASELINE,
      results,
      verdicts: v,
      profiles,
    };
    writeJson(path.join(dir, 'crm.json'), report);
    let md = `# bench:crm\n\n\`${env.command}\` at ${env.date} (commit ${env.gitCommit?.slice(0, 7)}${env.gitDirty ? ', uncommitted changes' : ''}; ${env.cpus} × ${env.cpuModel}; node ${env.node}; load ${env.loadavg.join(' ')} at the start, ${report.loadAfter.join(' ')} at the end).\n\n`;
    md += `${TENANTS} tenants, ${concurrency} requests in flight, PostgreSQL pool ${poolSize}, ${rounds} round(s) × ${seconds} s per case, cases alternating. The CRM runs in its own process; CPU per request is read from /proc for the CRM process and for the PostgreSQL backends of its pool, and from \`process.cpuUsage()\` for the load generator. Targets: ${roots.map((r) => `${r.label} = ${r.shown}`).join(', ')}.\n\n`;
    md += markdownTable(header, rows);
    md += `\n${verdictLines(v)
      .map((l) => `- ${l}`)
      .join('\n')}\n`;
    md += profileMarkdown(profiles);
    writeText(path.join(dir, 'crm.md'), md);
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench:crm failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
