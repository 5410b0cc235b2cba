/**
 * Resource figures while a campaign runs, for benchmarks (bench/scale.ts): with
 * TENANTPROOF_STATS_EVERY=<ms> in the environment, `tenantproof run` writes a line to stderr that
 * often: `tenantproof-stats {json}` with the elapsed time, RSS and heap, the process's CPU time, the
 * load average, and the campaign's counters (runs, requests, fingerprints in the runs' registries and
 * in the pool, the pool tenants' records).
 * Off by default; never part of the evidence.
 */
import { loadavg } from 'node:os';
import type { CampaignProgress } from './campaign-types.ts';

export const STATS_ENV = 'TENANTPROOF_STATS_EVERY';
export const STATS_PREFIX = 'tenantproof-stats ';

export interface StatsSample {
  elapsedMs: number;
  rssMB: number;
  heapMB: number;
  /** User + system CPU of the whole process so far. */
  cpuMs: number;
  phase?: CampaignProgress['phase'];
  runs: number;
  requests: number;
  fingerprints: number;
  poolFingerprints: number;
  /** The most live records of one resource a serving pool tenant holds. */
  poolRecords: number;
  /** The machine's 1-minute load average. */
  load1: number;
}

/** The interval the environment asks for, if any (a whole number of milliseconds, at least 100). */
export function statsInterval(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const raw = env[STATS_ENV];
  if (!raw || !/^\d+$/.test(raw)) return undefined;
  return Math.max(100, Number(raw));
}

export function sample(startedMs: number, p: CampaignProgress | undefined): StatsSample {
  const mem = process.memoryUsage();
  const cpu = process.cpuUsage();
  const mb = (b: number): number => Math.round(b / 1e5) / 10;
  return {
    elapsedMs: Date.now() - startedMs,
    rssMB: mb(mem.rss),
    heapMB: mb(mem.heapUsed),
    cpuMs: Math.round((cpu.user + cpu.system) / 1000),
    ...(p ? { phase: p.phase } : {}),
    runs: p?.runs ?? 0,
    requests: p?.requests ?? 0,
    fingerprints: p?.fingerprints ?? 0,
    poolFingerprints: p?.poolFingerprints ?? 0,
    poolRecords: p?.poolRecords ?? 0,
    load1: Math.round((loadavg()[0] ?? 0) * 100) / 100,
  };
}

/** Writes a stats line every `every` ms until the returned function is called (which writes a last one). */
export function startStatsLines(
  every: number,
  read: () => CampaignProgress | undefined,
  out: NodeJS.WritableStream = process.stderr,
): () => void {
  const started = Date.now();
  const write = (): void => {
    out.write(`${STATS_PREFIX}${JSON.stringify(sample(started, read()))}\n`);
  };
  write();
  const timer = setInterval(write, every);
  timer.unref();
  return () => {
    clearInterval(timer);
    write();
  };
}
