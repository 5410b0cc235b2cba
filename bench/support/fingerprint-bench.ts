/**
 * The foreign-data scan, measured: a FingerprintRegistry with N fingerprints (uuids, canaries,
 * emails) across 8 tenants, realistic JSON list responses for one tenant (its own ids, canaries
 * and emails among ordinary text), and FingerprintScanner.scanForeign over the raw bytes.
 * Shared by bench/scan.ts, bench/speed.ts and bench/scale.ts.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { FingerprintRegistry } from '../../harness/generate/fingerprints.ts';
import { FingerprintScanner, type FingerprintScannerOptions } from '../../harness/oracles/scan/fingerprint-scanner.ts';

export const SCAN_TENANTS = 8;

export interface OwnedValues {
  ids: string[];
  canaries: string[];
  emails: string[];
}

/** Registers `n` more fingerprints, round-robin over tenants and kinds; returns what each tenant owns. */
export function fillRegistry(
  registry: FingerprintRegistry,
  n: number,
  owned = new Map<string, OwnedValues>(),
): Map<string, OwnedValues> {
  for (let t = 1; t <= SCAN_TENANTS; t++)
    if (!owned.has(`T${t}`)) owned.set(`T${t}`, { ids: [], canaries: [], emails: [] });
  const start = registry.size;
  for (let k = 0; k < n; k++) {
    const i = start + k;
    const tenant = `T${(i % SCAN_TENANTS) + 1}`;
    const o = owned.get(tenant)!;
    const r = i % 3;
    if (r === 0) {
      const v = randomUUID();
      registry.register(v, tenant, 'id', 'bench.id');
      o.ids.push(v);
    } else if (r === 1) {
      const v = `tp${tenant}${randomBytes(5).toString('hex')}`;
      registry.register(v, tenant, 'canary', 'bench.canary');
      o.canaries.push(v);
    } else {
      const v = `user.${randomBytes(5).toString('hex')}@example.com`;
      registry.register(v, tenant, 'generated', 'bench.email');
      o.emails.push(v);
    }
  }
  return owned;
}

const pick = <T>(xs: T[], i: number): T => xs[i % xs.length]!;

/** One HTTP response (status line, headers, body) listing 25 of `me`'s records: about 12 KB. */
export function listResponse(me: OwnedValues, page: number): Buffer {
  const data = Array.from({ length: 25 }, (_, k) => {
    const i = page * 25 + k;
    return {
      id: pick(me.ids, i),
      name: `Acme Holdings ${pick(me.canaries, i)} Ltd`,
      email: pick(me.emails, i),
      phone: '+1-202-555-0143',
      status: 'active',
      tags: ['enterprise', 'renewal', 'q4'],
      notes: 'Customer requested a follow-up call about the invoice schedule and payment terms.',
      ownerId: pick(me.ids, i + 7),
      createdAt: '2026-11-26T06:44:46.123Z',
      updatedAt: '2026-11-26T06:44:47.456Z',
      balance: { amount: 1234.56 + i, currency: 'USD' },
    };
  });
  const body = JSON.stringify({
    data,
    nextCursor: Buffer.from(`c${page}`).toString('base64url'),
    requestId: randomUUID(),
  });
  const head = `HTTP/1.1 200\r\ncontent-type: application/json; charset=utf-8\r\nx-request-id: ${randomUUID()}\r\ndate: Thu, 26 Nov 2026 06:44:46 GMT\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n`;
  return Buffer.from(head + body, 'utf8');
}

export function syntheticCorpus(owned: Map<string, OwnedValues>, pages = 64): Buffer[] {
  return Array.from({ length: pages }, (_, p) => listResponse(owned.get('T1')!, p));
}

export interface ScanMeasure {
  responses: number;
  meanResponseBytes: number;
  scannedMB: number;
  seconds: number;
  mbPerSecond: number;
  /** Mean time to scan one response of the corpus. */
  usPerResponse: number;
  foreignMatches: number;
}

