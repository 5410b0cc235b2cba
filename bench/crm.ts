/**
 * Reference CRM throughput: `npm run bench:crm [-- --quick] [--seconds N] [--rounds N]`.
 *
 * A mixed workload (reads, lists, writes, search, summary) from 8 tenants at concurrency 32,
 * against the CRM with RLS on and with RLS off (the test-only ablation switch), side by side in
 * the same process on the same database, alternating rounds so drift hits both alike. Runs on
 * embedded PGlite, and on PostgreSQL when BENCH_DATABASE_URL or TEST_DATABASE_URL is set (a
 * scratch database is created and dropped). Loopback only. Prints a table and writes
 * reports/bench/crm.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import type { Database } from '../crm/db/database.ts';
import { openDatabase } from '../crm/db/open-database.ts';
import { createScratchDatabase, type ScratchDatabase } from '../crm/db/scratch-database.ts';
import { startCrmOnDatabase, type RunningCrm } from '../crm/server.ts';

const TENANTS = 8;
const CONCURRENCY = 32;
const SEED_CUSTOMERS = 20;
const UNLIMITED = { requestsPerSecond: 1_000_000, burst: 1_000_000 };

interface Tenant {
  apiKey: string;
  customers: string[];
  jobs: string[];
}

interface Sample {
  requests: number;
  errors: number;
  seconds: number;
  latenciesMs: number[];
}

interface CaseResult {
  backend: 'pglite' | 'postgres';
  rls: 'on' | 'off';
  requests: number;
  errors: number;
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
}

class BenchError extends Error {
  override name = 'BenchError';
}

async function http(
  url: string,
  method: string,
  apiKey: string | undefined,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: any }> {
  // eslint-disable-line @typescript-eslint/no-explicit-any -- bench convenience
  const response = await fetch(url, {
    method,
    headers: {
      ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...headers,
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  return {
    status: response.status,
    json: text && response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : undefined,
  };
}

let uniq = 0;
const unique = () => `${Date.now().toString(36)}${(uniq++).toString(36)}`;

async function seed(crm: RunningCrm): Promise<Tenant[]> {
  const tenants: Tenant[] = [];
  for (let t = 0; t < TENANTS; t++) {
    const created = await http(
      `${crm.url}/v1/tenants`,
      'POST',
      undefined,
      { name: `bench-${t}` },
      { 'x-admin-token': crm.adminToken },
    );
    if (created.status !== 201) throw new BenchError(`tenant: ${created.status}`);
    const tenant: Tenant = { apiKey: created.json.apiKey, customers: [], jobs: [] };
    for (let c = 0; c < SEED_CUSTOMERS; c++) {
      const customer = await http(`${crm.url}/v1/customers`, 'POST', tenant.apiKey, {
        name: `Customer ${c} of ${t}`,
        email: `c${c}-${unique()}@t${t}.example`,
      });
      tenant.customers.push(customer.json.id);
      const job = await http(`${crm.url}/v1/jobs`, 'POST', tenant.apiKey, {
        customerId: customer.json.id,
        title: `Job ${c} boiler service`,
        scheduledStart: '2026-03-02T14:00:00Z',
        scheduledEnd: '2026-03-02T17:00:00Z',
      });
      tenant.jobs.push(job.json.id);
    }
    tenants.push(tenant);
  }
  return tenants;
}

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;

/** One request of the mix; returns true on the expected status. */
async function oneRequest(url: string, tenant: Tenant): Promise<boolean> {
  const roll = Math.random();
  const key = tenant.apiKey;
  if (roll < 0.25) return (await http(`${url}/v1/customers/${pick(tenant.customers)}`, 'GET', key)).status === 200;
  if (roll < 0.4) return (await http(`${url}/v1/jobs/${pick(tenant.jobs)}`, 'GET', key)).status === 200;
  if (roll < 0.55) return (await http(`${url}/v1/customers?limit=20`, 'GET', key)).status === 200;
  if (roll < 0.65) return (await http(`${url}/v1/jobs?limit=20`, 'GET', key)).status === 200;
  if (roll < 0.72) return (await http(`${url}/v1/search?q=boiler&limit=10`, 'GET', key)).status === 200;
  if (roll < 0.77) return (await http(`${url}/v1/reports/summary`, 'GET', key)).status === 200;
  if (roll < 0.87)
    return (
      (await http(`${url}/v1/customers/${pick(tenant.customers)}`, 'PATCH', key, { phone: '+1 555 010 2233' }))
        .status === 200
    );
  if (roll < 0.95) {
    const created = await http(`${url}/v1/customers/${pick(tenant.customers)}/notes`, 'POST', key, {
      body: `note ${unique()}`,
    });
    return created.status === 201;
  }
  const job = await http(`${url}/v1/jobs`, 'POST', key, {
    customerId: pick(tenant.customers),
    title: 'Extra visit',
    scheduledStart: '2026-03-03T09:00:00Z',
    scheduledEnd: '2026-03-03T10:00:00Z',
  });
  return job.status === 201;
}

