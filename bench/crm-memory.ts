/**
 * The reference CRM's memory under load on embedded PGlite:
 * `npm run bench:crm-memory [-- --quick] [--seconds N] [--tenants N] [--concurrency N]
 *   [--cases memory,data-dir] [--baseline <checkout>] [--timeline PREFIX]`.
 *
 * Each case starts the real command in a child process (`node bin/tenantproof.mjs crm --port 0`,
 * which runs dist/: `npm run build` first), in memory (`memory`) or on a fresh data directory
 * under .tmp/ (`data-dir`, `--data-dir`), seeds a few tenants (default 4), then keeps CONCURRENCY
 * requests in flight (default 32: reads, lists, search, summary, export and writes, spread over the
 * tenants) for N seconds (default 30; 4 with --quick). It samples the child's RSS from
 * /proc/<pid>/status every 100 ms and reads its peak (VmHWM) at the end, and its CPU per request
 * from /proc/<pid>/stat (steadier than req/s on a shared machine). The child's own diagnostic
 * (CRM_MEMORY_TRACE, `crm/db/memory-trace.ts`) says where the memory sits: Node's heap, array
 * buffers, the PGlite WASM heap, the in-memory cluster's files.
 *
 * `--baseline <checkout>` first runs the in-memory case with another checkout's built command
 * (e.g. an extract of the commit before a change, built with `npx tsc -p tsconfig.build.json`),
 * for a before/after under the same conditions. `--timeline PREFIX` writes every trace line,
 * timed from the child's start, to PREFIX.<case>.txt. The child inherits the environment, so
 * `CRM_PGLITE_TURBOFAN=1` measures V8's optimising tier (see `crm/db/pglite-wasm-tiers.ts`).
 *
 * Prints a table and writes reports/bench/crm-memory.json and .md (reports/bench/quick/ with
 * --quick). Figures only: nothing here asserts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { pick, procCpuMs, seedTenants, send, unique, type SeededTenant } from './support/crm-workload.ts';
import {
  environment,
  loadText,
  outputDir,
  percentile,
  REPO_ROOT,
  round,
  writeJson,
  writeText,
} from './support/common.ts';

const SEED_CUSTOMERS = 20;
const SAMPLE_EVERY_MS = 100;
const TRACE_EVERY_MS = 250;
/** The goal this benchmark was written for: peak RSS at 32 requests in flight. */
const TARGET_PEAK_RSS_MB = 400;

type CaseName = 'memory' | 'data-dir';
const CASES: readonly CaseName[] = ['memory', 'data-dir'];

class BenchError extends Error {
  override name = 'BenchError';
}

interface Child {
  process: ChildProcess;
  url: string;
  adminToken: string;
  /** The last value of every figure the child's memory trace reported, the highest, and all of them. */
  trace: { last: Record<string, number>; peak: Record<string, number>; timeline: string[] };
  exited: Promise<void>;
}

interface CaseResult {
  /** `memory` or `data-dir`, with ` (baseline)` for the `--baseline` checkout. */
  case: string;
  /** The checkout whose `bin/tenantproof.mjs` ran (relative to this one; `.` for this one). */
  checkout: string;
  tenants: number;
  concurrency: number;
  seconds: number;
  requests: number;
  reqPerSec: number;
  /** The CRM process's CPU (user + system) per request: steadier than req/s on a shared machine. */
  cpuMsPerRequest: number | null;
  /** Responses other than the expected status, by status ("error" for a failed connection). */
  unexpected: Record<string, number>;
  p50Ms: number | null;
  p99Ms: number | null;
  rssMB: { started: number | null; seeded: number | null; peak: number | null; end: number | null };
  /** Peaks of the child's own figures (MB) over the whole case: Node heap, buffers, WASM heap… */
  tracePeakMB: Record<string, number>;
  /** The same figures at the end of the load. */
  traceEndMB: Record<string, number>;
  load1: number;
}

// --- the child ------------------------------------------------------------------------------------

function procStatusMB(pid: number, field: 'VmRSS' | 'VmHWM'): number | null {
  try {
    const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? round(Number(m[1]) / 1024, 1) : null;
  } catch {
    return null;
  }
}

