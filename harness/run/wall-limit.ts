/**
 * The run's wall-time ceiling. A hostile target can hold every request to its deadline, and a
 * phase only checks its own deadline between requests, so without a ceiling the phases' overruns
 * add up. At `budget + shrink budget + 60 s` less a reserve for sealing the evidence, the limit
 * aborts whatever is in flight (requests, shrinking, replays, the negative control); the run then
 * seals what it has, marked partial, and says why.
 */
import { formatDuration } from './duration.ts';

/** The slack the promise allows after the budgets: budget + shrink budget + 60 s. */
export const WALL_SLACK_MS = 60_000;
/** Kept back from the slack for writing, signing and sealing the evidence once the limit strikes. */
export const SEAL_RESERVE_MS = 20_000;

export class WallLimit {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  readonly reason: string;

  /** `slackMs` and `reserveMs` are for tests; a run uses WALL_SLACK_MS and SEAL_RESERVE_MS. */
  constructor(budgetMs: number, shrinkBudgetMs: number, { slackMs = WALL_SLACK_MS, reserveMs = SEAL_RESERVE_MS } = {}) {
    const ceiling = budgetMs + shrinkBudgetMs + slackMs;
    this.reason = `the run reached its wall-time limit (${formatDuration(ceiling)}: budget + shrink budget + ${formatDuration(slackMs)}, ${formatDuration(reserveMs)} of it kept to seal the evidence); requests still in flight were cancelled`;
    this.timer = setTimeout(() => this.controller.abort(this.reason), Math.max(0, ceiling - reserveMs));
    this.timer.unref();
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get reached(): boolean {
    return this.controller.signal.aborted;
  }

  dispose(): void {
    clearTimeout(this.timer);
  }
}

/** Why a run stopped early, from the signal that stopped it: the wall limit says so; else a signal. */
export function stopReason(signal: AbortSignal): string {
  return typeof signal.reason === 'string' ? signal.reason : 'stopped by signal';
}
