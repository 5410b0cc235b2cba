/**
 * `npm run bench:speed [-- --quick] [--concurrency 1,4] [--seconds 10] [--budget 30s]`: how fast the
 * harness drives a target, against what the target itself can take.
 *
 * 1. Mix and profile: the harness runs against the reference CRM in its own process under
 *    `node --cpu-prof`; its transcript gives the request mix (share of each method + path
 *    template) and its profile the harness's own CPU per request by source bucket, inside the
 *    campaign's time window.
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
 * Writes reports/bench/speed.json and speed.md (reports/bench/quick/ with --quick).
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import autocannon, { type AutocannonResult } from 'autocannon';
import { CANARY_PATTERN, LOWER_CANARY_PATTERN } from '../harness/generate/canary.ts';
import { analyzeSpecFile } from '../harness/openapi/analyze.ts';
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
  extra: { nodeArgs?: string[]; keep?: boolean } = {},
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

function markdown(report: Record<string, any>): string {
  // eslint-disable-line @typescript-eslint/no-explicit-any -- report shape built below
  const e = report['environment'];
  const lines: string[] = ['# Harness throughput and cost', ''];
  lines.push(
    `\`${e.command}\` — ${e.date}, node ${e.node}, ${e.cpus} CPUs, commit ${String(e.gitCommit).slice(0, 12)}${e.gitDirty ? ' (with uncommitted changes)' : ''}, load average at start ${e.loadavg.join(' ')}. The CRM runs in its own process (PGlite, rate limit lifted); the harness and autocannon share the same 2 cores with it.`,
  );
  lines.push('');
  lines.push(
    '| concurrency | autocannon req/s (before / after) | harness req/s | harness ÷ target | harness mean in-flight | time with nothing in flight | harness CPU µs/req (process) | CRM CPU µs/req: autocannon / harness | load avg |',
  );
  lines.push('|---|---|---|---|---|---|---|---|---|');
  for (const l of report['levels']) {
    lines.push(
      `| ${l.concurrency} | ${fmt(l.autocannon.before.reqPerSec)} / ${fmt(l.autocannon.after.reqPerSec)} | ${fmt(l.harness.reqPerSec)} | **${fmt(l.ratio, 2)}** | ${fmt(l.harness.inFlight.meanInFlight, 2)} (max ${l.harness.inFlight.maxInFlight}) | ${fmt(l.harness.inFlight.idleShare * 100, 0)} % | ${fmt(l.harness.processCpuUsPerRequest, 0)} | ${fmt(l.autocannon.before.crmCpuUsPerRequest, 0)} / ${fmt(l.harness.crmCpuUsPerRequest, 0)} | ${l.harness.loadavg.join(' ')} |`,
    );
  }
  lines.push('');
  const p = report['profile'];
  lines.push(
    `## Where the harness's CPU goes (profiled run, concurrency ${p.concurrency}, ${p.requests} requests, ${fmt(p.campaignSeconds)} s; sample interval ≈ ${p.meanSampleIntervalUs} µs)`,
  );
  lines.push('');
  lines.push(
    `Inside the campaign window the harness's main thread was busy ${fmt(p.busyShare * 100, 0)} % of the time: ${fmt(p.busyUsPerRequest, 0)} µs of CPU per request.`,
  );
  lines.push('');
  lines.push('| bucket | µs per request | share |');
  lines.push('|---|---|---|');
  for (const b of p.buckets) lines.push(`| ${b.label} | ${fmt(b.usPerRequest, 0)} | ${fmt(b.share * 100, 1)} % |`);
  lines.push('');
  lines.push('Hottest functions (self time):');
  lines.push('');
  lines.push('| function | where | bucket | µs per request |');
  lines.push('|---|---|---|---|');
  for (const f of p.topFunctions.slice(0, 12))
    lines.push(`| \`${f.function}\` | ${f.location} | ${f.bucket} | ${fmt(f.usPerRequest, 1)} |`);
  lines.push('');
  lines.push(
    'Harness functions by inclusive time (synchronous work they did or called; async continuations are not included):',
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
    },
  });
  const quick = values.quick!;
  const levels = list(values.concurrency ?? '1,4').map(Number);
  const seconds = Number(values.seconds ?? (quick ? 3 : 10));
  const budget = values.budget ?? (quick ? '6s' : '30s');
  const profileBudget = values['profile-budget'] ?? (quick ? '6s' : '20s');
  const seed = Number(values.seed);
  const env = environment();
  const model = await analyzeSpecFile('specs/crm.openapi.yaml');
  const ops = new Map(model.operations.map((op) => [op.operationId, op]));
  const dirs: string[] = [];
  process.stdout.write(
    `speed: concurrency ${levels.join(', ')}; autocannon ${seconds}s before and after each harness run of ${budget}; ${loadText()}\n`,
  );

  try {
    // 1. Mix and profile.
    const maxC = Math.max(...levels);
    const scratch = await startCrmProcess();
    let profiled;
    const profDir = mkdtempSync(path.join(tmpdir(), 'tp-bench-prof-'));
    dirs.push(profDir);
    try {
      profiled = await harnessRun(scratch, maxC, profileBudget, seed, {
        nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profDir}`],
      });
      dirs.push(profiled.dir);
    } finally {
      await scratch.close();
    }
    const mix = mixOf(profiled.exchanges, ops);
    const file = profileFile(profDir);
    if (!file || !profiled.usage) throw new Error('no CPU profile or clock pair from the profiled run');
    const { wallMs, monoUs } = profiled.usage.clockPair;
    const toMono = (iso: string): number => monoUs + (Date.parse(iso) - wallMs) * 1000;
    const attribution: Attribution = attributeProfile(file, {
      startUs: toMono(profiled.evidence.method.startedAt),
      endUs: toMono(profiled.evidence.method.endedAt),
    });
    const n = profiled.run.requests;
    const profile = {
      concurrency: maxC,
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
    };
    process.stdout.write(
      `profile: ${n} requests at concurrency ${maxC}, ${profile.busyUsPerRequest} µs harness CPU per request in the campaign window (${BUCKETS.map((b) => `${b} ${fmt(attribution.bucketsUs[b] / n, 0)}`).join(', ')}); ${loadText()}\n`,
    );

    // 2. Target limit vs harness, per concurrency.
    const levelResults = [];
    for (const c of levels) {
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
        const before = await loadTest(crm.url, c, seconds, workload, crm);
        process.stdout.write(
          `c=${c} autocannon before: ${before.reqPerSec} req/s, p50 ${before.latencyP50Ms} ms, 2xx ${before.share2xx} (harness sample ${workload.harness2xxShare}); ${loadText()}\n`,
        );
        const h = await harnessRun(crm, c, budget, seed);
        dirs.push(h.dir);
        process.stdout.write(
          `c=${c} harness: ${h.run.reqPerSec} req/s (${h.run.requests} requests in ${h.run.campaignSeconds}s), mean in-flight ${h.run.inFlight.meanInFlight}; ${loadText()}\n`,
        );
        const after = await loadTest(crm.url, c, seconds, workload, crm);
        process.stdout.write(`c=${c} autocannon after: ${after.reqPerSec} req/s; ${loadText()}\n`);
        const target = (before.reqPerSec + after.reqPerSec) / 2;
        levelResults.push({
          concurrency: c,
          workload: {
            tenants: workload.tenants,
            seeded: workload.seeded,
            sampleSize: workload.sampleSize,
            harness2xxShareOfSample: workload.harness2xxShare,
          },
          autocannon: { before, after, meanReqPerSec: round(target, 1) },
          harness: h.run,
          ratio: round(h.run.reqPerSec / target, 3),
          crmMaxRssMB: round(crm.maxRssMB(), 0),
        });
      } finally {
        await crm.close();
      }
    }

    // 3. Scan.
    const scan = scanBenchmarks(profiled.exchanges, Number(values.mb ?? (quick ? 20 : 100)));
    process.stdout.write(
      `scan: ${(scan['synthetic'] as { mbPerSecond: number }).mbPerSecond} MB/s synthetic, ${(scan['realResponses'] as { mbPerSecond: number }).mbPerSecond} MB/s real responses, 10,000 fingerprints; ${loadText()}\n`,
    );

    // 4. The client side of one exchange: the harness's fetch-based client against node:http.
    const client = await measureClientOverhead(quick ? 500 : 3000);
    process.stdout.write(
      `client: harness HttpClient ${client.harnessClient.cpuUsPerRequest} µs CPU per request, fetch ${client.fetch.cpuUsPerRequest} µs, node:http ${client.nodeHttp.cpuUsPerRequest} µs; ${loadText()}\n`,
    );

    const report = {
      benchmark: 'speed',
      environment: env,
      environmentAtEnd: { loadavg: load(), date: new Date().toISOString(), gitCommit: environment().gitCommit },
      settings: { levels, autocannonSeconds: seconds, harnessBudget: budget, profileBudget, seed, quick },
      mix,
      profiledRun: profiled.run,
      profile,
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
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench:speed failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
