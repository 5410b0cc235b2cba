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

export function createTenantScope(db: Database, settings: IsolationSettings, tenantId: () => string): TenantScope {
  return {
    get tenantId() {
      return tenantId();
    },
    run<T>(fn: (tx: TenantTx) => Promise<T>): Promise<T> {
      return db.transaction(async (sql) => {
        // Read the tenant only now, inside the transaction that will use it.
        const id = tenantId();
        if (!id) throw new MissingTenantError();
        // One round trip: `set_config('role', …, true)` is `SET LOCAL ROLE` (as PostgREST does it).
        await sql.query(
          settings.rls
            ? "SELECT set_config('role', 'crm_app', true), set_config('app.tenant_id', $1, $2)"
            : "SELECT set_config('app.tenant_id', $1, $2)",
          [id, settings.contextLifetime === 'transaction'],
        );
        const tx = {
          tenantId: id,
          query<R extends Row = Row>(text: string, params?: readonly unknown[]): Promise<R[]> {
            return sql.query<R>(text, params);
          },
          tenantFilter(alias?: string): string {
            const column = alias ? `${alias}.tenant_id` : 'tenant_id';
            // With app filters ablated the parameter must still be typed, so keep a no-op use of it.
            return settings.appFilters ? `${column} = $1::uuid` : '($1::uuid IS NOT NULL)';
          },
        };
        return fn(tx as TenantTx);
      });
    },
  };
}
