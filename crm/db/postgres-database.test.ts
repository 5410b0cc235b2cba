/**
 * The PostgreSQL backend's shortcuts keep a transaction a transaction: BEGIN pipelined with the
 * first statement still wraps every statement, a failure rolls all of them back and leaves the
 * connection clean, and a named prepared statement planned for the owner is re-planned for
 * `crm_app`, so RLS applies to it in a tenant transaction. PostgreSQL only (TEST_DATABASE_URL).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTenantScope } from '../tenancy/tenant-scope.ts';
import type { Database } from './database.ts';
import { openDatabase } from './open-database.ts';
import { statementName } from './prepared-statements.ts';
import { createScratchDatabase, type ScratchDatabase } from './scratch-database.ts';

const url = process.env.TEST_DATABASE_URL;

describe.skipIf(!url)('the PostgreSQL backend', () => {
  let scratch: ScratchDatabase;
  /** One connection, so every transaction reuses the connection of the one before. */
  let db: Database;
  const tenantIds: string[] = [];

  beforeAll(async () => {
    scratch = await createScratchDatabase(url!);
    db = await openDatabase({ databaseUrl: scratch.url, poolSize: 1 });
    for (const name of ['a', 'b']) {
      const [tenant] = await db.query<{ id: string }>('INSERT INTO tenants (name) VALUES ($1) RETURNING id', [name]);
      tenantIds.push(tenant!.id);
      await db.query('INSERT INTO customers (tenant_id, name, email) VALUES ($1, $2, $3)', [
        tenant!.id,
        name,
        `${name}@example.com`,
      ]);
    }
  });
  afterAll(async () => {
    await db?.close();
    await scratch?.drop();
  });

  it('runs every statement of a transaction in one transaction, and its local settings end with it', async () => {
    const seen = await db.transaction(async (sql) => {
      const [first] = await sql.query<{ xid: string; set: string }>(
        "SELECT txid_current()::text AS xid, set_config('app.tenant_id', $1, true) AS set",
        [tenantIds[0]],
      );
      const [second] = await sql.query<{ xid: string; tenant: string }>(
        "SELECT txid_current()::text AS xid, current_setting('app.tenant_id', true) AS tenant",
      );
      return { first, second };
    });
    expect(seen.second!.xid).toBe(seen.first!.xid);
    expect(seen.second!.tenant).toBe(tenantIds[0]);
    const [after] = await db.query<{ tenant: string | null }>(
      "SELECT nullif(current_setting('app.tenant_id', true), '') AS tenant",
    );
    expect(after!.tenant).toBeNull();
  });

  it('rolls back every statement when one fails, and the connection serves the next transaction', async () => {
    await expect(
      db.transaction(async (sql) => {
        await sql.query('INSERT INTO tenants (name) VALUES ($1)', ['rolled-back']);
        await sql.query('SELECT 1 / 0 AS boom WHERE $1::int IS NOT NULL', [1]);
      }),
    ).rejects.toThrow(/division by zero/);
    const rows = await db.transaction((sql) =>
      sql.query<{ n: number }>('SELECT count(*)::int AS n FROM tenants WHERE name = $1', ['rolled-back']),
    );
    expect(rows[0]!.n).toBe(0);
    // A failing first statement (sent together with BEGIN) rolls back as well.
    await expect(db.transaction((sql) => sql.query('SELECT nope FROM tenants WHERE $1::int = 1', [1]))).rejects.toThrow(
      /nope/,
    );
    expect(await db.transaction(async () => 'no statement')).toBe('no statement');
    const [state] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM tenants WHERE $1::int = 1', [1]);
    expect(state!.n).toBe(2);
  });

  it('re-plans a prepared statement for crm_app, so RLS filters it in a tenant transaction', async () => {
    const text = 'SELECT count(*)::int AS n FROM customers WHERE $1::uuid IS NOT NULL';
    const count = (rls: boolean) =>
      createTenantScope(db, { appFilters: false, rls, contextLifetime: 'transaction' }, () => tenantIds[0]!).run(
        async (tx) => (await tx.query<{ n: number }>(text, [tx.tenantId]))[0]!.n,
      );
    // Past PostgreSQL's five custom plans, so a generic plan is cached too; alternate roles.
    const counts: number[] = [];
    for (let i = 0; i < 8; i++) counts.push(await count(i % 2 === 1), await count(true));
    expect(counts).toEqual(counts.map((_, i) => (i % 4 === 0 ? 2 : 1)));
    const prepared = await db.query<{ name: string }>('SELECT name FROM pg_prepared_statements WHERE name = $1', [
      statementName(text),
    ]);
    expect(prepared).toHaveLength(1);
  });
});