function startChild(bin: string, args: string[]): Promise<Child> {
  const adminToken = `tpa_bench_${randomBytes(12).toString('hex')}`;
  const child = spawn(process.execPath, [bin, 'crm', '--port', '0', ...args], {
    cwd: path.dirname(path.dirname(bin)),
    env: {
      ...process.env,
      CRM_ADMIN_TOKEN: adminToken,
      CRM_RATE_LIMIT: '1000000:1000000',
      CRM_FAULTS: '',
      CRM_MEMORY_TRACE: String(TRACE_EVERY_MS),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const trace: Child['trace'] = { last: {}, peak: {}, timeline: [] };
  const t0 = performance.now();
  let stderr = '';
  createInterface({ input: child.stderr! }).on('line', (line) => {
    if (!line.startsWith('memory-trace ')) {
      stderr += `${line}\n`;
      return;
    }
    const figures = JSON.parse(line.slice('memory-trace '.length)) as Record<string, number>;
    trace.timeline.push(`${((performance.now() - t0) / 1000).toFixed(2)} ${line.slice('memory-trace '.length)}`);
    trace.last = figures;
    for (const [name, value] of Object.entries(figures)) trace.peak[name] = Math.max(trace.peak[name] ?? 0, value);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    const early = (code: number | null) =>
      reject(new BenchError(`tenantproof crm exited (${code}) before printing its URL:\n${stderr}`));
    child.once('exit', early);
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (url) => {
      child.removeListener('exit', early);
      resolve({ process: child, url: url.trim(), adminToken, trace, exited });
    });
  });
}

async function stopChild(child: Child): Promise<void> {
  if (child.process.exitCode === null && child.process.signalCode === null) child.process.kill('SIGTERM');
  await child.exited;
}

// --- the workload (after bench/crm.ts, plus export and new customers) ----------------------------

/** One request of the mix: its status and the status it should have had. */
async function oneRequest(
  agent: http.Agent,
  base: URL,
  tenant: SeededTenant,
): Promise<{ status: number; expected: number }> {
  const roll = Math.random();
  const go = (method: string, url: string, body?: unknown) => send(agent, base, method, tenant.apiKey, url, body);
  const ok = async (expected: number, status: Promise<number>) => ({ status: await status, expected });
  if (roll < 0.2) return ok(200, go('GET', `/v1/customers/${pick(tenant.customers)}`));
  if (roll < 0.3) return ok(200, go('GET', `/v1/jobs/${pick(tenant.jobs)}`));
  if (roll < 0.42) return ok(200, go('GET', '/v1/customers?limit=20'));
  if (roll < 0.5) return ok(200, go('GET', '/v1/jobs?limit=20'));
  if (roll < 0.57) return ok(200, go('GET', `/v1/search?q=${pick(['boiler', 'customer', 'visit'])}&limit=10`));
  if (roll < 0.62) return ok(200, go('GET', '/v1/reports/summary'));
  if (roll < 0.67) return ok(200, go('GET', `/v1/export?resource=${pick(['customers', 'jobs'])}`));
  if (roll < 0.77) return ok(200, go('PATCH', `/v1/customers/${pick(tenant.customers)}`, { phone: '+1 555 010 2233' }));
  if (roll < 0.87)
    return ok(201, go('POST', `/v1/customers/${pick(tenant.customers)}/notes`, { body: `note ${unique()}` }));
  if (roll < 0.93)
    return ok(
      201,
      go('POST', '/v1/customers', { name: `Walk-in ${unique()}`, email: `walk-in-${unique()}@bench.example` }),
    );
  return ok(
    201,
    go('POST', '/v1/jobs', {
      customerId: pick(tenant.customers),
      title: 'Extra visit',
      scheduledStart: '2026-03-03T09:00:00Z',
      scheduledEnd: '2026-03-03T10:00:00Z',
    }),
  );
}

// --- one case ---------------------------------------------------------------------------------------

async function runCase(
  name: CaseName,
  options: { seconds: number; tenants: number; concurrency: number; timeline?: string | undefined },
  checkout = REPO_ROOT,
): Promise<CaseResult> {
  const label = checkout === REPO_ROOT ? name : `${name} (baseline)`;
  const scratchRoot = path.join(REPO_ROOT, '.tmp');
  mkdirSync(scratchRoot, { recursive: true });
  const dataDir = name === 'data-dir' ? mkdtempSync(path.join(scratchRoot, 'bench-crm-memory-')) : undefined;
  const child = await startChild(path.join(checkout, 'bin', 'tenantproof.mjs'), dataDir ? ['--data-dir', dataDir] : []);
  const pid = child.process.pid!;
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.concurrency });
  try {
    const started = procStatusMB(pid, 'VmRSS');
    const tenants = await seedTenants(child.url, child.adminToken, {
      count: options.tenants,
      customers: SEED_CUSTOMERS,
      prefix: 'memory-bench',
    });
    const seeded = procStatusMB(pid, 'VmRSS');
    const load1 = Number(loadText().split(' ')[1]);
    let sampledPeak = seeded ?? 0;
    const sampler = setInterval(() => {
      sampledPeak = Math.max(sampledPeak, procStatusMB(pid, 'VmRSS') ?? 0);
    }, SAMPLE_EVERY_MS);
    const base = new URL(child.url);
    const latencies: number[] = [];
    const unexpected: Record<string, number> = {};
    let requests = 0;
    const cpuBefore = procCpuMs(pid);
    const t0 = performance.now();
    const deadline = t0 + options.seconds * 1000;
    await Promise.all(
      Array.from({ length: options.concurrency }, async (_, worker) => {
        let i = worker;
        while (performance.now() < deadline) {
          const tenant = tenants[i++ % tenants.length]!;
          const begun = performance.now();
          const outcome = await oneRequest(agent, base, tenant).catch(() => ({ status: -1, expected: 0 }));
          latencies.push(performance.now() - begun);
          requests++;
          if (outcome.status !== outcome.expected) {
            const key = outcome.status === -1 ? 'error' : String(outcome.status);
            unexpected[key] = (unexpected[key] ?? 0) + 1;
          }
        }
      }),
    );
    const elapsed = (performance.now() - t0) / 1000;
    const cpuAfter = procCpuMs(pid);
    clearInterval(sampler);
    const end = procStatusMB(pid, 'VmRSS');
    const peak = procStatusMB(pid, 'VmHWM');
    return {
      case: label,
      checkout: path.relative(REPO_ROOT, checkout) || '.',
      tenants: options.tenants,
      concurrency: options.concurrency,
      seconds: round(elapsed, 1)!,
      requests,
      reqPerSec: round(requests / elapsed, 1)!,
      cpuMsPerRequest:
        cpuBefore === null || cpuAfter === null || requests === 0 ? null : round((cpuAfter - cpuBefore) / requests, 2),
      unexpected,
      p50Ms: round(percentile(latencies, 50), 1),
      p99Ms: round(percentile(latencies, 99), 1),
      rssMB: { started, seeded, peak: peak ?? round(sampledPeak, 1), end },
      tracePeakMB: child.trace.peak,
      traceEndMB: child.trace.last,
      load1,
    };
  } finally {
    agent.destroy();
    await stopChild(child);
    if (options.timeline)
      writeText(`${options.timeline}.${label.replace(/\W+/g, '-')}.txt`, `${child.trace.timeline.join('\n')}\n`);
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
}

// --- output -----------------------------------------------------------------------------------------

const TRACE_COLUMNS: { key: string; label: string }[] = [
  { key: 'heapUsedMB', label: 'JS heap used' },
  { key: 'arrayBuffersMB', label: 'array buffers' },
  { key: 'externalMB', label: 'external (incl. WASM)' },
  { key: 'wasmHeapMB', label: 'PGlite WASM heap' },
  { key: 'memfsMB', label: 'in-memory data dir' },
];

function markdown(results: CaseResult[], env: ReturnType<typeof environment>): string {
  const cell = (x: number | null | undefined) => (x === null || x === undefined ? '–' : String(x));
  const lines = [
    '# CRM memory on embedded PGlite',
    '',
    `\`${env.command}\` — ${env.date}, node ${env.node}, ${env.cpus} × ${env.cpuModel}, load ${env.loadavg.join(' ')}, ` +
      `commit ${env.gitCommit ?? '?'}${env.gitDirty ? ' (with uncommitted changes)' : ''}.`,
    '',
    `The real command in a child process; ${results[0]?.concurrency ?? '?'} requests in flight over ` +
      `${results[0]?.tenants ?? '?'} tenants (reads, lists, search, summary, export, writes). Peak RSS is the ` +
      `child's VmHWM; the goal is under ${TARGET_PEAK_RSS_MB} MB.`,
    '',
    '| case | seconds | requests | req/s | CPU ms/req | p50 ms | p99 ms | unexpected | RSS started | RSS seeded | **peak RSS** | RSS end |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...results.map(
      (r) =>
        `| ${r.case} | ${r.seconds} | ${r.requests} | ${r.reqPerSec} | ${cell(r.cpuMsPerRequest)} | ${cell(r.p50Ms)} | ${cell(r.p99Ms)} | ` +
        `${
          Object.entries(r.unexpected)
            .map(([k, v]) => `${k}×${v}`)
            .join(' ') || '0'
        } | ${cell(r.rssMB.started)} | ${cell(r.rssMB.seeded)} | **${cell(r.rssMB.peak)}** | ${cell(r.rssMB.end)} |`,
    ),
    '',
    'Where it sits, from the child (MB, peak over the case / at the end of the load):',
    '',
    `| case | ${TRACE_COLUMNS.map((c) => c.label).join(' | ')} |`,
    `|---|${TRACE_COLUMNS.map(() => '---').join('|')}|`,
    ...results.map(
      (r) =>
        `| ${r.case} | ${TRACE_COLUMNS.map((c) => `${cell(r.tracePeakMB[c.key])} / ${cell(r.traceEndMB[c.key])}`).join(' | ')} |`,
    ),
    '',
  ];
  return lines.join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean' },
      seconds: { type: 'string' },
      tenants: { type: 'string' },
      concurrency: { type: 'string' },
      cases: { type: 'string' },
      timeline: { type: 'string' },
      baseline: { type: 'string' },
    },
  });
  const quick = values.quick ?? false;
  const seconds = Number(values.seconds ?? (quick ? 4 : 30));
  const tenants = Number(values.tenants ?? 4);
  const concurrency = Number(values.concurrency ?? 32);
  const cases = (values.cases ?? CASES.join(',')).split(',').map((c) => c.trim()) as CaseName[];
  for (const c of cases) if (!CASES.includes(c)) throw new BenchError(`unknown case "${c}" (${CASES.join(', ')})`);
  if (!(seconds > 0) || !(tenants >= 1) || !(concurrency >= 1))
    throw new BenchError('--seconds, --tenants and --concurrency take positive numbers');

  const baseline = values.baseline ? path.resolve(values.baseline) : undefined;
  const runs: { name: CaseName; checkout: string }[] = [
    // A checkout from before --data-dir existed runs the in-memory case only.
    ...(baseline ? cases.filter((c) => c === 'memory').map((name) => ({ name, checkout: baseline })) : []),
    ...cases.map((name) => ({ name, checkout: REPO_ROOT })),
  ];
  const results: CaseResult[] = [];
  for (const { name, checkout } of runs) {
    const label = checkout === REPO_ROOT ? name : `${name} (baseline ${path.relative(REPO_ROOT, checkout)})`;
    process.stdout.write(`${label}: ${concurrency} in flight, ${tenants} tenants, ${seconds} s (${loadText()})…\n`);
    const result = await runCase(name, { seconds, tenants, concurrency, timeline: values.timeline }, checkout);
    results.push(result);
    process.stdout.write(
      `  ${result.reqPerSec} req/s, ${result.cpuMsPerRequest} CPU ms/req, peak RSS ${result.rssMB.peak} MB (started ${result.rssMB.started}, ` +
        `seeded ${result.rssMB.seeded}, end ${result.rssMB.end}); child: ` +
        `${TRACE_COLUMNS.map((c) => `${c.label} ${result.tracePeakMB[c.key] ?? '–'}`).join(', ')}\n`,
    );
  }
  const env = environment();
  const dir = outputDir(quick);
  writeJson(path.join(dir, 'crm-memory.json'), { environment: env, targetPeakRssMB: TARGET_PEAK_RSS_MB, results });
  writeText(path.join(dir, 'crm-memory.md'), markdown(results, env));
}

await main();
