/**
 * One keyed request = one transaction. The unit opens on the request's first database use,
 * claims the Idempotency-Key there (before any write), runs every later `scope.run` of the
 * request in the same transaction, and stores the response in it just before it commits. So the
 * key and the writes it guards commit together or not at all, on PGlite and PostgreSQL, in one
 * process or many.
 */
import type { Database, SqlExecutor } from '../db/database.ts';
import { HeldTransaction } from './held-transaction.ts';
import type { IdempotencyStore, StoredResponse } from './idempotency.ts';
import type { TenantScope, TenantTx } from './tenant-scope.ts';

/** The key was already used: its committed response (thrown out of the handler's first `run`). */
export class KeyAlreadyUsed extends Error {
  override name = 'KeyAlreadyUsed';
  constructor(readonly stored: StoredResponse) {
    super('this Idempotency-Key already has a response');
  }
}

export interface IdempotentUnit<Handle> {
  /** What the handler uses instead of its usual scope or database. */
  readonly handle: Handle;
  /** Stores `response` with the claimed key and commits. Opens (and claims) first if unused. */
  commit(response: StoredResponse): Promise<void>;
  /** Rolls back the writes and the claim. */
  rollback(): Promise<void>;
}

interface Claims<Tx> {
  claim(tx: Tx): Promise<StoredResponse | undefined>;
  complete(tx: Tx, response: StoredResponse): Promise<void>;
}

function heldUnit<Tx>(begin: (body: (tx: Tx) => Promise<void>) => Promise<void>, claims: Claims<Tx>) {
  return new HeldTransaction<Tx, StoredResponse>(begin, {
    async onOpen(tx) {
      const stored = await claims.claim(tx);
      if (stored) throw new KeyAlreadyUsed(stored);
    },
    onCommit: (tx, response) => claims.complete(tx, response),
  });
}

/** A tenant request: its `TenantScope` runs every unit of work in the one held transaction. */
export function tenantIdempotentUnit(
  base: TenantScope,
  store: IdempotencyStore,
  key: string,
  hash: string,
): IdempotentUnit<TenantScope> {
  const held = heldUnit<TenantTx>((body) => base.run(body), {
    claim: (tx) => store.claim(tx, key, hash),
    complete: (tx, response) => store.complete(tx, key, response),
  });
  return {
    handle: {
      get tenantId() {
        return base.tenantId;
      },
      run: (fn) => held.use(fn),
    },
    commit: (response) => held.commit(response),
    rollback: () => held.rollback(),
  };
}

/** Tenant provisioning: the privileged database, whose transactions are the one held one. */
export function adminIdempotentUnit(db: Database, claims: Claims<SqlExecutor>): IdempotentUnit<Database> {
  const held = heldUnit<SqlExecutor>((body) => db.transaction(body), claims);
  return {
    handle: {
      ...db,
      kind: db.kind,
      query: (text, params) => held.use((sql) => sql.query(text, params)),
      transaction: (fn) => held.use(fn),
      exec: db.exec.bind(db),
      close: db.close.bind(db),
    },
    commit: (response) => held.commit(response),
    rollback: () => held.rollback(),
  };
}
