/**
 * A small interface over the two storage backends (embedded PGlite, PostgreSQL through `pg`).
 * Every connection obtained here is the PRIVILEGED bootstrap connection: it is the table owner
 * (a superuser in PGlite and in CI). Tenant-scoped work must go through `tenancy/tenant-tx.ts`,
 * which drops to the `crm_app` role inside the transaction so RLS applies.
 */
export type Row = Record<string, unknown>;

export interface SqlExecutor {
  query<R extends Row = Row>(text: string, params?: readonly unknown[]): Promise<R[]>;
}

export interface Database extends SqlExecutor {
  readonly kind: 'pglite' | 'postgres';
  /** Runs `fn` in one transaction on one connection; commits on success, rolls back on throw. */
  transaction<T>(fn: (sql: SqlExecutor) => Promise<T>): Promise<T>;
  /** Runs a multi-statement script (migrations). */
  exec(script: string): Promise<void>;
  close(): Promise<void>;
}

export class DatabaseError extends Error {
  override name = 'DatabaseError';
}

/** The SQLSTATE of a driver error, if it has one. */
export function sqlState(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code = (error as { code: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}
