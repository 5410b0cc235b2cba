/**
 * `npm run bench:speed [-- --quick] [--concurrency 1,4] [--seconds 10] [--budget 30s] [--profile-budget 60s]`: how fast the
 * harness drives a target, against what the target itself can take.
 *
 * 1. Mix and profile: the harness runs against the reference CRM in its own process under
 *    `node --cpu-prof`; its transcript gives the request mix (share of each method + path
 *    template) and its profile the harness's own CPU per request by source bucket, inside the
 *    campaign's time window (60 s by default: V8 compiles the hot paths in the first seconds, and
 *    a shorter window mostly measures that), and in the window's second half alone.
 * 2. For each concurrency level, on a fresh CRM process: the target's limit with autocannon on that
 *    mix (bench/support/workload.ts) before and after a plain harness run at the same
 *    `--concurrency`; harness req/s = evidence requestCount / campaign wall time (provisioning and
 *    checkpoints are part of it); ratio = harness req/s ÷ mean autocannon req/s. Mean in-flight
 *    requests come from the transcript (each exchange's completion time and duration).
 * 3. The foreign-data scan in MB/s with 10,000 fingerprints, over synthetic 12 KB list responses
 *    and over the real responses of step 1.
 * 4. The client side of one exchange: the harness's HttpClient, global fetch (its transport before
 *    commit 8d876fe) and bare node:http (bench/support/http-overhead.ts).
 *
 * Before and after: reports/bench/speed-before.json, when present, is a committed earlier run of
 * this benchmark, shown beside this one (its profile, its levels). With `--before-commit <ref>`,
 * that commit is also compiled (bench/support/before-profile.ts) and its harness profiled in this
 * session, right after this checkout's, against a fresh CRM with the same settings, and its
 * HttpClient measured in the same rounds as this one's: the fair comparison on a shared machine.
 *
 * Writes reports/bench/speed.json and speed.md (reports/bench/quick/ with --quick).
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import autocannon, { type AutocannonResult } from 'autocannon';
import { CANARY_PATTERN, LOWER_CANARY_PATTERN } from '../harness/generate/canary.ts';
import { analyzeSpecFile } from '../harness/openapi/analyze.ts';
import { buildCommit, type BuiltCommit } from './support/before-profile.ts';
import { attributeProfile, BUCKET_LABELS, BUCKETS, type Attribution } from './support/cpu-profile.ts';
import { startCrmProcess, type CrmProcess } from './support/crm-process.ts';
import {
  environment,
  fmt,
  latestRunDir,
  list,
  load,
  loadText,
  outputDir,
  readEvidence,
  round,
  runCli,
  tail,
  writeJson,
  writeText,
  type EvidenceLite,
} from './support/common.ts';
import { measureClientOverhead } from './support/http-overhead.ts';
import {
  fillRegistry,
  FingerprintRegistry,
  measureScan,
  newScanner,
  oneLoadPerByteMbPerSecond,
  syntheticCorpus,
} from './support/fingerprint-bench.ts';
import {
  campaignExchanges,
  inFlight,
  mixOf,
  prepareWorkload,
  type Exchange,
  type LoadRequest,
  type Workload,
} from './support/workload.ts';

interface LoadRun {
  seconds: number;
  requests: number;
  reqPerSec: number;
  latencyMeanMs: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  /** Little's law: req/s × mean latency. */
  meanInFlight: number;
  share2xx: number;
  errors: number;
  timeouts: number;
  statusCounts: Record<string, number>;
  crmCpuUsPerRequest: number | null;
  loadGeneratorCpuUsPerRequest: number;
  loadavg: number[];
}

