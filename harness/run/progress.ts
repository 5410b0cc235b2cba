/**
 * Progress output: one redrawn line on a terminal; on CI (no TTY) a plain line every few seconds,
 * so logs stay readable and a hung run is visible.
 */
import type { CampaignProgress } from './campaign.ts';
import { formatDuration } from './duration.ts';

export interface ProgressReporter {
  update(p: CampaignProgress): void;
  done(): void;
}

export function progressReporter(stream: NodeJS.WriteStream, budgetMs: number, intervalMs = 5000): ProgressReporter {
  const started = Date.now();
  const line = (p: CampaignProgress): string =>
    `${p.phase.padEnd(7)} ${formatDuration(Date.now() - started).padStart(6)} | runs ${p.runs} | requests ${p.requests} | batches ${p.batches} | findings ${p.findings}`;
  if (stream.isTTY) {
    let last = '';
    return {
      update(p) {
        const width = 24;
        const frac = p.phase === 'search' ? Math.min(1, (Date.now() - started) / budgetMs) : 1;
        const bar = '█'.repeat(Math.round(frac * width)).padEnd(width, '░');
        const text = `${bar} ${line(p)}`;
        if (text !== last) stream.write(`\r\x1b[2K${text}`);
        last = text;
      },
      done() {
        if (last) stream.write('\n');
      },
    };
  }
  let lastAt = 0;
  return {
    update(p) {
      if (Date.now() - lastAt < intervalMs) return;
      lastAt = Date.now();
      stream.write(`tenantproof: ${line(p)}\n`);
    },
    done() {},
  };
}
