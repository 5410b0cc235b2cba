import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { STATS_PREFIX, startStatsLines, statsInterval, type StatsSample } from './stats-line.ts';

describe('stats lines', () => {
  it('are off unless the environment asks for them with a whole number of milliseconds', () => {
    expect(statsInterval({})).toBeUndefined();
    expect(statsInterval({ TENANTPROOF_STATS_EVERY: '15s' })).toBeUndefined();
    expect(statsInterval({ TENANTPROOF_STATS_EVERY: '15000' })).toBe(15_000);
    expect(statsInterval({ TENANTPROOF_STATS_EVERY: '5' })).toBe(100);
  });

  it('write a line at once and a last one when stopped, with the campaign counters as they are then', () => {
    const out = new PassThrough();
    let written = '';
    out.on('data', (d: Buffer) => (written += d.toString()));
    let requests = 0;
    const stop = startStatsLines(
      60_000,
      () =>
        requests === 0
          ? undefined
          : {
              phase: 'search',
              runs: 3,
              requests,
              findings: 0,
              batches: 1,
              fingerprints: 40,
              poolFingerprints: 25,
              poolRecords: 7,
            },
      out,
    );
    requests = 120;
    stop();
    const samples = written
      .trim()
      .split('\n')
      .map((line) => {
        expect(line.startsWith(STATS_PREFIX)).toBe(true);
        return JSON.parse(line.slice(STATS_PREFIX.length)) as StatsSample;
      });
    expect(samples).toHaveLength(2);
    expect(samples[0]).toMatchObject({ runs: 0, requests: 0, fingerprints: 0, poolFingerprints: 0, poolRecords: 0 });
    expect(samples[1]).toMatchObject({
      phase: 'search',
      runs: 3,
      requests: 120,
      fingerprints: 40,
      poolFingerprints: 25,
      poolRecords: 7,
    });
    expect(samples[1]!.rssMB).toBeGreaterThan(0);
    expect(samples[1]!.cpuMs).toBeGreaterThanOrEqual(samples[0]!.cpuMs);
  });
});