async function loadTest(
  url: string,
  connections: number,
  seconds: number,
  workload: Workload,
  crm: CrmProcess,
): Promise<LoadRun> {
  workload.statuses.clear();
  const crm0 = crm.cpuSeconds();
  const cpu0 = process.cpuUsage();
  const result: AutocannonResult = await autocannon({
    url,
    connections,
    duration: seconds,
    timeout: 30,
    requests: workload.requests as LoadRequest[],
  });
  const cpu = process.cpuUsage(cpu0);
  const crm1 = crm.cpuSeconds();
  const total = result.requests.total;
  const statusCounts = Object.fromEntries(
    [...workload.statuses.entries()].sort((a, b) => a[0] - b[0]).map(([s, n]) => [String(s), n]),
  );
  const rps = total / result.duration;
  return {
    seconds: round(result.duration, 2)!,
    requests: total,
    reqPerSec: round(rps, 1)!,
    latencyMeanMs: round(result.latency.mean, 2)!,
    latencyP50Ms: round(result.latency.p50, 2)!,
    latencyP99Ms: round(result.latency.p99, 2)!,
    meanInFlight: round((rps * result.latency.mean) / 1000, 2)!,
    share2xx: round(result['2xx'] / Math.max(1, total), 3)!,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCounts,
    crmCpuUsPerRequest: crm0 !== null && crm1 !== null ? round(((crm1 - crm0) * 1e6) / Math.max(1, total), 0) : null,
    loadGeneratorCpuUsPerRequest: round((cpu.user + cpu.system) / Math.max(1, total), 0)!,
    loadavg: load(),
  };
}

interface HarnessRun {
  concurrency: number;
  exitCode: number | null;
  requests: number;
  runs: number | null;
  batches: number;
  campaignSeconds: number;
  reqPerSec: number;
  inFlight: ReturnType<typeof inFlight>;
  /** Whole-process CPU (start-up and report writing included) per campaign request. */
  processCpuUsPerRequest: number | null;
  crmCpuUsPerRequest: number | null;
  maxRssMB: number | null;
  wallSeconds: number;
  loadavg: number[];
}

async function harnessRun(
  crm: CrmProcess,
  concurrency: number,
  budget: string,
  seed: number,
  extra: { nodeArgs?: string[]; keep?: boolean; bin?: string } = {},
): Promise<{
  run: HarnessRun;
  dir: string;
  runDir: string;
  evidence: EvidenceLite;
  exchanges: Exchange[];
  usage: { clockPair: { wallMs: number; monoUs: number } } | undefined;
}> {
  const dir = mkdtempSync(path.join(tmpdir(), `tp-bench-speed-c${concurrency}-`));
  const crm0 = crm.cpuSeconds();
  // `concurrency` lanes, each sending one request at a time (--concurrency 1: no batches inside a
  // lane), to match autocannon's connections. Not a hard cap: a probe's follow-up reads can add a
  // few in flight (the report gives the measured mean and maximum).
  const cli = await runCli(
    [
      'run',
      '--target',
      crm.url,
      '--admin-token',
      crm.adminToken,
      '--lanes',
      String(concurrency),
      '--concurrency',
      '1',
      '--budget',
      budget,
      '--seed',
      String(seed),
      '--replays',
      '1',
      '--out',
      dir,
    ],
    {
      usageFile: path.join(dir, 'rusage.json'),
      nodeArgs: [...(extra.nodeArgs ?? [])],
      ...(extra.bin ? { bin: extra.bin } : {}),
    },
  );
  const crm1 = crm.cpuSeconds();
  const runDir = latestRunDir(dir);
  const evidence = readEvidence(runDir);
  if (!runDir || !evidence)
    throw new Error(
      `the harness run at concurrency ${concurrency} wrote no evidence (exit ${cli.code}):\n${tail(cli)}`,
    );
  const start = Date.parse(evidence.method.startedAt);
  const end = Date.parse(evidence.method.endedAt);
  const exchanges = campaignExchanges(runDir, evidence);
  const requests = evidence.method.requestCount;
  const runsMatch = /(\d+) runs, (\d+) requests/.exec(cli.stdout);
  const run: HarnessRun = {
    concurrency,
    exitCode: cli.code,
    requests,
    runs: runsMatch ? Number(runsMatch[1]) : null,
    batches: evidence.method.interleavedBatchCount,
    campaignSeconds: round((end - start) / 1000, 2)!,
    reqPerSec: round(requests / ((end - start) / 1000), 1)!,
    inFlight: inFlight(exchanges, start, end),
    processCpuUsPerRequest: cli.usage
      ? round(((cli.usage.userCpuMs + cli.usage.systemCpuMs) * 1000) / Math.max(1, requests), 0)
      : null,
    crmCpuUsPerRequest: crm0 !== null && crm1 !== null ? round(((crm1 - crm0) * 1e6) / Math.max(1, requests), 0) : null,
    maxRssMB: cli.usage ? round(cli.usage.maxRssMB, 0) : null,
    wallSeconds: round(cli.wallMs / 1000, 1)!,
    loadavg: load(),
  };
  return { run, dir, runDir, evidence, exchanges, usage: cli.usage };
}

