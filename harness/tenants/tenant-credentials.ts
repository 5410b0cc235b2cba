/**
 * What provisioning hands the campaign: per tenant a pseudonymous label (`T1`…), the request
 * headers that authenticate it, an opaque id, and the list of secrets evidence writers must
 * redact. `JSON.stringify` of a credential prints the secrets redacted, as a last line of defence.
 */
import { TenantproofError } from '../errors.ts';
import { EXIT } from '../exit-codes.ts';
import type { TenantLabel } from '../model/exchange.ts';

export const MIN_TENANTS = 2;
export const DEFAULT_TENANTS = 4;
export const REDACTED = '[redacted]';

/** Another user of the same tenant (a member beside the admin): its own headers, its role. */
export interface TenantUser {
  readonly role: string;
  /** Headers to send as this user. Values are secrets. */
  readonly headers: Readonly<Record<string, string>>;
}

/** `header:NAME` or `path:NAME`: where a selector goes on a request. */
export const SELECTOR_KEY = /^(header|path):(.+)$/;

export interface TenantCredentials {
  /** Pseudonymous label used everywhere in evidence: `T1`, `T2`, … */
  readonly label: TenantLabel;
  /** Opaque id of the tenant on the target (a tenant id, a user id). Not a secret, but not shown by default. */
  readonly id: string;
  /** Headers to send on every request as this tenant. Values are secrets. */
  readonly headers: Readonly<Record<string, string>>;
  /** Every secret value to redact from anything written to disk (header values, API keys, tokens). */
  readonly secrets: readonly string[];
  /** A name from the provider (e.g. a username), if any. Never used as a label. */
  readonly name?: string;
  /**
   * Non-secret request parts that select this tenant, sent on each of its requests: `header:Host`
   * (tenant by subdomain), `path:orgId` (tenant by path prefix). Probes send another tenant's.
   */
  readonly selectors?: Readonly<Record<string, string>>;
  /** The role of the user `headers` authenticate (`admin`), when the provider says. */
  readonly role?: string;
  /** More users of the same tenant; isolation between tenants stays the verdict, whichever user sends. */
  readonly users?: readonly TenantUser[];
}

export type ProvisioningErrorKind =
  /** The input is wrong: a missing file, bad JSON, a bad return shape, too few tenants. */
  | 'config'
  /** The target refused or could not be reached, or the user's provisioning function threw. */
  | 'target';

export class ProvisioningError extends TenantproofError {
  constructor(
    readonly kind: ProvisioningErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`provisioning failed: ${message}`, kind === 'config' ? EXIT.usage : EXIT.inconclusive, options);
  }
}

export function tenantLabel(index: number): TenantLabel {
  return `T${index}`;
}

/** Builds a credential whose JSON form never shows the secrets. */
export function makeCredentials(input: {
  label: TenantLabel;
  id: string;
  headers: Record<string, string>;
  secrets?: readonly string[];
  name?: string;
  selectors?: Record<string, string>;
  role?: string;
  users?: readonly { role: string; headers: Record<string, string>; secrets?: readonly string[] }[];
}): TenantCredentials {
  const users = (input.users ?? []).map((u) =>
    Object.freeze({ role: u.role, headers: Object.freeze({ ...u.headers }) }),
  );
  const secrets = [
    ...new Set(
      [
        ...Object.values(input.headers),
        ...(input.secrets ?? []),
        ...(input.users ?? []).flatMap((u) => [...Object.values(u.headers), ...(u.secrets ?? [])]),
      ].filter((s) => s.length > 0),
    ),
  ];
  for (const key of Object.keys(input.selectors ?? {}))
    if (!SELECTOR_KEY.test(key))
      throw new ProvisioningError(
        'config',
        `selector ${JSON.stringify(key)} of ${input.label}: use header:NAME or path:NAME`,
      );
  const creds: TenantCredentials = {
    label: input.label,
    id: input.id,
    headers: Object.freeze({ ...input.headers }),
    secrets: Object.freeze(secrets),
    ...(input.name !== undefined ? { name: input.name } : {}),
    ...(input.selectors && Object.keys(input.selectors).length > 0
      ? { selectors: Object.freeze({ ...input.selectors }) }
      : {}),
    ...(input.role !== undefined ? { role: input.role } : {}),
    ...(users.length > 0 ? { users: Object.freeze(users) } : {}),
  };
  Object.defineProperty(creds, 'toJSON', {
    enumerable: false,
    value: () => ({
      label: creds.label,
      id: creds.id,
      headers: Object.fromEntries(Object.keys(creds.headers).map((k) => [k, REDACTED])),
      ...(creds.selectors ? { selectors: creds.selectors } : {}),
      ...(creds.role !== undefined ? { role: creds.role } : {}),
      ...(creds.users
        ? {
            users: creds.users.map((u) => ({
              role: u.role,
              headers: Object.fromEntries(Object.keys(u.headers).map((k) => [k, REDACTED])),
            })),
          }
        : {}),
    }),
  });
  return Object.freeze(creds);
}

/** Every tenant must authenticate differently, or the run cannot tell tenants apart. */
export function assertDistinct(tenants: readonly TenantCredentials[], source: string): void {
  const seen = new Map<string, TenantLabel>();
  for (const t of tenants) {
    const key = JSON.stringify([Object.entries(t.headers).sort(), Object.entries(t.selectors ?? {}).sort()]);
    const other = seen.get(key);
    if (other)
      throw new ProvisioningError(
        'config',
        `${source}: tenants ${other} and ${t.label} have identical headers; each tenant needs its own credentials`,
      );
    seen.set(key, t.label);
  }
}

export function assertCount(count: number, source: string): void {
  if (!Number.isInteger(count) || count < MIN_TENANTS) {
    throw new ProvisioningError('config', `${source}: a run needs at least ${MIN_TENANTS} tenants (got ${count})`);
  }
}
