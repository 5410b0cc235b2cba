/**
 * Serialises work per key within this process: two concurrent requests with the same
 * Idempotency-Key run one after the other, so the second replays the first instead of repeating it.
 */
export class KeyLock {
  readonly #held = new Map<string, Promise<void>>();

  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    for (let current = this.#held.get(key); current; current = this.#held.get(key)) await current;
    let release!: () => void;
    this.#held.set(key, new Promise<void>((resolve) => (release = resolve)));
    try {
      return await fn();
    } finally {
      this.#held.delete(key);
      release();
    }
  }
}