/** Real responses of the run as raw bytes (status line, headers, body), for the scan benchmark. */
function responseBytes(exchanges: Exchange[], max: number): { buf: Buffer; tenant: string }[] {
  const out: { buf: Buffer; tenant: string }[] = [];
  for (const ex of exchanges) {
    if (!ex.response || out.length >= max) continue;
    const head = `HTTP/1.1 ${ex.response.status}\r\n${Object.entries(ex.response.headers)
      .map(([k, v]) => `${k}: ${v}`)
      .join('\r\n')}\r\n\r\n`;
    out.push({ buf: Buffer.from(head + ex.response.bodyText, 'utf8'), tenant: ex.tenant });
  }
  return out;
}

function scanBenchmarks(exchanges: Exchange[], targetMB: number): Record<string, unknown> {
  const N = 10_000;
  // Synthetic: 12 KB list responses, as bench/scan.ts.
  const registry = new FingerprintRegistry();
  const owned = fillRegistry(registry, N);
  const corpus = syntheticCorpus(owned);
  const scanner = newScanner(registry);
  let t0 = process.hrtime.bigint();
  scanner.refresh();
  const buildMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const synthetic = measureScan(scanner, corpus, targetMB);
  const floor = oneLoadPerByteMbPerSecond(corpus, targetMB);

  // Real: the responses of the profiled run, with the run's own fingerprints (canaries, emails) registered
  // under their tenants and synthetic ones up to 10,000.
  const real = new FingerprintRegistry();
  let registered = 0;
  for (const ex of exchanges) {
    const texts = [ex.request.bodyText ?? '', ex.response?.bodyText ?? ''];
    for (const text of texts) {
      for (const m of text.matchAll(CANARY_PATTERN))
        if (real.size < N) registered += safeRegister(real, m[0], m[1]!, 'canary');
      for (const m of text.matchAll(LOWER_CANARY_PATTERN))
        if (real.size < N) registered += safeRegister(real, m[0], `T${m[1]!.slice(1)}`, 'canary');
    }
  }
  fillRegistry(real, Math.max(0, N - real.size));
  const realCorpus = responseBytes(exchanges, 2000);
  const realScanner = newScanner(real);
  t0 = process.hrtime.bigint();
  realScanner.refresh();
  const realBuildMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const bytes = realCorpus.reduce((n, r) => n + r.buf.length, 0);
  let foreign = 0;
  for (const r of realCorpus) foreign += realScanner.scanForeign(r.buf, r.tenant).length;
  const rounds = Math.max(1, Math.ceil((targetMB * 1e6) / Math.max(1, bytes)));
  t0 = process.hrtime.bigint();
  for (let k = 0; k < rounds; k++) for (const r of realCorpus) realScanner.scanForeign(r.buf, r.tenant);
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  return {
    fingerprints: N,
    synthetic: { ...synthetic, buildMs: round(buildMs, 1), oneLoadPerByteLoopMbPerSecond: floor },
    realResponses: {
      responses: realCorpus.length,
      meanResponseBytes: Math.round(bytes / Math.max(1, realCorpus.length)),
      runFingerprintsRegistered: registered,
      buildMs: round(realBuildMs, 1),
      scannedMB: round((rounds * bytes) / 1e6, 1),
      mbPerSecond: round((rounds * bytes) / 1e6 / secs, 1),
      usPerResponse: round((secs * 1e6) / (rounds * realCorpus.length), 2),
      foreignMatchesInOnePass: foreign,
    },
  };
}

function safeRegister(registry: FingerprintRegistry, value: string, owner: string, kind: 'canary'): number {
  try {
    return registry.register(value, owner, kind, 'bench.run') ? 1 : 0;
  } catch {
    return 0;
  }
}

function profileFile(dir: string): string | undefined {
  // One profile per thread; the main thread is the one with the harness in it (the largest here,
  // since the loader thread is mostly idle).
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => path.join(dir, f));
  return files.sort((a, b) => statSync(b).size - statSync(a).size)[0];
}

