/**
 * Checkpoint seals: while the campaign runs, the run folder is re-sealed every few seconds as a
 * partial run, so a CI job killed at any moment (even by SIGKILL) leaves verifiable evidence. One
 * seal at a time; a seal that fails is reported and the run goes on.
 */
export class CheckpointSealer {
  /** Seals written so far. */
  count = 0;
  private pending: Promise<unknown> | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** No seal before this time (epoch ms). */
  private notBefore = 0;

  constructor(
    private readonly seal: () => Promise<unknown>,
    private readonly warn: (message: string) => void,
  ) {}

  /** Seals every `everyMs` (0: never) until `stop`. */
  start(everyMs: number): void {
    if (everyMs <= 0) return;
    this.timer = setInterval(() => this.sealNow(), everyMs);
    this.timer.unref();
  }

  /** Stops sealing, and waits for a seal in progress. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.pending;
  }

  private sealNow(): void {
    // A seal costs time the run does not spend probing: after one that took d ms, the next waits
    // at least 4·d, so sealing never takes more than a fifth of the run, however large it grows.
    if (this.pending || Date.now() < this.notBefore) return;
    const started = Date.now();
    this.pending = this.seal()
      .then(() => this.count++)
      .catch((e: unknown) => this.warn(`checkpoint could not be sealed: ${(e as Error).message}`))
      .finally(() => {
        const ended = Date.now();
        this.notBefore = ended + 4 * (ended - started);
        this.pending = undefined;
      });
  }
}
