/**
 * A transaction that is opened on first use and held open across several `use` calls until the
 * caller commits or rolls it back. It lets one request's separate units of work (a handler that
 * calls `scope.run` twice) share a single transaction, so that an idempotency key can be stored
 * atomically with the writes it guards.
 *
 * `begin` is the backend's callback-style transaction (commit when the body resolves, roll back
 * when it throws): the body waits here until `commit` or `rollback` is called.
 */

export type TransactionRunner<Tx> = (body: (tx: Tx) => Promise<void>) => Promise<void>;

export interface HeldTransactionHooks<Tx, Payload> {
  /** Runs first, inside the transaction; a throw rolls back and fails every `use`. */
  onOpen(tx: Tx): Promise<void>;
  /** Runs last, inside the transaction, before it commits. */
  onCommit(tx: Tx, payload: Payload): Promise<void>;
}

/** Thrown inside the held body to roll the transaction back; never escapes `rollback()`. */
class RollbackSignal extends Error {
  override name = 'RollbackSignal';
}

type Outcome<Payload> = { commit: true; payload: Payload } | { commit: false };

export class TransactionNotOpenError extends Error {
  override name = 'TransactionNotOpenError';
}

export class HeldTransaction<Tx, Payload> {
  readonly #begin: TransactionRunner<Tx>;
  readonly #hooks: HeldTransactionHooks<Tx, Payload>;
  #opened: Promise<Tx> | undefined;
  #finished: Promise<void> | undefined;
  #finish: ((outcome: Outcome<Payload>) => void) | undefined;
  /** `use` calls on one connection run one after another. */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(begin: TransactionRunner<Tx>, hooks: HeldTransactionHooks<Tx, Payload>) {
    this.#begin = begin;
    this.#hooks = hooks;
  }

  /** Whether a `use` (or `open`) has started the transaction. */
  get isOpen(): boolean {
    return this.#opened !== undefined;
  }

  /** Opens the transaction now (if not yet open) and runs `onOpen`. */
  open(): Promise<Tx> {
    if (this.#opened) return this.#opened;
    const outcome = new Promise<Outcome<Payload>>((resolve) => (this.#finish = resolve));
    this.#opened = new Promise<Tx>((resolveTx, rejectTx) => {
      this.#finished = this.#begin(async (tx) => {
        try {
          await this.#hooks.onOpen(tx);
        } catch (error) {
          rejectTx(error);
          throw error;
        }
        resolveTx(tx);
        const decided = await outcome;
        if (!decided.commit) throw new RollbackSignal();
        await this.#hooks.onCommit(tx, decided.payload);
      });
      // A failure before the body ran (no connection, say) fails the open too.
      this.#finished.catch((error: unknown) => rejectTx(error));
    });
    return this.#opened;
  }

  /** Runs `fn` inside the held transaction, opening it first if needed. */
  async use<R>(fn: (tx: Tx) => Promise<R>): Promise<R> {
    const tx = await this.open();
    const run = this.#queue.then(
      () => fn(tx),
      () => fn(tx),
    );
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** Runs `onCommit` with `payload` and commits (opening first if unused); rejects if any step fails. */
  async commit(payload: Payload): Promise<void> {
    await this.open();
    if (!this.#finish || !this.#finished) throw new TransactionNotOpenError('the transaction did not open');
    await this.#queue;
    this.#finish({ commit: true, payload });
    await this.#finished;
  }

  /** Rolls back, if open. Never throws: the caller is already handling a failure. */
  async rollback(): Promise<void> {
    if (!this.#finish || !this.#finished) return;
    await this.#queue;
    this.#finish({ commit: false });
    await this.#finished.catch(() => undefined);
  }
}