/** Warms up, then scans the corpus (as `tenant`) until about `targetMB` have passed. */
export function measureScan(
  scanner: FingerprintScanner,
  corpus: Buffer[],
  targetMB: number,
  tenant = 'T1',
): ScanMeasure {
  const bytes = corpus.reduce((n, b) => n + b.length, 0);
  let foreign = 0;
  for (let i = 0; i < 3; i++) for (const b of corpus) foreign += scanner.scanForeign(b, tenant).length;
  const rounds = Math.max(1, Math.ceil((targetMB * 1e6) / bytes));
  const t0 = process.hrtime.bigint();
  for (let r = 0; r < rounds; r++) for (const b of corpus) foreign += scanner.scanForeign(b, tenant).length;
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const mb = (rounds * bytes) / 1e6;
  return {
    responses: corpus.length,
    meanResponseBytes: Math.round(bytes / corpus.length),
    scannedMB: Math.round(mb * 10) / 10,
    seconds: Math.round(seconds * 1000) / 1000,
    mbPerSecond: Math.round((mb / seconds) * 10) / 10,
    usPerResponse: Math.round(((seconds * 1e6) / (rounds * corpus.length)) * 100) / 100,
    foreignMatches: foreign,
  };
}

/** The cheapest per-byte loop over the same bytes (one table load per byte): a ceiling for any scan. */
export function oneLoadPerByteMbPerSecond(corpus: Buffer[], targetMB: number): number {
  const table = new Uint8Array(256).fill(1);
  const bytes = corpus.reduce((n, b) => n + b.length, 0);
  const rounds = Math.max(1, Math.ceil((targetMB * 1e6) / bytes));
  let sink = 0;
  const t0 = process.hrtime.bigint();
  for (let r = 0; r < rounds; r++) for (const b of corpus) for (let i = 0; i < b.length; i++) sink += table[b[i]!]!;
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (sink < 0) throw new Error('unreachable');
  return Math.round(((rounds * bytes) / 1e6 / seconds) * 10) / 10;
}

export interface IncrementalMeasure {
  iterations: number;
  registrationsPerIteration: number;
  /** Mean cost of one iteration: `registrationsPerIteration` registrations, then one scan. */
  usPerIteration: number;
  /** The same without the scan's own cost (minus the steady-state per-response scan time). */
  usPerRegistrationOverhead: number;
  rebuilds: number;
  maxIterationMs: number;
}

/**
 * A campaign's pattern: every create registers a few values, and every response is scanned, so
 * the scanner refreshes lazily between scans. `iterations` × (`perIteration` registrations + 1 scan).
 */
export function measureIncremental(
  registry: FingerprintRegistry,
  scanner: FingerprintScanner,
  corpus: Buffer[],
  iterations: number,
  perIteration: number,
  steadyUsPerResponse: number,
): IncrementalMeasure {
  const before = scanner.rebuilds;
  let maxNs = 0n;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) {
    const s = process.hrtime.bigint();
    for (let k = 0; k < perIteration; k++)
      registry.register(randomUUID(), `T${(k % SCAN_TENANTS) + 1}`, 'id', 'bench.incremental');
    scanner.scanForeign(corpus[i % corpus.length]!, 'T1');
    const d = process.hrtime.bigint() - s;
    if (d > maxNs) maxNs = d;
  }
  const us = Number(process.hrtime.bigint() - t0) / 1e3 / iterations;
  return {
    iterations,
    registrationsPerIteration: perIteration,
    usPerIteration: Math.round(us * 10) / 10,
    usPerRegistrationOverhead: Math.round(((us - steadyUsPerResponse) / perIteration) * 10) / 10,
    rebuilds: scanner.rebuilds - before,
    maxIterationMs: Math.round(Number(maxNs) / 1e4) / 100,
  };
}

export function newScanner(registry: FingerprintRegistry, options: FingerprintScannerOptions = {}): FingerprintScanner {
  return new FingerprintScanner(registry, options);
}

export { FingerprintRegistry, FingerprintScanner };
