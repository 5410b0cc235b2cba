/** Parses human durations such as `500ms`, `60s`, `2m`, `1h30m`, or a bare number of seconds. */
import { UsageError } from '../errors.ts';
export class DurationError extends UsageError {
  constructor(readonly input: string) {
    super(`"${input}" is not a duration: use forms like 90s, 2m, 1h30m or 500ms`);
  }
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

export function parseDuration(input: string | number): number {
  if (typeof input === 'number') {
    if (!Number.isFinite(input) || input <= 0) throw new DurationError(String(input));
    return input * 1000;
  }
  const text = input.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return parseDuration(Number(text));
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) throw new DurationError(input);
  const total = parts.reduce((sum, p) => sum + Number(p[1]) * (UNIT_MS[p[2] as string] ?? 0), 0);
  if (total <= 0) throw new DurationError(input);
  return total;
}

/** Like `parseDuration`, but zero (`0`, `0s`, `0ms`) is allowed: "none". */
export function parseDurationOrZero(input: string | number): number {
  if (input === 0 || (typeof input === 'string' && /^\s*0+(\.0+)?(ms|s|m|h)?\s*$/.test(input))) return 0;
  return parseDuration(input);
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)}s`;
  const m = Math.floor(s / 60);
  return `${m}m${String(Math.round(s - m * 60)).padStart(2, '0')}s`;
}
