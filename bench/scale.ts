/**
 * `npm run bench:scale [-- --quick] [--tenants 2,8,32,128] [--runs 4] [--fingerprints 3,4,5,6]
 *   [--campaign-minutes 10 --campaign-tenants 32 --campaign-pool 8 --campaign-pool-lifetime 10m]
 *   [--campaign-only]`: how the harness's cost grows.
 *
 * - With tenants: the harness runs `--tenants N --runs R` against a fresh reference CRM process
 *   per N (so the harness's CPU and memory are its own: with the embedded target the CRM would
 *   share its process), under `--cpu-prof`. Per N: requests, harness CPU per request inside the
 *   campaign window (from the profile), whole-process CPU and peak RSS (rusage), and the CRM's
 *   CPU per request and peak RSS (from /proc).
 * - With registered fingerprints (10^k): FingerprintScanner over FingerprintRegistry, each size in
 *   its own child process (`--expose-gc`, so memory deltas are clean and a size that does not fit
 *   fails alone): registration time, memory (heap and RSS deltas, after GC), automaton build time,
 *   per-response scan cost and MB/s on 12 KB list and single-record (~0.7 KB) responses, and the campaign's
 *   incremental pattern (3 registrations, then a scan).
 * - Over time: one long campaign (`--tenants 32 --budget 10m`, a quarter of the tenants from the
 *   long-lived pool, serving the whole campaign) against a CRM process, sampled every 15 s through
 *   the harness's stats lines (TENANTPROOF_STATS_EVERY, harness/run/stats-line.ts): RSS, harness CPU
 *   per request in each interval, requests per second, the fingerprints in the run's registry and
 *   those the pool carries, the pool tenants' records, and the load average. `--campaign-only` runs
 *   just this and keeps the other sections of an existing scale.json; `--campaign-minutes 0` skips it.
 *
 * Writes reports/bench/scale.json, scale.md and scale.svg (reports/bench/quick/ with --quick).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { STATS_ENV, STATS_PREFIX, type StatsSample } from '../harness/run/stats-line.ts';
import { attributeProfile, BUCKETS } from './support/cpu-profile.ts';
import { startCrmProcess } from './support/crm-process.ts';
import {
  environment,
  fmt,
  latestRunDir,
  list,
  load,
  loadText,
  outputDir,
  readEvidence,
  REPO_ROOT,
  round,
  runCli,
  tail,
  writeJson,
  writeText,
} from './support/common.ts';
import {
  fillRegistry,
  FingerprintRegistry,
  measureIncremental,
  measureScan,
  newScanner,
  syntheticCorpus,
  type OwnedValues,
} from './support/fingerprint-bench.ts';

// ---------------------------------------------------------------------------------------------
// Fingerprint child: one registry size, measured in a process of its own.

function mem(): { heapMB: number; rssMB: number; externalMB: number } {
  (globalThis as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  return { heapMB: m.heapUsed / 1e6, rssMB: m.rss / 1e6, externalMB: (m.external + m.arrayBuffers) / 1e6 };
}

function recordResponses(me: OwnedValues, n: number): Buffer[] {
  return Array.from({ length: n }, (_, i) => {
    const body = JSON.stringify({
      id: me.ids[i % me.ids.length],
      name: `Whitfield Plumbing ${me.canaries[i % me.canaries.length]}`,
      email: me.emails[i % me.emails.length],
      phone: '+1 555 010 2233',
      address: { line1: '12 Elm Street', city: 'Springfield', region: 'IL', postalCode: '62704', country: 'US' },
      tags: ['residential', 'priority'],
      notes:
        'Annual boiler service due in March; the customer prefers morning visits and asks for a call ahead. Gate code on file.',
      balance: { amountCents: 123456 + i, currency: 'USD' },
      createdAt: '2026-01-05T09:30:00.000Z',
      updatedAt: '2026-01-06T10:00:00.000Z',
    });
    return Buffer.from(
      `HTTP/1.1 200\r\ncontent-type: application/json; charset=utf-8\r\nx-request-id: req_${i}\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  });
}

function fingerprintChild(n: number, iterations: number, scanMB: number): void {
  const m0 = mem();
  const registry = new FingerprintRegistry();
  let t = process.hrtime.bigint();
  const owned = fillRegistry(registry, n);
  const registerSeconds = Number(process.hrtime.bigint() - t) / 1e9;
  const m1 = mem();
  const scanner = newScanner(registry);
  t = process.hrtime.bigint();
  scanner.refresh();
  const buildSeconds = Number(process.hrtime.bigint() - t) / 1e9;
  const m2 = mem();
  const lists = syntheticCorpus(owned);
  const records = recordResponses(owned.get('T1')!, 256);
  const list12k = measureScan(scanner, lists, scanMB);
  const record1k = measureScan(scanner, records, scanMB / 4);
  const incremental = measureIncremental(registry, scanner, records, iterations, 3, record1k.usPerResponse);
  const m3 = mem();
  process.stdout.write(
    JSON.stringify({
      fingerprints: n,
      registerSeconds: round(registerSeconds, 3),
      usPerRegistration: round((registerSeconds * 1e6) / n, 2),
      registryHeapMB: round(m1.heapMB - m0.heapMB, 1),
      registryRssMB: round(m1.rssMB - m0.rssMB, 1),
      buildSeconds: round(buildSeconds, 3),
      automatonHeapMB: round(m2.heapMB - m1.heapMB, 1),
      automatonExternalMB: round(m2.externalMB - m1.externalMB, 1),
      automatonRssMB: round(m2.rssMB - m1.rssMB, 1),
      totalRssMB: round(m2.rssMB, 1),
      bytesPerFingerprint: round(((m2.rssMB - m0.rssMB) * 1e6) / n, 0),
      list12k,
      record1k,
      incremental,
      rssAtEndMB: round(m3.rssMB, 1),
      rebuildsTotal: scanner.rebuilds,
    }) + '\n',
  );
}

interface FingerprintResult {
  fingerprints: number;
  ok: boolean;
  exitCode: number | null;
  seconds: number;
  error?: string;
  result?: Record<string, unknown>;
  loadavg: number[];
}

function runFingerprintChild(
  n: number,
  iterations: number,
  scanMB: number,
  timeoutMs: number,
): Promise<FingerprintResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [
        '--expose-gc',
        '--import',
        'tsx',
        path.join(REPO_ROOT, 'bench', 'scale.ts'),
        '--fingerprint-child',
        String(n),
        '--iterations',
        String(iterations),
        '--mb',
        String(scanMB),
      ],
      { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const seconds = round((performance.now() - started) / 1000, 1)!;
      const line = out.trim().split('\n').at(-1);
      if (code === 0 && line?.startsWith('{'))
        resolve({
          fingerprints: n,
          ok: true,
          exitCode: code,
          seconds,
          result: JSON.parse(line) as Record<string, unknown>,
          loadavg: load(),
        });
      else
        resolve({
          fingerprints: n,
          ok: false,
          exitCode: code,
          seconds,
          error:
            signal === 'SIGKILL'
              ? `killed after ${timeoutMs / 1000} s (time limit)`
              : `exit ${code}${signal ? ` (${signal})` : ''}: ${err.trim().split('\n').slice(-4).join(' | ')}`,
          loadavg: load(),
        });
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Tenants: harness runs against a CRM process.

interface TenantResult {
  tenants: number;
  exitCode: number | null;
  requests: number;
  runs: number | null;
  campaignSeconds: number;
  reqPerSec: number;
  /** Harness main-thread CPU inside the campaign window, per request (CPU profile). */
  campaignCpuUsPerRequest: number | null;
  bucketsUsPerRequest: Record<string, number | null> | null;
  /** Whole harness process (start-up, evidence and report included). */
  processCpuSeconds: number | null;
  processCpuUsPerRequest: number | null;
  maxRssMB: number | null;
  crmCpuUsPerRequest: number | null;
  crmMaxRssMB: number | null;
  wallSeconds: number;
  loadavg: number[];
  error?: string;
}

