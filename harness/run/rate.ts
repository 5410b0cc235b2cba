/** Parses request rates: `20` or `20/s` (per second), `0.5`, `90/m` or `90/min` (per minute), `3600/h`. */
import { UsageError } from '../errors.ts';

export class RateError extends UsageError {
  constructor(readonly input: string) {
    super(`"${input}" is not a request rate: use forms like 20, 0.5, 20/s, 90/m or 3600/h`);
  }
}

const PER_SECONDS: Record<string, number> = { s: 1, sec: 1, m: 60, min: 60, h: 3600 };

/** Requests per second. */
export function parseRate(input: string | number): number {
  if (typeof input === 'number') {
    if (!Number.isFinite(input) || input <= 0) throw new RateError(String(input));
    return input;
  }
  const m = /^\s*(\d+(?:\.\d+)?)\s*(?:\/\s*(s|sec|m|min|h))?\s*$/.exec(input);
  if (!m) throw new RateError(input);
  const rate = Number(m[1]) / (PER_SECONDS[m[2] ?? 's'] ?? 1);
  if (!(rate > 0)) throw new RateError(input);
  return rate;
}
