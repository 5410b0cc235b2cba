/**
 * Layer 1 + Layer 2 meet here. A `TenantTx` is the only thing repositories accept: it is a
 * transaction in which the role is dropped to `crm_app` (so RLS applies) and `app.tenant_id` is
 * set for this transaction only; it also supplies the explicit `tenant_id = $1` predicate.
 */
import type { Database, Row, SqlExecutor } from '../db/database.ts';

declare const tenantTxBrand: unique symbol;

export interface TenantTx extends SqlExecutor {
  readonly tenantId: string;
  /** The explicit tenant predicate on `alias`, always bound to parameter `$1`. */
  tenantFilter(alias?: string): string;
  readonly [tenantTxBrand]: true;
}

export interface TenantScope {
  /** The tenant this operation acts for. */
  readonly tenantId: string;
  run<T>(fn: (tx: TenantTx) => Promise<T>): Promise<T>;
}

/**
 * Ablation switches. TEST-ONLY: they exist so the tests can prove that each layer alone still
 * isolates tenants. Never turn them off in a deployment.
 */
export interface IsolationSettings {
  /** Explicit `tenant_id = $1` predicates in every query (default on). */
  appFilters: boolean;
  /** `SET LOCAL ROLE crm_app` in every tenant transaction, so RLS applies (default on). */
  rls: boolean;
  /** How the tenant context GUC is set: per transaction (clean) or per session. */
  contextLifetime: 'transaction' | 'session';
}

export class MissingTenantError extends Error {
  override name = 'MissingTenantError';
  constructor() {
    super('no tenant context for this operation');
  }
}

/** Thrown when a `TenantTx` is used after the work it was handed to has finished. */
export class TenantTxClosedError extends Error {
  override name = 'TenantTxClosedError';
  constructor() {
    super('this tenant transaction has finished');
  }
}

const SET_CONTEXT_WITH_ROLE = "SELECT set_config('role', 'crm_app', true), set_config('app.tenant_id', $1, $2)";
const SET_CONTEXT = "SELECT set_config('app.tenant_id', $1, $2)";

interface TenantEntry {
  tx: TenantTx;
  /** Settles with the context statement; the statements after it fail if it failed. */
  contextSet: Promise<unknown>;
  /** From now on `tx` refuses new statements (those already issued still answer). */
  close(): void;
}

/**
 * Sets the context for tenant `id` in the open transaction `sql` and returns the `TenantTx` that
 * acts for it.
 *
 * Every statement issued through `tx` runs after the context statement, on the same connection,
 * in the same transaction. On PostgreSQL they are not held back until the context statement has
 * answered (the driver pipelines them, in order): if it failed, the transaction is aborted and
 * every later statement fails too, so none can run without the role and the tenant. Either way
 * no statement's result is returned before the context statement has succeeded.
 */
function enterTenant(sql: SqlExecutor, settings: IsolationSettings, id: string): TenantEntry {
  if (!id) throw new MissingTenantError();
  // One statement: `set_config('role', …, true)` is `SET LOCAL ROLE` (as PostgREST does it).
  const contextSet = sql.query(settings.rls ? SET_CONTEXT_WITH_ROLE : SET_CONTEXT, [
    id,
    settings.contextLifetime === 'transaction',
  ]);
  // A failure is reported through the statements that follow, or by whoever awaits `contextSet`.
  contextSet.catch(() => {});
  let open = true;
  const tx = {
    tenantId: id,
    async query<R extends Row = Row>(text: string, params?: readonly unknown[]): Promise<R[]> {
      if (!open) throw new TenantTxClosedError();
      const [, rows] = await Promise.all([contextSet, sql.query<R>(text, params)]);
      return rows;
    },
    tenantFilter(alias?: string): string {
      const column = alias ? `${alias}.tenant_id` : 'tenant_id';
      // With app filters ablated the parameter must still be typed, so keep a no-op use of it.
      return settings.appFilters ? `${column} = $1::uuid` : '($1::uuid IS NOT NULL)';
    },
  };
  return { tx: tx as TenantTx, contextSet, close: () => (open = false) };
}

/** Runs `fn` for tenant `id` in the open transaction `sql`; `tx` is valid until `fn` settles. */
async function actAs<T>(
  sql: SqlExecutor,
  pipelined: boolean,
  settings: IsolationSettings,
  id: string,
  fn: (tx: TenantTx) => Promise<T>,
): Promise<T> {
  const entry = enterTenant(sql, settings, id);
  try {
    // PGlite runs one statement at a time: there the context statement is awaited first.
    if (!pipelined) await entry.contextSet;
    const result = await fn(entry.tx);
    await entry.contextSet;
    return result;
  } finally {
    entry.close();
  }
}

/** Where a scope made by `createTenantScope` works: see `batchScopeLike`. */
const ORIGIN = Symbol('tenantScopeOrigin');
type ScopeWithOrigin = TenantScope & { [ORIGIN]?: { db: Database; settings: IsolationSettings } };

export function createTenantScope(db: Database, settings: IsolationSettings, tenantId: () => string): TenantScope {
  const pipelined = db.kind === 'postgres';
  const scope: ScopeWithOrigin = {
    get tenantId() {
      return tenantId();
    },
    run<T>(fn: (tx: TenantTx) => Promise<T>): Promise<T> {
      // Read the tenant only inside the transaction that will use it.
      return db.transaction((sql) => actAs(sql, pipelined, settings, tenantId(), fn));
    },
    [ORIGIN]: { db, settings },
  };
  return scope;
}

/**
 * One transaction that acts for several tenants in turn, for append-only batches (the audit
 * log) where a transaction per tenant would cost a commit, and so a WAL flush, per tenant.
 */
export interface TenantBatchScope {
  /**
   * Calls `fn` once per tenant, in order, all in one transaction. Before each call the context is
   * set to that tenant exactly as `TenantScope.run` sets it (role `crm_app`, `app.tenant_id`), so
   * RLS applies to each tenant's statements for that tenant alone. `fn` must issue its statements
   * at once, before its first `await`: when the next tenant's context is set, the previous
   * tenant's `TenantTx` refuses new statements (`TenantTxClosedError`, rolling the batch back), so
   * no statement can run under another tenant's context. On PostgreSQL the whole batch is
   * pipelined: one round trip, then the commit. One failure rolls back every tenant's work.
   */
  runForEach(tenantIds: readonly string[], fn: (tx: TenantTx) => Promise<void>): Promise<void>;
}

export function createTenantBatchScope(db: Database, settings: IsolationSettings): TenantBatchScope {
  const pipelined = db.kind === 'postgres';
  return {
    runForEach(tenantIds, fn) {
      return db.transaction(async (sql) => {
        if (!pipelined) {
          for (const id of tenantIds) await actAs(sql, pipelined, settings, id, fn);
          return;
        }
        const pending: Promise<unknown>[] = [];
        try {
          for (const id of tenantIds) {
            const entry = enterTenant(sql, settings, id);
            pending.push(fn(entry.tx), entry.contextSet);
            entry.close();
          }
        } catch (error) {
          // A tenant without an id: the batch fails, and the work already issued is left to roll back.
          for (const p of pending) p.catch(() => {});
          throw error;
        }
        await Promise.all(pending);
      });
    },
  };
}

/**
 * A batch scope on the same database with the same isolation settings as `scope`, when
 * `createTenantScope` made it; undefined for any other scope.
 */
export function batchScopeLike(scope: TenantScope): TenantBatchScope | undefined {
  const origin = (scope as ScopeWithOrigin)[ORIGIN];
  return origin && createTenantBatchScope(origin.db, origin.settings);
}