async function tenantCase(tenants: number, runs: number, seed: number): Promise<TenantResult> {
  const crm = await startCrmProcess();
  const dir = mkdtempSync(path.join(tmpdir(), `tp-bench-scale-t${tenants}-`));
  try {
    const crm0 = crm.cpuSeconds();
    const cli = await runCli(
      [
        'run',
        '--target',
        crm.url,
        '--admin-token',
        crm.adminToken,
        '--tenants',
        String(tenants),
        '--runs',
        String(runs),
        '--budget',
        '60m',
        '--seed',
        String(seed),
        '--replays',
        '1',
        '--out',
        dir,
      ],
      {
        usageFile: path.join(dir, 'rusage.json'),
        nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`],
      },
    );
    const crm1 = crm.cpuSeconds();
    const runDir = latestRunDir(dir);
    const evidence = readEvidence(runDir);
    if (!evidence || !cli.usage) throw new Error(`no evidence (exit ${cli.code}):\n${tail(cli)}`);
    const requests = evidence.method.requestCount;
    const start = Date.parse(evidence.method.startedAt);
    const end = Date.parse(evidence.method.endedAt);
    const profile = readdirSync(dir)
      .filter((f) => f.endsWith('.cpuprofile'))
      .map((f) => path.join(dir, f))
      .sort((a, b) => statSync(b).size - statSync(a).size)[0];
    let campaignCpuUsPerRequest: number | null = null;
    let bucketsUsPerRequest: Record<string, number | null> | null = null;
    if (profile) {
      const { wallMs, monoUs } = cli.usage.clockPair;
      const a = attributeProfile(profile, {
        startUs: monoUs + (start - wallMs) * 1000,
        endUs: monoUs + (end - wallMs) * 1000,
      });
      campaignCpuUsPerRequest = round(a.busyUs / Math.max(1, requests), 0);
      bucketsUsPerRequest = Object.fromEntries(
        BUCKETS.map((b) => [b, round(a.bucketsUs[b] / Math.max(1, requests), 0)]),
      );
    }
    const runsMatch = /(\d+) runs, (\d+) requests/.exec(cli.stdout);
    const cpu = (cli.usage.userCpuMs + cli.usage.systemCpuMs) / 1000;
    return {
      tenants,
      exitCode: cli.code,
      requests,
      runs: runsMatch ? Number(runsMatch[1]) : null,
      campaignSeconds: round((end - start) / 1000, 2)!,
      reqPerSec: round(requests / ((end - start) / 1000), 1)!,
      campaignCpuUsPerRequest,
      bucketsUsPerRequest,
      processCpuSeconds: round(cpu, 2),
      processCpuUsPerRequest: round((cpu * 1e6) / Math.max(1, requests), 0),
      maxRssMB: round(cli.usage.maxRssMB, 0),
      crmCpuUsPerRequest:
        crm0 !== null && crm1 !== null ? round(((crm1 - crm0) * 1e6) / Math.max(1, requests), 0) : null,
      crmMaxRssMB: round(crm.maxRssMB(), 0),
      wallSeconds: round(cli.wallMs / 1000, 1)!,
      loadavg: load(),
    };
  } finally {
    await crm.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Over time: one long campaign, sampled through the harness's stats lines.

interface CampaignSample {
  minutes: number;
  rssMB: number;
  heapMB: number;
  /** Harness process CPU (all of it: campaign, transcript, checkpoint seals) per request in the interval before. */
  cpuUsPerRequest: number | null;
  requestsPerSecond: number | null;
  requests: number;
  runs: number;
  /** Fingerprints in the registries of the runs in progress (pool tenants' included). */
  fingerprints: number;
  /** Fingerprints the pool tenants carry from run to run. */
  poolFingerprints: number;
  /** The most live records of one resource a pool tenant holds. */
  poolRecords: number;
  load1: number;
}

interface CampaignCase {
  minutes: number;
  tenants: number;
  poolTenants: number;
  poolLifetime: string;
  sampleSeconds: number;
  exitCode: number | null;
  verdict: string | null;
  findings: number;
  requests: number;
  runs: number | null;
  samples: CampaignSample[];
  /** Harness CPU per request over the search (first to last sample of the search phase). */
  searchCpuUsPerRequest: number | null;
  maxRssMB: number | null;
  processCpuUsPerRequest: number | null;
  crmCpuUsPerRequest: number | null;
  crmMaxRssMB: number | null;
  wallSeconds: number;
  loadavgStart: number[];
  loadavgEnd: number[];
  error?: string;
}

function statsSamples(stderr: string): StatsSample[] {
  return stderr
    .split('\n')
    .filter((l) => l.startsWith(STATS_PREFIX))
    .map((l) => JSON.parse(l.slice(STATS_PREFIX.length)) as StatsSample);
}

function toSamples(raw: StatsSample[]): CampaignSample[] {
  return raw.map((s, i) => {
    const prev = raw[i - 1];
    const dReq = prev ? s.requests - prev.requests : 0;
    const dMs = prev ? s.elapsedMs - prev.elapsedMs : 0;
    return {
      minutes: round(s.elapsedMs / 60_000, 2)!,
      rssMB: s.rssMB,
      heapMB: s.heapMB,
      cpuUsPerRequest: prev && dReq > 0 ? round(((s.cpuMs - prev.cpuMs) * 1000) / dReq, 0) : null,
      requestsPerSecond: prev && dMs > 0 ? round((dReq * 1000) / dMs, 1) : null,
      requests: s.requests,
      runs: s.runs,
      fingerprints: s.fingerprints,
      poolFingerprints: s.poolFingerprints,
      poolRecords: s.poolRecords,
      load1: s.load1,
    };
  });
}

async function campaignCase(o: {
  minutes: number;
  tenants: number;
  pool: number;
  poolLifetime: string;
  sampleSeconds: number;
  seed: number;
}): Promise<CampaignCase> {
  const crm = await startCrmProcess();
  const dir = mkdtempSync(path.join(tmpdir(), `tp-bench-scale-campaign-t${o.tenants}-`));
  const loadavgStart = load();
  try {
    const crm0 = crm.cpuSeconds();
    const cli = await runCli(
      [
        'run',
        '--target',
        crm.url,
        '--admin-token',
        crm.adminToken,
        '--tenants',
        String(o.tenants),
        '--pool-tenants',
        String(o.pool),
        '--pool-lifetime',
        o.poolLifetime,
        '--budget',
        `${Math.round(o.minutes * 60)}s`,
        '--shrink-budget',
        '10s',
        '--replays',
        '1',
        '--replay-settle',
        '0',
        '--seed',
        String(o.seed),
        '--out',
        dir,
      ],
      {
        usageFile: path.join(dir, 'rusage.json'),
        env: { [STATS_ENV]: String(o.sampleSeconds * 1000) },
        killAfterMs: (o.minutes + 15) * 60_000,
      },
    );
    const crm1 = crm.cpuSeconds();
    const evidence = readEvidence(latestRunDir(dir));
    const raw = statsSamples(cli.stderr);
    if (!evidence || !cli.usage || raw.length === 0)
      throw new Error(`no evidence or no stats lines (exit ${cli.code}):\n${tail(cli)}`);
    const samples = toSamples(raw);
    const search = raw.filter((s) => s.phase === 'search' || s.phase === undefined);
    const [a, b] = [search[0], search.at(-1)];
    const requests = evidence.method.requestCount;
    const cpu = (cli.usage.userCpuMs + cli.usage.systemCpuMs) / 1000;
    const runsMatch = /(\d+) runs, (\d+) requests/.exec(cli.stdout);
    return {
      minutes: o.minutes,
      tenants: o.tenants,
      poolTenants: o.pool,
      poolLifetime: o.poolLifetime,
      sampleSeconds: o.sampleSeconds,
      exitCode: cli.code,
      verdict: evidence.verdict,
      findings: evidence.findings.length,
      requests,
      runs: runsMatch ? Number(runsMatch[1]) : null,
      samples,
      searchCpuUsPerRequest:
        a && b && b.requests > a.requests ? round(((b.cpuMs - a.cpuMs) * 1000) / (b.requests - a.requests), 0) : null,
      maxRssMB: round(cli.usage.maxRssMB, 0),
      processCpuUsPerRequest: round((cpu * 1e6) / Math.max(1, requests), 0),
      crmCpuUsPerRequest:
        crm0 !== null && crm1 !== null ? round(((crm1 - crm0) * 1e6) / Math.max(1, requests), 0) : null,
      crmMaxRssMB: round(crm.maxRssMB(), 0),
      wallSeconds: round(cli.wallMs / 1000, 1)!,
      loadavgStart,
      loadavgEnd: load(),
    };
  } finally {
    await crm.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// The plot: two panels, log-x, each with a cost line (left axis) and a memory line (right axis).

interface Series {
  label: string;
  color: string;
  points: { x: number; y: number }[];
  axis: 'left' | 'right';
}

function niceMax(v: number): number {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function panel(o: {
  x0: number;
  y0: number;
  w: number;
  h: number;
  title: string;
  xLabel: string;
  xTicks: number[];
  xTickLabel: (x: number) => string;
  leftLabel: string;
  rightLabel: string;
  series: Series[];
  leftLog?: boolean;
  /** A linear x axis (time) instead of the log one. */
  linearX?: boolean;
}): string {
  const out: string[] = [];
  const scale = o.linearX ? (x: number): number => x : Math.log10;
  const [lx, hx] = [scale(Math.min(...o.xTicks)), scale(Math.max(...o.xTicks))];
  const X = (x: number): number => o.x0 + ((scale(x) - lx) / (hx - lx || 1)) * o.w;
  const maxOf = (axis: 'left' | 'right'): number =>
    niceMax(
      Math.max(
        0,
        ...o.series
          .filter((s) => s.axis === axis)
          .flatMap((s) => s.points.map((p) => p.y))
          .filter(Number.isFinite),
      ),
    );
  const maxL = maxOf('left');
  const maxR = maxOf('right');
  // A log left axis spans whole decades from the smallest to the largest value.
  const leftValues = o.series
    .filter((s) => s.axis === 'left')
    .flatMap((s) => s.points.map((p) => p.y))
    .filter((y) => Number.isFinite(y) && y > 0);
  const loDec = Math.floor(Math.log10(Math.min(...leftValues, 1)));
  const hiDec = Math.max(loDec + 1, Math.ceil(Math.log10(Math.max(...leftValues, 10))));
  const Y = (y: number, axis: 'left' | 'right'): number =>
    axis === 'left' && o.leftLog
      ? o.y0 + o.h - ((Math.log10(Math.max(y, 10 ** loDec)) - loDec) / (hiDec - loDec)) * o.h
      : o.y0 + o.h - (y / (axis === 'left' ? maxL : maxR)) * o.h;
  out.push(
    `<text x="${o.x0 + o.w / 2}" y="${o.y0 - 22}" text-anchor="middle" font-size="14" font-weight="bold">${esc(o.title)}</text>`,
  );
  out.push(`<rect x="${o.x0}" y="${o.y0}" width="${o.w}" height="${o.h}" fill="none" stroke="#444"/>`);
  for (let i = 0; i <= 5; i++) {
    const y = o.y0 + o.h - (i / 5) * o.h;
    out.push(`<line x1="${o.x0}" x2="${o.x0 + o.w}" y1="${y}" y2="${y}" stroke="#ddd"/>`);
    if (!o.leftLog)
      out.push(
        `<text x="${o.x0 - 6}" y="${y + 4}" text-anchor="end" font-size="11">${fmt((maxL * i) / 5, maxL < 10 ? 1 : 0)}</text>`,
      );
    out.push(
      `<text x="${o.x0 + o.w + 6}" y="${y + 4}" text-anchor="start" font-size="11">${fmt((maxR * i) / 5, maxR < 10 ? 1 : 0)}</text>`,
    );
  }
  if (o.leftLog) {
    for (let d = loDec; d <= hiDec; d++) {
      const y = Y(10 ** d, 'left');
      out.push(`<line x1="${o.x0 - 4}" x2="${o.x0}" y1="${y}" y2="${y}" stroke="#444"/>`);
      out.push(
        `<text x="${o.x0 - 6}" y="${y + 4}" text-anchor="end" font-size="11">${fmt(10 ** d, d < 0 ? -d : 0)}</text>`,
      );
    }
  }
  for (const t of o.xTicks) {
    out.push(`<line x1="${X(t)}" x2="${X(t)}" y1="${o.y0}" y2="${o.y0 + o.h}" stroke="#eee"/>`);
    out.push(
      `<text x="${X(t)}" y="${o.y0 + o.h + 16}" text-anchor="middle" font-size="11">${esc(o.xTickLabel(t))}</text>`,
    );
  }
  out.push(
    `<text x="${o.x0 + o.w / 2}" y="${o.y0 + o.h + 36}" text-anchor="middle" font-size="12">${esc(o.xLabel)}</text>`,
  );
  out.push(
    `<text transform="translate(${o.x0 - 48},${o.y0 + o.h / 2}) rotate(-90)" text-anchor="middle" font-size="12">${esc(o.leftLabel)}</text>`,
  );
  out.push(
    `<text transform="translate(${o.x0 + o.w + 52},${o.y0 + o.h / 2}) rotate(90)" text-anchor="middle" font-size="12">${esc(o.rightLabel)}</text>`,
  );
  o.series.forEach((s, k) => {
    const pts = s.points.filter((p) => Number.isFinite(p.y));
    if (pts.length > 0) {
      out.push(
        `<polyline fill="none" stroke="${s.color}" stroke-width="2"${s.axis === 'right' ? ' stroke-dasharray="6 4"' : ''} points="${pts.map((p) => `${X(p.x).toFixed(1)},${Y(p.y, s.axis).toFixed(1)}`).join(' ')}"/>`,
      );
      for (const p of pts)
        out.push(
          `<circle cx="${X(p.x).toFixed(1)}" cy="${Y(p.y, s.axis).toFixed(1)}" r="3.5" fill="${s.color}"><title>${esc(`${s.label}: ${fmt(p.y, 1)} at ${o.xTickLabel(p.x)}`)}</title></circle>`,
        );
    }
    const ly = o.y0 + 14 + k * 16;
    out.push(
      `<line x1="${o.x0 + 10}" x2="${o.x0 + 34}" y1="${ly - 4}" y2="${ly - 4}" stroke="${s.color}" stroke-width="2"${s.axis === 'right' ? ' stroke-dasharray="6 4"' : ''}/>`,
    );
    out.push(`<text x="${o.x0 + 40}" y="${ly}" font-size="11">${esc(`${s.label} (${s.axis} axis)`)}</text>`);
  });
  return out.join('\n');
}

/** Two panels of the long campaign against minutes: cost and memory; fingerprints and pool records. */
function campaignPanels(c: CampaignCase, y0: number): string {
  const last = Math.max(1, Math.ceil(Math.max(...c.samples.map((s) => s.minutes))));
  const step = last <= 2 ? 0.5 : last <= 12 ? 1 : Math.ceil(last / 10);
  const xTicks = Array.from({ length: Math.floor(last / step) + 1 }, (_, i) => i * step);
  const at = (f: (s: CampaignSample) => number | null): { x: number; y: number }[] =>
    c.samples.map((s) => ({ x: s.minutes, y: f(s) ?? NaN }));
  const what = `${c.tenants} tenants (${c.poolTenants} from the pool, lifetime ${c.poolLifetime}), ${c.minutes} min`;
  return [
    panel({
      x0: 90,
      y0,
      w: 380,
      h: 300,
      title: `Campaign over time: ${what}`,
      xLabel: 'minutes since the campaign started',
      xTicks,
      xTickLabel: (x) => fmt(x, 1),
      leftLabel: `harness CPU per request (µs, per ${c.sampleSeconds} s)`,
      rightLabel: 'harness RSS (MB)',
      linearX: true,
      series: [
        { label: 'CPU µs/request', color: '#1f77b4', axis: 'left', points: at((s) => s.cpuUsPerRequest) },
        { label: 'RSS MB', color: '#d62728', axis: 'right', points: at((s) => s.rssMB) },
      ],
    }),
    panel({
      x0: 640,
      y0,
      w: 380,
      h: 300,
      title: 'Fingerprint registry over time',
      xLabel: 'minutes since the campaign started',
      xTicks,
      xTickLabel: (x) => fmt(x, 1),
      leftLabel: 'fingerprints',
      rightLabel: 'records of one resource (pool tenant)',
      linearX: true,
      series: [
        { label: 'in the run registry', color: '#1f77b4', axis: 'left', points: at((s) => s.fingerprints) },
        { label: 'carried by the pool', color: '#9467bd', axis: 'left', points: at((s) => s.poolFingerprints) },
        { label: 'most records of a resource', color: '#2ca02c', axis: 'right', points: at((s) => s.poolRecords) },
      ],
    }),
  ].join('\n');
}

function svg(
  tenants: TenantResult[],
  fingerprints: FingerprintResult[],
  campaign: CampaignCase | undefined,
  caption: string,
): string {
  const W = 1100;
  const withCampaign = campaign !== undefined && campaign.samples.length > 1;
  const top = tenants.length > 0 || fingerprints.some((f) => f.ok);
  const H = withCampaign && top ? 900 : 470;
  const fpOk = fingerprints.filter((f) => f.ok && f.result);
  const g = (f: FingerprintResult, k: string): number => {
    const v = f.result?.[k];
    return typeof v === 'number' ? v : NaN;
  };
  const sub = (f: FingerprintResult, k: string, j: string): number => {
    const v = (f.result?.[k] as Record<string, unknown> | undefined)?.[j];
    return typeof v === 'number' ? v : NaN;
  };
  const left =
    tenants.length === 0
      ? ''
      : panel({
          x0: 90,
          y0: 60,
          w: 380,
          h: 300,
          title: 'Harness cost vs tenants per run',
          xLabel: 'tenants per run (log scale)',
          xTicks: tenants.map((t) => t.tenants),
          xTickLabel: (x) => String(x),
          leftLabel: 'harness CPU per request (µs)',
          rightLabel: 'harness peak RSS (MB)',
          series: [
            {
              label: 'CPU µs/request, campaign',
              color: '#1f77b4',
              axis: 'left',
              points: tenants.map((t) => ({ x: t.tenants, y: t.campaignCpuUsPerRequest ?? NaN })),
            },
            {
              label: 'peak RSS MB',
              color: '#d62728',
              axis: 'right',
              points: tenants.map((t) => ({ x: t.tenants, y: t.maxRssMB ?? NaN })),
            },
          ],
        });
  const right =
    fpOk.length === 0
      ? ''
      : panel({
          x0: 640,
          y0: 60,
          w: 380,
          h: 300,
          title: 'Foreign-data scan vs registered fingerprints',
          xLabel: 'registered fingerprints (log scale)',
          xTicks: fingerprints.map((f) => f.fingerprints),
          xTickLabel: (x) => `10^${Math.round(Math.log10(x))}`,
          leftLabel: 'microseconds (log scale)',
          rightLabel: 'memory (MB, RSS delta)',
          series: [
            {
              label: 'scan µs per 12 KB response',
              color: '#1f77b4',
              axis: 'left',
              points: fpOk.map((f) => ({ x: f.fingerprints, y: sub(f, 'list12k', 'usPerResponse') })),
            },
            {
              label: `scan µs per ${fmt(sub(fpOk[0] ?? fingerprints[0]!, 'record1k', 'meanResponseBytes'), 0)}-byte record`,
              color: '#2ca02c',
              axis: 'left',
              points: fpOk.map((f) => ({ x: f.fingerprints, y: sub(f, 'record1k', 'usPerResponse') })),
            },
            {
              label: '3 registrations + scan, µs',
              color: '#9467bd',
              axis: 'left',
              points: fpOk.map((f) => ({ x: f.fingerprints, y: sub(f, 'incremental', 'usPerIteration') })),
            },
            {
              label: 'registry + automaton MB',
              color: '#d62728',
              axis: 'right',
              points: fpOk.map((f) => ({ x: f.fingerprints, y: g(f, 'registryRssMB') + g(f, 'automatonRssMB') })),
            },
          ],
          leftLog: true,
        });
  const failed = fingerprints
    .filter((f) => !f.ok)
    .map((f) => `10^${Math.round(Math.log10(f.fingerprints))} fingerprints failed: ${f.error}`);
  return `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif">
<rect width="${W}" height="${H}" fill="#fff"/>
${left}
${right}
${withCampaign ? campaignPanels(campaign, top ? 490 : 60) : ''}
<text x="${W / 2}" y="${H - 40}" text-anchor="middle" font-size="11" fill="#555">${esc(caption)}</text>
${failed.map((f, i) => `<text x="${W / 2}" y="${H - 24 + i * 14}" text-anchor="middle" font-size="11" fill="#b00">${esc(f)}</text>`).join('\n')}
</svg>
`;
}

// ---------------------------------------------------------------------------------------------

/** scale.md: the three sections as tables, with the settings and the load they ran under. */
function markdown(report: {
  environment: ReturnType<typeof environment>;
  /** Where the campaign ran apart from the other sections (`--campaign-only`). */
  campaignEnvironment?: ReturnType<typeof environment>;
  tenants: TenantResult[];
  fingerprints: FingerprintResult[];
  campaign?: CampaignCase;
}): string {
  const env = report.environment;
  const out = [
    '# bench:scale',
    '',
    `\`${env.command}\` on ${env.date.slice(0, 16)}Z, node ${env.node}, ${env.cpus} × ${env.cpuModel}, commit ${String(env.gitCommit).slice(0, 12)}${env.gitDirty ? ' (with uncommitted changes)' : ''}; load average ${env.loadavg.join(' ')} at the start. Harness and CRM share the machine (other work ran on it too: see the load averages).`,
    '',
  ];
  const c = report.campaign;
  const ce = report.campaignEnvironment;
  if (c) {
    if (ce)
      out.push(
        `The campaign section below was measured apart: \`${ce.command}\` on ${ce.date.slice(0, 16)}Z, commit ${String(ce.gitCommit).slice(0, 12)}${ce.gitDirty ? ' (with uncommitted changes)' : ''}.`,
        '',
      );
    out.push(
      `## One campaign over time: ${c.tenants} tenants, ${c.minutes} min`,
      '',
      c.error
        ? `FAILED: ${c.error}`
        : `\`tenantproof run --tenants ${c.tenants} --pool-tenants ${c.poolTenants} --pool-lifetime ${c.poolLifetime} --budget ${c.minutes}m\` against a CRM process (PGlite). ` +
            `${c.requests} requests in ${c.runs ?? '?'} runs, exit ${c.exitCode} (${c.verdict}, ${c.findings} findings). ` +
            `Harness CPU ${fmt(c.searchCpuUsPerRequest, 0)} µs per request over the search (whole process: campaign, transcript, checkpoint seals), ${fmt(c.processCpuUsPerRequest, 0)} µs including start-up, the negative control and the evidence; peak RSS ${fmt(c.maxRssMB, 0)} MB. ` +
            `CRM ${fmt(c.crmCpuUsPerRequest, 0)} µs per request, peak RSS ${fmt(c.crmMaxRssMB, 0)} MB. Load average ${c.loadavgStart.join(' ')} at the start, ${c.loadavgEnd.join(' ')} at the end.`,
      '',
      `Every ${c.sampleSeconds} s (CPU per request and requests per second: over the interval before the sample):`,
      '',
      '| min | runs | requests | req/s | harness CPU µs/request | RSS MB | heap MB | fingerprints in the run registry | carried by the pool | most records of one resource (pool tenant) | load |',
      '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
      ...c.samples.map(
        (x) =>
          `| ${fmt(x.minutes, 2)} | ${x.runs} | ${x.requests} | ${fmt(x.requestsPerSecond, 1)} | ${fmt(x.cpuUsPerRequest, 0)} | ${fmt(x.rssMB, 0)} | ${fmt(x.heapMB, 0)} | ${x.fingerprints} | ${x.poolFingerprints} | ${x.poolRecords} | ${fmt(x.load1, 2)} |`,
      ),
      '',
    );
  }
  if (report.tenants.length > 0)
    out.push(
      '## Tenants per run',
      '',
      '| tenants | requests | runs | req/s | harness CPU µs/request (campaign) | whole process µs/request | peak RSS MB | CRM µs/request | CRM RSS MB | load |',
      '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
      ...report.tenants.map(
        (t) =>
          `| ${t.tenants} | ${t.requests} | ${t.runs ?? '–'} | ${fmt(t.reqPerSec, 1)} | ${fmt(t.campaignCpuUsPerRequest, 0)} | ${fmt(t.processCpuUsPerRequest, 0)} | ${fmt(t.maxRssMB, 0)} | ${fmt(t.crmCpuUsPerRequest, 0)} | ${fmt(t.crmMaxRssMB, 0)} | ${t.loadavg.join(' ')} |`,
      ),
      '',
    );
  if (report.fingerprints.length > 0)
    out.push(
      '## Registered fingerprints',
      '',
      '| fingerprints | build s | registry + automaton MB | scan µs per 12 KB | scan µs per record | 3 registrations + scan µs |',
      '|---:|---:|---:|---:|---:|---:|',
      ...report.fingerprints.map((f) => {
        const x = f.result as Record<string, Record<string, number> & number> | undefined;
        return f.ok && x
          ? `| 10^${Math.round(Math.log10(f.fingerprints))} | ${x['buildSeconds']} | ${fmt(Number(x['registryRssMB']) + Number(x['automatonRssMB']), 0)} | ${x['list12k']!['usPerResponse']} | ${x['record1k']!['usPerResponse']} | ${x['incremental']!['usPerIteration']} |`
          : `| 10^${Math.round(Math.log10(f.fingerprints))} | failed: ${f.error} | | | | |`;
      }),
      '',
    );
  return out.join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      tenants: { type: 'string' },
      runs: { type: 'string' },
      fingerprints: { type: 'string' },
      iterations: { type: 'string' },
      mb: { type: 'string' },
      seed: { type: 'string', default: '1' },
      'campaign-minutes': { type: 'string' },
      'campaign-tenants': { type: 'string' },
      'campaign-pool': { type: 'string' },
      'campaign-pool-lifetime': { type: 'string' },
      'campaign-sample': { type: 'string' },
      'campaign-only': { type: 'boolean', default: false },
      'fingerprint-child': { type: 'string' },
      'child-timeout': { type: 'string' },
    },
  });
  if (values['fingerprint-child']) {
    fingerprintChild(Number(values['fingerprint-child']), Number(values.iterations ?? 300), Number(values.mb ?? 50));
    return;
  }
  const quick = values.quick!;
  const campaignOnly = values['campaign-only']!;
  const tenantCounts = campaignOnly ? [] : list(values.tenants ?? (quick ? '2,8' : '2,8,32,128')).map(Number);
  const runs = Number(values.runs ?? (quick ? 1 : 4));
  const exponents = campaignOnly ? [] : list(values.fingerprints ?? (quick ? '3,4' : '3,4,5,6')).map(Number);
  const iterations = Number(values.iterations ?? (quick ? 100 : 500));
  const scanMB = Number(values.mb ?? (quick ? 10 : 60));
  const seed = Number(values.seed);
  // The long campaign: 10 minutes with 32 tenants, 8 of them from the pool serving throughout (so
  // what the pool carries only grows); --quick keeps it to 15 s with 8 tenants.
  const campaignMinutes = Number(values['campaign-minutes'] ?? (quick ? 0.25 : 10));
  const campaignTenants = Number(values['campaign-tenants'] ?? (quick ? 8 : 32));
  const campaignPool = Number(values['campaign-pool'] ?? Math.floor(campaignTenants / 4));
  const campaignPoolLifetime = values['campaign-pool-lifetime'] ?? `${Math.max(1, Math.ceil(campaignMinutes))}m`;
  const sampleSeconds = Number(values['campaign-sample'] ?? (quick ? 5 : 15));
  const env = environment();
  process.stdout.write(
    `scale: tenants ${tenantCounts.join(', ') || '–'} × ${runs} runs; fingerprints ${exponents.length ? `10^${exponents.join(', 10^')}` : '–'}; campaign ${campaignMinutes} min × ${campaignTenants} tenants (${campaignPool} pooled); ${loadText()}\n`,
  );

  const fingerprints: FingerprintResult[] = [];
  for (const k of exponents) {
    const n = 10 ** k;
    const r = await runFingerprintChild(n, iterations, scanMB, Number(values['child-timeout'] ?? 20 * 60) * 1000);
    fingerprints.push(r);
    const x = r.result as Record<string, Record<string, number> & number> | undefined;
    process.stdout.write(
      r.ok && x
        ? `fingerprints 10^${k}: build ${x['buildSeconds']}s, memory ${fmt(Number(x['registryRssMB']) + Number(x['automatonRssMB']), 0)} MB RSS, scan ${x['list12k']!['usPerResponse']} µs per 12 KB (${x['list12k']!['mbPerSecond']} MB/s), ${x['record1k']!['usPerResponse']} µs per ${x['record1k']!['meanResponseBytes']}-byte record; 3 registrations + scan ${x['incremental']!['usPerIteration']} µs; ${loadText()}\n`
        : `fingerprints 10^${k}: FAILED after ${r.seconds}s: ${r.error}; ${loadText()}\n`,
    );
  }

  const tenants: TenantResult[] = [];
  for (const t of tenantCounts) {
    try {
      const r = await tenantCase(t, runs, seed);
      tenants.push(r);
      process.stdout.write(
        `tenants ${t}: ${r.requests} requests in ${r.runs} runs, ${r.campaignSeconds}s (${r.reqPerSec} req/s); harness CPU ${r.campaignCpuUsPerRequest} µs/request in the campaign, ${r.processCpuUsPerRequest} µs/request whole process; peak RSS ${r.maxRssMB} MB; CRM ${r.crmCpuUsPerRequest} µs/request, ${r.crmMaxRssMB} MB; ${loadText()}\n`,
      );
    } catch (error) {
      tenants.push({
        tenants: t,
        exitCode: null,
        requests: 0,
        runs: null,
        campaignSeconds: 0,
        reqPerSec: 0,
        campaignCpuUsPerRequest: null,
        bucketsUsPerRequest: null,
        processCpuSeconds: null,
        processCpuUsPerRequest: null,
        maxRssMB: null,
        crmCpuUsPerRequest: null,
        crmMaxRssMB: null,
        wallSeconds: 0,
        loadavg: load(),
        error: (error as Error).message,
      });
      process.stdout.write(`tenants ${t}: FAILED: ${(error as Error).message}\n`);
    }
  }

  let campaign: CampaignCase | undefined;
  if (campaignMinutes > 0) {
    const o = {
      minutes: campaignMinutes,
      tenants: campaignTenants,
      pool: campaignPool,
      poolLifetime: campaignPoolLifetime,
      sampleSeconds,
      seed,
    };
    try {
      campaign = await campaignCase(o);
      const c = campaign;
      for (const x of c.samples)
        process.stdout.write(
          `  ${fmt(x.minutes, 2)} min: ${x.runs} runs, ${x.requests} requests (${fmt(x.requestsPerSecond, 1)}/s), CPU ${fmt(x.cpuUsPerRequest, 0)} µs/request, RSS ${fmt(x.rssMB, 0)} MB, fingerprints ${x.fingerprints} (pool ${x.poolFingerprints}), pool records ${x.poolRecords}, load ${x.load1}\n`,
        );
      process.stdout.write(
        `campaign ${c.tenants} tenants × ${c.minutes} min: ${c.requests} requests in ${c.runs} runs, exit ${c.exitCode} (${c.verdict}); harness CPU ${fmt(c.searchCpuUsPerRequest, 0)} µs/request over the search; peak RSS ${fmt(c.maxRssMB, 0)} MB; CRM ${fmt(c.crmCpuUsPerRequest, 0)} µs/request; ${loadText()}\n`,
      );
    } catch (error) {
      campaign = {
        minutes: o.minutes,
        tenants: o.tenants,
        poolTenants: o.pool,
        poolLifetime: o.poolLifetime,
        sampleSeconds,
        exitCode: null,
        verdict: null,
        findings: 0,
        requests: 0,
        runs: null,
        samples: [],
        searchCpuUsPerRequest: null,
        maxRssMB: null,
        processCpuUsPerRequest: null,
        crmCpuUsPerRequest: null,
        crmMaxRssMB: null,
        wallSeconds: 0,
        loadavgStart: [],
        loadavgEnd: load(),
        error: (error as Error).message,
      };
      process.stdout.write(`campaign: FAILED: ${(error as Error).message}\n`);
    }
  }

  const dir = outputDir(quick);
  const settings = {
    tenantCounts,
    runsPerTenantCount: runs,
    fingerprintExponents: exponents,
    incrementalIterations: iterations,
    scanMB,
    seed,
    quick,
    campaign:
      campaignMinutes > 0
        ? {
            minutes: campaignMinutes,
            tenants: campaignTenants,
            poolTenants: campaignPool,
            poolLifetime: campaignPoolLifetime,
            sampleSeconds,
          }
        : null,
    target: 'reference CRM in its own process (PGlite), rate limit lifted',
  };
  let report = {
    benchmark: 'scale',
    environment: env,
    environmentAtEnd: { loadavg: load(), date: new Date().toISOString(), gitCommit: environment().gitCommit },
    settings,
    tenants,
    fingerprints,
    ...(campaign ? { campaign } : {}),
  };
  // --campaign-only keeps the other sections of the last full report (with their own environment).
  const jsonFile = path.join(dir, 'scale.json');
  if (campaignOnly && existsSync(jsonFile)) {
    const previous = JSON.parse(readFileSync(jsonFile, 'utf8')) as typeof report;
    report = {
      ...previous,
      ...(campaign ? { campaign } : {}),
      campaignEnvironment: env,
      campaignEnvironmentAtEnd: report.environmentAtEnd,
    } as typeof report;
  }
  writeJson(jsonFile, report);
  writeText(
    path.join(dir, 'scale.md'),
    markdown({ ...report, ...(campaignOnly && existsSync(jsonFile) ? { campaignEnvironment: env } : {}) }),
  );
  writeText(
    path.join(dir, 'scale.svg'),
    svg(
      report.tenants,
      report.fingerprints,
      report.campaign,
      `${env.date.slice(0, 16)}Z, node ${env.node}, ${env.cpus} CPUs, load average ${env.loadavg.join(' ')} at start; commit ${String(env.gitCommit).slice(0, 12)}`,
    ),
  );
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench:scale failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
