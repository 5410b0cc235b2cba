/**
 * `npm run bench:sdk [-- --quick]`: the SDK's per-call overhead against a raw axios call to the same
 * local endpoint (a node:http server on 127.0.0.1 serving a realistic 100-customer page), run side
 * by side in one process, plus the zod validation time of that page. Prints a table and writes
 * reports/bench/sdk.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import axios from 'axios';
import { CustomerListSchema } from '../sdk/generated/zod.ts';
import { CrmClient } from '../sdk/index.ts';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const quick = process.argv.includes('--quick');
const CALLS = quick ? 300 : 3000;
const ROUNDS = 10;
const VALIDATIONS = quick ? 300 : 3000;

function page(n: number): unknown {
  const data = Array.from({ length: n }, (_, i) => ({
    id: `3b7c9f0e-1d2a-4e5b-9c8d-${String(i).padStart(12, '0')}`,
    name: `Customer ${i} Whitfield`,
    email: `customer${i}@whitfield.example`,
    phone: i % 3 === 0 ? null : '+1 555 010 2233',
    address:
      i % 2 === 0
        ? null
        : { line1: `${i} Elm Street`, city: 'Springfield', region: 'IL', postalCode: '62704', country: 'US' },
    tags: i % 4 === 0 ? [] : ['residential', 'priority'],
    createdAt: '2026-01-05T09:30:00.000Z',
    updatedAt: '2026-01-06T10:00:00.000Z',
  }));
  return { data, nextCursor: 'eyJwb3NpdGlvbiI6MTAwfQ.c2lnbmF0dXJl' };
}

function startServer(body: string): Promise<Server> {
  const server = createServer((req, res) => {
    req.resume();
    res.writeHead(200, {
      'content-type': 'application/json; charset=utf-8',
      'x-request-id': 'req_bench',
      'content-length': Buffer.byteLength(body),
    });
    res.end(body);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

interface Stats {
  calls: number;
  meanUs: number;
  p50Us: number;
  p99Us: number;
}

function stats(samples: number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  const round = (n: number) => Math.round(n * 10) / 10;
  return {
    calls: samples.length,
    meanUs: round((samples.reduce((s, x) => s + x, 0) / samples.length) * 1000),
    p50Us: round(at(0.5) * 1000),
    p99Us: round(at(0.99) * 1000),
  };
}

async function time(fn: () => Promise<unknown>, n: number, into: number[]): Promise<void> {
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn();
    into.push(performance.now() - t0);
  }
}

async function main(): Promise<void> {
  const body = JSON.stringify(page(100));
  const server = await startServer(body);
  const baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const raw = axios.create({ baseURL, headers: { Authorization: 'Bearer tpk_bench' } });
  // The SDK turns off redirects (axios then skips follow-redirects) and proxy lookup; the fair
  // baseline for "what the SDK adds" is raw axios with the same transport settings.
  const rawSame = axios.create({
    baseURL,
    headers: { Authorization: 'Bearer tpk_bench' },
    maxRedirects: 0,
    proxy: false,
  });
  const strict = new CrmClient({ apiKey: 'tpk_bench', baseURL, validation: 'strict', maxRetries: 0 });
  const off = new CrmClient({ apiKey: 'tpk_bench', baseURL, validation: 'off', maxRetries: 0 });
  const variants: Record<string, () => Promise<unknown>> = {
    'raw axios (defaults)': () => raw.get('/v1/customers', { params: { limit: 100 } }),
    'raw axios': () => rawSame.get('/v1/customers', { params: { limit: 100 } }),
    'sdk, validation off': () => off.customers.list({ limit: 100 }),
    'sdk, strict validation': () => strict.customers.list({ limit: 100 }),
  };
  const samples: Record<string, number[]> = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
  // Warm up (JIT, keep-alive sockets), then interleave the variants round by round.
  for (const fn of Object.values(variants)) await time(fn, 50, []);
  const perRound = Math.ceil(CALLS / ROUNDS);
  for (let r = 0; r < ROUNDS; r++)
    for (const [name, fn] of Object.entries(variants)) await time(fn, perRound, samples[name]!);
  server.close();

  const parsed = JSON.parse(body) as unknown;
  for (let i = 0; i < 50; i++) CustomerListSchema.parse(parsed);
  const v: number[] = [];
  for (let i = 0; i < VALIDATIONS; i++) {
    const t0 = performance.now();
    CustomerListSchema.parse(parsed);
    v.push(performance.now() - t0);
  }

  const results = Object.fromEntries(Object.entries(samples).map(([k, s]) => [k, stats(s)]));
  const rawMean = results['raw axios']!.meanUs;
  const report = {
    benchmark: 'sdk-overhead',
    quick,
    node: process.version,
    endpoint: 'GET /v1/customers?limit=100 on a local node:http server (127.0.0.1), 100-customer page',
    baseline:
      "'raw axios' = axios.create with maxRedirects: 0 and proxy: false, as the SDK configures it; 'raw axios (defaults)' for reference",
    pageBytes: Buffer.byteLength(body),
    results,
    ratio: {
      sdkOffVsRaw: Math.round((results['sdk, validation off']!.meanUs / rawMean) * 100) / 100,
      sdkStrictVsRaw: Math.round((results['sdk, strict validation']!.meanUs / rawMean) * 100) / 100,
      /** Medians resist the noise of a shared machine better than means. */
      p50SdkOffVsRaw: Math.round((results['sdk, validation off']!.p50Us / results['raw axios']!.p50Us) * 100) / 100,
      p50SdkStrictVsRaw:
        Math.round((results['sdk, strict validation']!.p50Us / results['raw axios']!.p50Us) * 100) / 100,
    },
    overheadUs: {
      sdkOff: Math.round((results['sdk, validation off']!.meanUs - rawMean) * 10) / 10,
      sdkStrict: Math.round((results['sdk, strict validation']!.meanUs - rawMean) * 10) / 10,
    },
    zodValidation100ItemPage: stats(v),
    generatedAt: new Date().toISOString(),
  };

  const rows = Object.entries(results).map(
    ([k, s]) =>
      `${k.padEnd(26)} ${String(s.meanUs).padStart(9)} ${String(s.p50Us).padStart(9)} ${String(s.p99Us).padStart(9)}`,
  );
  process.stdout.write(
    [
      `SDK overhead vs raw axios (${report.endpoint}; ${perRound * ROUNDS} calls each, interleaved)`,
      `${'variant'.padEnd(26)} ${'mean µs'.padStart(9)} ${'p50 µs'.padStart(9)} ${'p99 µs'.padStart(9)}`,
      ...rows,
      `ratio sdk/raw (mean): ${report.ratio.sdkOffVsRaw}× (validation off), ${report.ratio.sdkStrictVsRaw}× (strict); overhead ${report.overheadUs.sdkOff} µs / ${report.overheadUs.sdkStrict} µs per call`,
      `ratio sdk/raw (p50):  ${report.ratio.p50SdkOffVsRaw}× (validation off), ${report.ratio.p50SdkStrictVsRaw}× (strict)`,
      `zod validation of a 100-item page: mean ${report.zodValidation100ItemPage.meanUs} µs, p50 ${report.zodValidation100ItemPage.p50Us} µs, p99 ${report.zodValidation100ItemPage.p99Us} µs`,
      '',
    ].join('\n'),
  );
  const out = path.join(REPO_ROOT, 'reports', 'bench', 'sdk.json');
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`wrote ${path.relative(REPO_ROOT, out)}\n`);
}

await main();
