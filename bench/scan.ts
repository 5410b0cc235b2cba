/**
 * Foreign-data scan throughput: `npx tsx bench/scan.ts [--fingerprints 10000] [--mb 200] [--tiny N] [--ratio N]`.
 * Registers N fingerprints (uuids, canaries, emails) across 8 tenants, renders realistic JSON list
 * responses for one tenant (its own ids, canaries and emails, plus ordinary text), and measures MB/s
 * of FingerprintScanner.scanForeign over the raw bytes (bench/support/fingerprint-bench.ts). Not a
 * test: prints one JSON line and writes reports/bench/scan.json with the environment.
 */
import path from 'node:path';
import { environment, outputDir, writeJson } from './support/common.ts';
import {
  fillRegistry,
  FingerprintRegistry,
  measureIncremental,
  measureScan,
  newScanner,
  oneLoadPerByteMbPerSecond,
  syntheticCorpus,
} from './support/fingerprint-bench.ts';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}
const N = arg('fingerprints', 10_000);
const TARGET_MB = arg('mb', 200);

const env = environment();
const registry = new FingerprintRegistry();
const owned = fillRegistry(registry, N);
const corpus = syntheticCorpus(owned);
const scanner = newScanner(registry, {
  ...(process.argv.includes('--tiny') ? { tinyMax: arg('tiny', 16) } : {}),
  ...(process.argv.includes('--ratio') ? { mergeRatio: arg('ratio', 8) } : {}),
});
const t0 = process.hrtime.bigint();
scanner.refresh();
const buildMs = Number(process.hrtime.bigint() - t0) / 1e6;

const scan = measureScan(scanner, corpus, TARGET_MB);
// Context for the number on a shared machine: the same bytes through the cheapest possible
// per-byte loop (one table load per byte, a 1-state "automaton"). The scan cannot beat this.
const floor = oneLoadPerByteMbPerSecond(corpus, TARGET_MB);
// Sanity: every own fingerprint placed is found by the plain scan.
const ownMatchesInFirstResponse = scanner.scan(corpus[0]!).length;
// A campaign registers a few values per create and scans every response: that mix, 3 + 1, 2000 times.
const incremental = measureIncremental(registry, scanner, corpus, 2000, 3, scan.usPerResponse);

const result = {
  fingerprints: N,
  fingerprintsAfterIncremental: registry.size,
  responseBytes: scan.meanResponseBytes,
  buildMs: Math.round(buildMs),
  scannedMB: Math.round(scan.scannedMB),
  seconds: scan.seconds,
  mbPerSecond: Math.round(scan.mbPerSecond),
  usPerResponse: scan.usPerResponse,
  foreignMatches: scan.foreignMatches,
  incrementalMicrosPerRegister3AndScan: Math.round(incremental.usPerIteration),
  incrementalRebuilds: incremental.rebuilds,
  oneLoadPerByteLoopMbPerSecond: Math.round(floor),
  ownMatchesInFirstResponse,
};
console.log(JSON.stringify(result));
writeJson(path.join(outputDir(false), 'scan.json'), {
  benchmark: 'scan',
  environment: env,
  loadavgAtEnd: environment().loadavg,
  result,
});