interface ProfileSummary {
  concurrency: number;
  requests: number;
  campaignSeconds: number;
  reqPerSecUnderProfiler: number;
  meanSampleIntervalUs: number;
  busyShare: number | null;
  busyUsPerRequest: number | null;
  buckets: { bucket: string; label: string; usPerRequest: number | null; share: number | null }[];
  topFunctions: { function: string; location: string; bucket: string; selfUs: number; usPerRequest: number | null }[];
  topFiles: { file: string; selfUs: number; usPerRequest: number | null }[];
  topInclusive: { function: string; location: string; inclusiveUs: number; usPerRequest: number | null }[];
  processCpuUsPerRequest: number | null;
  loadavg: number[];
  /**
   * The second half of the campaign window only: the JIT has compiled the hot paths and the mix is
   * the search's steady one (the first seconds are the directed sweep and V8's warm-up).
   */
  secondHalf?: { requests: number; busyUsPerRequest: number | null };
}

/**
 * A harness run under `--cpu-prof` against a fresh CRM (this checkout's CLI, or `bin`), and its
 * CPU per request by bucket inside the campaign window.
 */
async function profiledRun(
  concurrency: number,
  budget: string,
  seed: number,
  dirs: string[],
  bin?: string,
): Promise<{ profile: ProfileSummary; exchanges: Exchange[]; run: HarnessRun }> {
  const crm = await startCrmProcess();
  const profDir = mkdtempSync(path.join(tmpdir(), 'tp-bench-prof-'));
  dirs.push(profDir);
  let profiled;
  try {
    profiled = await harnessRun(crm, concurrency, budget, seed, {
      nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profDir}`],
      ...(bin ? { bin } : {}),
    });
    dirs.push(profiled.dir);
  } finally {
    await crm.close();
  }
  const file = profileFile(profDir);
  if (!file || !profiled.usage) throw new Error('no CPU profile or clock pair from the profiled run');
  const { wallMs, monoUs } = profiled.usage.clockPair;
  const toMono = (iso: string): number => monoUs + (Date.parse(iso) - wallMs) * 1000;
  const window = {
    startUs: toMono(profiled.evidence.method.startedAt),
    endUs: toMono(profiled.evidence.method.endedAt),
  };
  const attribution: Attribution = attributeProfile(file, window);
  const midUs = (window.startUs + window.endUs) / 2;
  const midMs = wallMs + (midUs - monoUs) / 1000;
  const lateRequests = profiled.exchanges.filter((ex) => ex.at >= midMs).length;
  const late = attributeProfile(file, { startUs: midUs, endUs: window.endUs });
  const n = profiled.run.requests;
  const profile: ProfileSummary = {
    concurrency,
    requests: n,
    campaignSeconds: profiled.run.campaignSeconds,
    reqPerSecUnderProfiler: profiled.run.reqPerSec,
    meanSampleIntervalUs: attribution.meanSampleIntervalUs,
    busyShare: round(attribution.busyUs / Math.max(1, attribution.busyUs + attribution.idleUs), 3),
    busyUsPerRequest: round(attribution.busyUs / n, 1),
    buckets: BUCKETS.map((b) => ({
      bucket: b,
      label: BUCKET_LABELS[b],
      usPerRequest: round(attribution.bucketsUs[b] / n, 1),
      share: round(attribution.bucketsUs[b] / Math.max(1, attribution.busyUs), 3),
    })),
    topFunctions: attribution.topFunctions.map((f) => ({ ...f, usPerRequest: round(f.selfUs / n, 2) })),
    topFiles: attribution.topFiles.map((f) => ({ ...f, usPerRequest: round(f.selfUs / n, 2) })),
    topInclusive: attribution.topInclusive.map((f) => ({ ...f, usPerRequest: round(f.inclusiveUs / n, 1) })),
    processCpuUsPerRequest: profiled.run.processCpuUsPerRequest,
    loadavg: profiled.run.loadavg,
    secondHalf: { requests: lateRequests, busyUsPerRequest: round(late.busyUs / Math.max(1, lateRequests), 1) },
  };
  return { profile, exchanges: profiled.exchanges, run: profiled.run };
}

/** The committed earlier run of this benchmark (reports/bench/speed-before.json), if there is one. */
function recordedBefore(): Record<string, any> | undefined {
  // eslint-disable-line @typescript-eslint/no-explicit-any -- a report of this benchmark, read back
  const file = path.join(outputDir(false), 'speed-before.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, any>) : undefined;
}

/** Where a profile came from, for the before/after table's header. */
function profileSource(label: string, env: Record<string, any>, p: Record<string, any>): string {
  // eslint-disable-line @typescript-eslint/no-explicit-any -- report shapes built in this file
  return `${label}: ${String(env['gitCommit'] ?? '?').slice(0, 7)}${env['gitDirty'] ? '+' : ''}, ${String(env['date'] ?? '').slice(0, 10)}, load ${(p['loadavg'] ?? env['loadavg'] ?? []).join(' ')}`;
}

function markdown(report: Record<string, any>): string {
  // eslint-disable-line @typescript-eslint/no-explicit-any -- report shape built below
  const e = report['environment'];
  const recorded = report['recordedBefore'];
  const beforeRun = report['beforeRun'];
  const lines: string[] = ['# Harness throughput and cost', ''];
  lines.push(
    `\`${e.command}\` — ${e.date}, node ${e.node}, ${e.cpus} CPUs, commit ${String(e.gitCommit).slice(0, 12)}${e.gitDirty ? ' (with uncommitted changes)' : ''}, load average at start ${e.loadavg.join(' ')}. The CRM runs in its own process (PGlite, rate limit lifted); the harness and autocannon share the same 2 cores with it.`,
  );
  lines.push('');
  const levelRows = (title: string, rows: Record<string, any>[]): void => {
    for (const l of rows)
      lines.push(
        `| ${title}${l.concurrency} | ${fmt(l.autocannon.before.reqPerSec)} / ${fmt(l.autocannon.after.reqPerSec)} | ${fmt(l.harness.reqPerSec)} | **${fmt(l.ratio, 2)}** | ${fmt(l.harness.inFlight.meanInFlight, 2)} (max ${l.harness.inFlight.maxInFlight}) | ${fmt(l.harness.inFlight.idleShare * 100, 0)} % | ${fmt(l.harness.processCpuUsPerRequest, 0)} | ${fmt(l.autocannon.before.crmCpuUsPerRequest, 0)} / ${fmt(l.harness.crmCpuUsPerRequest, 0)} | ${l.harness.loadavg.join(' ')} |`,
      );
  };
  lines.push(
    '| concurrency | autocannon req/s (before / after the harness run) | harness req/s | harness ÷ target | harness mean in-flight | time with nothing in flight | harness CPU µs/req (process) | CRM CPU µs/req: autocannon / harness | load avg |',
  );
  lines.push('|---|---|---|---|---|---|---|---|---|');
  levelRows('', report['levels']);
  if (beforeRun?.levels?.length)
    levelRows(`before, this session (${String(beforeRun.commit).slice(0, 7)}): `, beforeRun.levels);
  if (recorded?.levels?.length)
    levelRows(`recorded before (${String(recorded.environment?.gitCommit).slice(0, 7)}): `, recorded.levels);
  lines.push('');
  lines.push(
    "Each row on a fresh CRM: autocannon replays the mix before and after the harness run; harness ÷ target divides the harness's req/s by their mean.",
  );
  lines.push('');
  const p = report['profile'];
  // Columns: the recorded before (speed-before.json), the before profiled in this session, this run.
  const columns: { label: string; p: Record<string, any> }[] = [];
  if (recorded?.profile)
    columns.push({
      label: profileSource(
        `recorded before${recorded.committedIn ? ` (speed-before.json, the report of ${recorded.committedIn})` : ''}`,
        recorded.environment,
        recorded.profile,
      ),
      p: recorded.profile,
    });
  if (beforeRun)
    columns.push({
      label: profileSource('before, this session', { gitCommit: beforeRun.commit, date: e.date }, beforeRun.profile),
      p: beforeRun.profile,
    });
  columns.push({ label: profileSource('after', e, p), p });
  lines.push(
    `## Where the harness's CPU goes (profiled run${columns.length > 1 ? 's' : ''}, concurrency ${p.concurrency})`,
  );
  lines.push('');
  lines.push(
    "CPU of the harness process's main thread per request, inside the campaign window (provisioning and checkpoints included, start-up and report writing not), from a V8 CPU profile; builtins and Node internals are charged to the bucket of their caller. The sampling profiler counts time on the stack, so on a loaded machine figures grow with the load: compare columns taken minutes apart (“this session”) before the recorded one.",
  );
  lines.push('');
  lines.push(`| | ${columns.map((c) => c.label).join(' | ')} |`);
  lines.push(`|---|${columns.map(() => '---|').join('')}`);
  const row = (name: string, f: (x: Record<string, any>) => string): void => {
    lines.push(`| ${name} | ${columns.map((c) => f(c.p)).join(' | ')} |`);
  };
  row(
    'requests profiled',
    (x) => `${x.requests} in ${fmt(x.campaignSeconds)} s (${fmt(x.reqPerSecUnderProfiler)} req/s)`,
  );
  row('main thread busy', (x) => `${fmt((x.busyShare ?? 0) * 100, 0)} %`);
  row('**harness CPU µs per request**', (x) => `**${fmt(x.busyUsPerRequest, 0)}**`);
  row('harness CPU µs per request in the second half of the window (warm JIT, steady mix)', (x) =>
    x.secondHalf ? `${fmt(x.secondHalf.busyUsPerRequest, 0)} (${x.secondHalf.requests} requests)` : '–',
  );
  for (const b of p.buckets)
    row(b.label, (x) => {
      const v = (x.buckets ?? []).find((y: { bucket: string }) => y.bucket === b.bucket);
      return v ? `${fmt(v.usPerRequest, 0)} (${fmt(v.share * 100, 0)} %)` : '–';
    });
  row('process CPU µs per request (whole run, start-up and reports included)', (x) => fmt(x.processCpuUsPerRequest, 0));
  row('sample interval', (x) => `${x.meanSampleIntervalUs} µs`);
  lines.push('');
  for (const c of columns.slice().reverse()) {
    if (c.p === recorded?.profile && columns.length > 2) continue; // the session's before is the one to read
    lines.push(`Hottest functions (self time), ${c.label.split(':')[0]}:`);
    lines.push('');
    lines.push('| function | where | bucket | µs per request |');
    lines.push('|---|---|---|---|');
    for (const f of c.p.topFunctions.slice(0, 12))
      lines.push(`| \`${f.function}\` | ${f.location} | ${f.bucket} | ${fmt(f.usPerRequest, 1)} |`);
    lines.push('');
  }
  lines.push(
    'Harness functions by inclusive time, after (synchronous work they did or called; async continuations are not included):',
  );
  lines.push('');
  lines.push('| function | file | µs per request |');
  lines.push('|---|---|---|');
  for (const f of p.topInclusive.slice(0, 15))
    lines.push(`| \`${f.function}\` | ${f.location} | ${fmt(f.usPerRequest, 0)} |`);
  lines.push('');
  const s = report['scan'];
  lines.push(`## Foreign-data scan, ${s.fingerprints} fingerprints`);
  lines.push('');
  lines.push(
    `- Synthetic 12 KB list responses: **${fmt(s.synthetic.mbPerSecond, 0)} MB/s**, ${fmt(s.synthetic.usPerResponse, 1)} µs per response (a one-load-per-byte loop over the same bytes: ${fmt(s.synthetic.oneLoadPerByteLoopMbPerSecond, 0)} MB/s); automaton build ${fmt(s.synthetic.buildMs, 0)} ms.`,
  );
  lines.push(
    `- The profiled run's real responses (${s.realResponses.responses}, mean ${s.realResponses.meanResponseBytes} bytes): ${fmt(s.realResponses.mbPerSecond, 0)} MB/s, ${fmt(s.realResponses.usPerResponse, 1)} µs per response.`,
  );
  lines.push('');
  const c = report['httpClient'];
  lines.push(
    `## HTTP client cost per exchange (sequential GETs of a 0.6 KB JSON answer from a server in another process)`,
  );
  lines.push('');
  lines.push(
    `- The harness's HttpClient (harness/run/http-client.ts as measured; includes its header copy and JSON.parse): **${c.harnessClient.cpuUsPerRequest} µs** client CPU, ${c.harnessClient.wallUsPerRequest} µs wall per request (×${c.harnessOverNodeHttp} bare node:http).`,
  );
  if (c.harnessClientBefore)
    lines.push(
      `- The same client as of ${String(beforeRun?.commit ?? '').slice(0, 12)}, in the same rounds: ${c.harnessClientBefore.cpuUsPerRequest} µs client CPU, ${c.harnessClientBefore.wallUsPerRequest} µs wall.`,
    );
  if (recorded?.httpClient)
    lines.push(
      `- Recorded before (${String(recorded.environment.gitCommit).slice(0, 7)}): the harness's HttpClient ${recorded.httpClient.harnessClient.cpuUsPerRequest} µs client CPU (×${recorded.httpClient.harnessOverNodeHttp} bare node:http, which then took ${recorded.httpClient.nodeHttp.cpuUsPerRequest} µs).`,
    );
  lines.push(
    `- Global fetch as the harness sent before commit 8d876fe (AbortSignal.any + timeout, web-stream body reader): ${c.fetch.cpuUsPerRequest} µs client CPU, ${c.fetch.wallUsPerRequest} µs wall.`,
  );
  lines.push(
    `- Bare node:http with a keep-alive agent: ${c.nodeHttp.cpuUsPerRequest} µs client CPU, ${c.nodeHttp.wallUsPerRequest} µs wall (fetch costs ×${c.cpuRatio}).`,
  );
  lines.push('');
  lines.push('Request mix (share of each template in the profiled run; autocannon replays a systematic sample of it):');
  lines.push('');
  lines.push(
    report['mix']
      .slice(0, 15)
      .map((m: { template: string; share: number }) => `\`${m.template}\` ${fmt(m.share * 100, 1)} %`)
      .join(', ') +
      (report['mix'].length > 15 ? `, and ${report['mix'].length - 15} more` : '') +
      '.',
  );
  lines.push('');
  return lines.join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      concurrency: { type: 'string' },
      seconds: { type: 'string' },
      budget: { type: 'string' },
      'profile-budget': { type: 'string' },
      seed: { type: 'string', default: '1' },
      mb: { type: 'string' },
      'before-commit': { type: 'string' },
    },
  });
  const quick = values.quick!;
  const levels = list(values.concurrency ?? '1,4').map(Number);
  const seconds = Number(values.seconds ?? (quick ? 3 : 10));
  const budget = values.budget ?? (quick ? '6s' : '30s');
  const profileBudget = values['profile-budget'] ?? (quick ? '6s' : '60s');
  const seed = Number(values.seed);
  const env = environment();
  const model = await analyzeSpecFile('specs/crm.openapi.yaml');
  const ops = new Map(model.operations.map((op) => [op.operationId, op]));
  const dirs: string[] = [];
  process.stdout.write(
    `speed: concurrency ${levels.join(', ')}; autocannon ${seconds}s before and after each harness run of ${budget}; ${loadText()}\n`,
  );
  let before: BuiltCommit | undefined;
  if (values['before-commit']) {
    before = buildCommit(values['before-commit']);
    process.stdout.write(
      `before: ${before.commit.slice(0, 12)} compiled in ${fmt(before.buildSeconds, 0)} s for its profile; ${loadText()}\n`,
    );
  }

  try {
    // 1. Mix and profile; with --before-commit, that commit's harness profiled right after, the same way.
    const maxC = Math.max(...levels);
    const profiled = await profiledRun(maxC, profileBudget, seed, dirs);
    const profile = profiled.profile;
    const mix = mixOf(profiled.exchanges, ops);
    process.stdout.write(
      `profile: ${profile.requests} requests at concurrency ${maxC}, ${profile.busyUsPerRequest} µs harness CPU per request in the campaign window, ${profile.secondHalf?.busyUsPerRequest} µs in its second half (${profile.buckets.map((b) => `${b.bucket} ${fmt(b.usPerRequest, 0)}`).join(', ')}); ${loadText()}\n`,
    );
    let beforeRun: { commit: string; buildSeconds: number; profile: ProfileSummary } | undefined;
    if (before) {
      const b = await profiledRun(maxC, profileBudget, seed, dirs, before.bin);
      beforeRun = { commit: before.commit, buildSeconds: round(before.buildSeconds, 1)!, profile: b.profile };
      process.stdout.write(
        `before (${before.commit.slice(0, 12)}): ${b.profile.requests} requests, ${b.profile.busyUsPerRequest} µs harness CPU per request (${b.profile.buckets.map((x) => `${x.bucket} ${fmt(x.usPerRequest, 0)}`).join(', ')}); ${loadText()}\n`,
      );
    }

    // 2. Target limit vs harness, per concurrency (and the before commit's harness, on a CRM of its own).
    const levelRun = async (c: number, bin?: string) => {
      const who = bin ? `before (${before!.commit.slice(0, 12)}) ` : '';
      const crm = await startCrmProcess();
      try {
        const workload = await prepareWorkload({
          url: crm.url,
          adminToken: crm.adminToken,
          exchanges: profiled.exchanges,
          model,
          sample: 600,
          seedCreates: quick ? 60 : 200,
        });
        await loadTest(crm.url, c, Math.min(2, seconds), workload, crm); // warm-up
        const first = await loadTest(crm.url, c, seconds, workload, crm);
        process.stdout.write(
          `${who}c=${c} autocannon before: ${first.reqPerSec} req/s, p50 ${first.latencyP50Ms} ms, 2xx ${first.share2xx} (harness sample ${workload.harness2xxShare}); ${loadText()}\n`,
        );
        const h = await harnessRun(crm, c, budget, seed, bin ? { bin } : {});
        dirs.push(h.dir);
        process.stdout.write(
          `${who}c=${c} harness: ${h.run.reqPerSec} req/s (${h.run.requests} requests in ${h.run.campaignSeconds}s), mean in-flight ${h.run.inFlight.meanInFlight}; ${loadText()}\n`,
        );
        const last = await loadTest(crm.url, c, seconds, workload, crm);
        process.stdout.write(`${who}c=${c} autocannon after: ${last.reqPerSec} req/s; ${loadText()}\n`);
        const target = (first.reqPerSec + last.reqPerSec) / 2;
        return {
          concurrency: c,
          workload: {
            tenants: workload.tenants,
            seeded: workload.seeded,
            sampleSize: workload.sampleSize,
            harness2xxShareOfSample: workload.harness2xxShare,
          },
          autocannon: { before: first, after: last, meanReqPerSec: round(target, 1) },
          harness: h.run,
          ratio: round(h.run.reqPerSec / target, 3),
          crmMaxRssMB: round(crm.maxRssMB(), 0),
        };
      } finally {
        await crm.close();
      }
    };
    const levelResults = [];
    const beforeLevels = [];
    for (const c of levels) {
      levelResults.push(await levelRun(c));
      if (before) beforeLevels.push(await levelRun(c, before.bin));
    }

    // 3. Scan.
    const scan = scanBenchmarks(profiled.exchanges, Number(values.mb ?? (quick ? 20 : 100)));
    process.stdout.write(
      `scan: ${(scan['synthetic'] as { mbPerSecond: number }).mbPerSecond} MB/s synthetic, ${(scan['realResponses'] as { mbPerSecond: number }).mbPerSecond} MB/s real responses, 10,000 fingerprints; ${loadText()}\n`,
    );

    // 4. The client side of one exchange: the harness's fetch-based client against node:http.
    const client = await measureClientOverhead(
      quick ? 500 : 3000,
      2,
      before
        ? {
            beforeClient: {
              path: path.join(before.root, 'harness', 'run', 'http-client.ts'),
              label: `harness/run/http-client.ts at ${before.commit.slice(0, 12)}`,
            },
          }
        : {},
    );
    process.stdout.write(
      `client: harness HttpClient ${client.harnessClient.cpuUsPerRequest} µs CPU per request${client.harnessClientBefore ? ` (${before!.commit.slice(0, 12)}'s: ${client.harnessClientBefore.cpuUsPerRequest} µs)` : ''}, fetch ${client.fetch.cpuUsPerRequest} µs, node:http ${client.nodeHttp.cpuUsPerRequest} µs; ${loadText()}\n`,
    );
    const recorded = recordedBefore();

    const report = {
      benchmark: 'speed',
      environment: env,
      environmentAtEnd: { loadavg: load(), date: new Date().toISOString(), gitCommit: environment().gitCommit },
      settings: { levels, autocannonSeconds: seconds, harnessBudget: budget, profileBudget, seed, quick },
      mix,
      profiledRun: profiled.run,
      profile,
      ...(beforeRun ? { beforeRun: { ...beforeRun, levels: beforeLevels } } : {}),
      ...(recorded
        ? {
            recordedBefore: {
              file: 'reports/bench/speed-before.json',
              committedIn: (recorded['before'] as { committedIn?: string } | undefined)?.committedIn,
              environment: recorded['environment'],
              profile: recorded['profile'],
              levels: recorded['levels'],
              httpClient: recorded['httpClient'],
            },
          }
        : {}),
      levels: levelResults,
      scan,
      httpClient: client,
    };
    const dir = outputDir(quick);
    writeJson(path.join(dir, 'speed.json'), report);
    writeText(path.join(dir, 'speed.md'), markdown(report));
    for (const l of levelResults)
      process.stdout.write(
        `speed: concurrency ${l.concurrency}: harness ${l.harness.reqPerSec} req/s ÷ target ${l.autocannon.meanReqPerSec} req/s = ${l.ratio}\n`,
      );
  } finally {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    before?.remove();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench:speed failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