async function drive(url: string, tenants: Tenant[], seconds: number): Promise<Sample> {
  const sample: Sample = { requests: 0, errors: 0, seconds, latenciesMs: [] };
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, worker) => {
      let i = worker;
      while (performance.now() < deadline) {
        const tenant = tenants[i++ % tenants.length]!;
        const t0 = performance.now();
        const ok = await oneRequest(url, tenant).catch(() => false);
        sample.latenciesMs.push(performance.now() - t0);
        sample.requests++;
        if (!ok) sample.errors++;
      }
    }),
  );
  sample.seconds = (performance.now() - started) / 1000;
  return sample;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function summarise(backend: CaseResult['backend'], rls: CaseResult['rls'], samples: Sample[]): CaseResult {
  const latencies = samples.flatMap((s) => s.latenciesMs).sort((a, b) => a - b);
  const requests = samples.reduce((n, s) => n + s.requests, 0);
  const seconds = samples.reduce((n, s) => n + s.seconds, 0);
  return {
    backend,
    rls,
    requests,
    errors: samples.reduce((n, s) => n + s.errors, 0),
    reqPerSec: Math.round((requests / seconds) * 10) / 10,
    p50Ms: Math.round(percentile(latencies, 50) * 100) / 100,
    p99Ms: Math.round(percentile(latencies, 99) * 100) / 100,
  };
}

async function benchBackend(
  backend: CaseResult['backend'],
  db: Database,
  seconds: number,
  rounds: number,
): Promise<CaseResult[]> {
  const rlsOn = await startCrmOnDatabase(db, { faults: [], rateLimit: UNLIMITED });
  const rlsOff = await startCrmOnDatabase(db, { faults: [], rateLimit: UNLIMITED, ablation: { rls: false } });
  try {
    await rlsOn.reset();
    const tenants = await seed(rlsOn);
    // Warm both servers (JIT, caches, prepared plans) before measuring.
    await drive(rlsOn.url, tenants, Math.min(1, seconds));
    await drive(rlsOff.url, tenants, Math.min(1, seconds));
    const on: Sample[] = [];
    const off: Sample[] = [];
    for (let round = 0; round < rounds; round++) {
      // Alternate the order each round so neither side always runs on a warmer database.
      if (round % 2 === 0) {
        on.push(await drive(rlsOn.url, tenants, seconds));
        off.push(await drive(rlsOff.url, tenants, seconds));
      } else {
        off.push(await drive(rlsOff.url, tenants, seconds));
        on.push(await drive(rlsOn.url, tenants, seconds));
      }
    }
    return [summarise(backend, 'on', on), summarise(backend, 'off', off)];
  } finally {
    await rlsOn.close();
    await rlsOff.close();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { quick: { type: 'boolean' }, seconds: { type: 'string' }, rounds: { type: 'string' } },
  });
  const seconds = Math.min(60, Number(values.seconds ?? (values.quick ? 3 : 8)));
  const rounds = Math.min(10, Number(values.rounds ?? (values.quick ? 1 : 2)));
  const results: CaseResult[] = [];

  const pglite = await openDatabase({});
  try {
    results.push(...(await benchBackend('pglite', pglite, seconds, rounds)));
  } finally {
    await pglite.close();
  }

  const pgUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  if (pgUrl) {
    let scratch: ScratchDatabase | undefined;
    let db: Database | undefined;
    try {
      scratch = await createScratchDatabase(pgUrl);
      db = await openDatabase({ databaseUrl: scratch.url, poolSize: 10 });
      results.push(...(await benchBackend('postgres', db, seconds, rounds)));
    } finally {
      await db?.close();
      await scratch?.drop();
    }
  }

  const ratios: Record<string, number> = {};
  for (const backend of ['pglite', 'postgres'] as const) {
    const on = results.find((r) => r.backend === backend && r.rls === 'on');
    const off = results.find((r) => r.backend === backend && r.rls === 'off');
    if (on && off && off.reqPerSec > 0) ratios[backend] = Math.round((on.reqPerSec / off.reqPerSec) * 1000) / 1000;
  }

  const header = ['backend', 'rls', 'requests', 'errors', 'req/s', 'p50 ms', 'p99 ms'];
  const rows = results.map((r) => [
    r.backend,
    r.rls,
    String(r.requests),
    String(r.errors),
    String(r.reqPerSec),
    String(r.p50Ms),
    String(r.p99Ms),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i]!)).join('  ');
  process.stdout.write(
    `CRM mixed workload: ${TENANTS} tenants, concurrency ${CONCURRENCY}, ${rounds} round(s) × ${seconds}s per case\n`,
  );
  process.stdout.write(`${line(header)}\n${line(widths.map((w) => '-'.repeat(w)))}\n${rows.map(line).join('\n')}\n`);
  for (const [backend, ratio] of Object.entries(ratios))
    process.stdout.write(`${backend}: throughput RLS on / RLS off = ${ratio}\n`);
  if (!pgUrl) process.stdout.write('postgres: skipped (set BENCH_DATABASE_URL or TEST_DATABASE_URL)\n');

  mkdirSync('reports/bench', { recursive: true });
  const report = {
    benchmark: 'crm',
    generatedAt: new Date().toISOString(),
    environment: { node: process.version, cpus: cpus().length, platform: process.platform },
    workload: {
      tenants: TENANTS,
      concurrency: CONCURRENCY,
      secondsPerRound: seconds,
      rounds,
      seedCustomersPerTenant: SEED_CUSTOMERS,
    },
    results,
    rlsOnOverOffThroughput: ratios,
  };
  writeFileSync('reports/bench/crm.json', JSON.stringify(report, null, 2) + '\n');
  process.stdout.write('wrote reports/bench/crm.json\n');
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench:crm failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
