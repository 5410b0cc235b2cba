/**
 * Tenant fields by any name: the header and query parameters and top-level body properties of an
 * operation whose names say they select a tenant (`X-Tenant-Id`, `X-Org-Id`, `organisationId`,
 * `workspace_slug`, `teamKey`, `account_id`, …). A careless server takes the tenant from them; the
 * injection probes send another tenant's real id there, and a tenant's own requests send its own.
 */
import { objectShape } from './schema-shape.ts';
import type { SpecDocument } from './spec-document.ts';

export interface TenantField {
  /** `path`: a tenant prefix (`/orgs/{orgId}/…`, see tenant-path-prefix.ts), always required. */
  in: 'header' | 'query' | 'body' | 'path';
  name: string;
  /** Whether the spec requires it (a tenant's own requests must then send its own id). */
  required?: boolean;
}

/** tenant | org | organisation | organization | account | workspace | team | company, then id, slug or key. */
const TENANT_WORD = '(?:tenant|org|organi[sz]ation|account|workspace|team|company)';
const TENANT_NAME = new RegExp(`^(?:x-)?${TENANT_WORD}(?:[-_]?(?:id|slug|key))?$`, 'i');

/** Whether a field's name says it selects a tenant. */
export function isTenantFieldName(name: string): boolean {
  return TENANT_NAME.test(name);
}

/** The tenant fields the spec declares on an operation. */
export function tenantFieldsOf(
  doc: SpecDocument,
  parameters: readonly { name: string; in: string; required: boolean }[],
  body?: unknown,
  tenantPathParams?: ReadonlySet<string>,
): TenantField[] {
  const fields: TenantField[] = [];
  for (const p of parameters) {
    if (p.in === 'path' && tenantPathParams?.has(p.name)) fields.push({ in: 'path', name: p.name, required: true });
    if ((p.in === 'header' || p.in === 'query') && isTenantFieldName(p.name))
      fields.push({ in: p.in, name: p.name, ...(p.required ? { required: true } : {}) });
  }
  const shape = body === undefined ? undefined : objectShape(doc, body);
  for (const name of Object.keys(shape?.properties ?? {})) {
    if (isTenantFieldName(name))
      fields.push({ in: 'body', name, ...(shape!.required.includes(name) ? { required: true } : {}) });
  }
  return fields;
}

/** The override vectors every operation gets, whatever its spec says. */
export const DEFAULT_TENANT_FIELDS: readonly TenantField[] = [
  { in: 'header', name: 'X-Tenant-Id' },
  { in: 'query', name: 'tenant_id' },
  { in: 'query', name: 'tenantId' },
  { in: 'body', name: 'tenantId' },
];

/**
 * Reads a `tenantFields` setting entry: `header:X-Org-Id`, `query:org`, `body:organisationId`, or a
 * bare name (then a body field and a query parameter; a header when it starts with `X-`). Path
 * tenant fields come from the spec's shape (tenant-path-prefix.ts), not from settings.
 */
export function parseTenantField(entry: string): TenantField[] {
  const m = /^(header|query|body):(.+)$/i.exec(entry.trim());
  if (m) return [{ in: m[1]!.toLowerCase() as TenantField['in'], name: m[2]!.trim() }];
  const name = entry.trim();
  if (/^x-/i.test(name)) return [{ in: 'header', name }];
  return [
    { in: 'body', name },
    { in: 'query', name },
  ];
}

/** The union of field lists, each (location, case-insensitive name) once; earlier entries win. */
export function mergeTenantFields(...lists: readonly (readonly TenantField[])[]): TenantField[] {
  const out: TenantField[] = [];
  for (const list of lists)
    for (const f of list)
      if (!out.some((o) => o.in === f.in && o.name.toLowerCase() === f.name.toLowerCase())) out.push({ ...f });
  return out;
}
