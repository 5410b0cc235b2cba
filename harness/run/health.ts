/**
 * Watches the target's answers and decides when it is unusable: unreachable, timing out, or in a
 * storm of 5xx. One bad answer is data for the oracles; a window of mostly bad answers means
 * the campaign can prove nothing: it stops, and its result says why (exit code 3).
 */
import type { Exchange } from '../model/exchange.ts';

export interface HealthOptions {
  /** Exchanges in the sliding window. */
  window: number;
  /** Share of bad exchanges in a full window that makes the target unusable. */
  badShare: number;
  /** Consecutive transport failures (refused, timeout) that end the campaign at once. */
  consecutiveTransportFailures: number;
}

const DEFAULTS: HealthOptions = { window: 40, badShare: 0.75, consecutiveTransportFailures: 5 };

export class HealthMonitor {
  private readonly recent: ('ok' | 'transport' | 'server')[] = [];
  private consecutiveTransport = 0;
  private lastBad: Exchange | undefined;
  private verdict: string | undefined;
  private readonly o: HealthOptions;

  constructor(options: Partial<HealthOptions> = {}) {
    this.o = { ...DEFAULTS, ...options };
  }

  observe(ex: Exchange): void {
    const kind = ex.error ? 'transport' : (ex.response?.status ?? 0) >= 500 ? 'server' : 'ok';
    this.recent.push(kind);
    if (this.recent.length > this.o.window) this.recent.shift();
    if (kind !== 'ok') this.lastBad = ex;
    this.consecutiveTransport = kind === 'transport' ? this.consecutiveTransport + 1 : 0;
    if (this.verdict) return;
    if (this.consecutiveTransport >= this.o.consecutiveTransportFailures) {
      const e = ex.error!;
      this.verdict = `the target stopped answering: ${this.consecutiveTransport} requests in a row failed (${e.code}: ${e.message}; last: ${ex.request.method} ${ex.request.url}). Check that it is running and reachable, or raise the request timeout.`;
      return;
    }
    const bad = this.recent.filter((k) => k !== 'ok').length;
    if (this.recent.length >= this.o.window && bad / this.recent.length >= this.o.badShare) {
      const servers = this.recent.filter((k) => k === 'server').length;
      const last = this.lastBad;
      const what = last?.response
        ? `HTTP ${last.response.status} on ${last.request.method} ${last.request.path}`
        : `${last?.error?.code ?? 'error'} on ${last?.request.method} ${last?.request.path}`;
      this.verdict = `the target is failing: ${bad} of the last ${this.recent.length} requests failed (${servers} with 5xx; latest ${what}). An isolation verdict needs a working target; fix it and run again.`;
    }
  }

  /** Whether the target can still support a verdict. */
  get usable(): boolean {
    return this.verdict === undefined;
  }

  /** Why it cannot, once it cannot. */
  get reason(): string | undefined {
    return this.verdict;
  }
}
