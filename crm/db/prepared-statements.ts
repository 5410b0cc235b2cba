/**
 * Names for prepared statements: the same SQL text always gets the same name (a digest of the
 * text), so `pg` parses it once per connection and PostgreSQL can reuse its plan. Only statements
 * with parameters are named (a parameterless text may hold several statements, which the extended
 * protocol refuses). The number of distinct texts is bounded by the code (no SQL text carries a
 * value), but a cap keeps a mistake from growing every connection without limit: past it, texts
 * run unnamed, as before.
 */
import { createHash } from 'node:crypto';
import type { QueryConfig } from 'pg';

export const MAX_NAMED_STATEMENTS = 1_000;

const names = new Map<string, string>();

export function statementName(text: string): string | undefined {
  let name = names.get(text);
  if (name === undefined && names.size < MAX_NAMED_STATEMENTS) {
    name = `crm_${createHash('sha256').update(text).digest('base64url').slice(0, 24)}`;
    names.set(text, name);
  }
  return name;
}

export function preparedStatement(text: string, params: readonly unknown[]): QueryConfig {
  const values = params as unknown[];
  if (values.length === 0) return { text };
  const name = statementName(text);
  return name === undefined ? { text, values } : { name, text, values };
}
