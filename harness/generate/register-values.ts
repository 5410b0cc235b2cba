/**
 * Registers fingerprints: the high-entropy values the harness generated (canaries, emails and
 * URIs that carry them, generated UUIDs), and the ids a server issues in its responses.
 */
import type { TenantLabel } from '../model/exchange.ts';
import { isIdLikeName } from '../openapi/naming.ts';
import { CANARY_PATTERN, LOWER_CANARY_PATTERN } from './canary.ts';
import {
  MIN_FINGERPRINT_LENGTH,
  type Fingerprint,
  type FingerprintKind,
  type FingerprintRegistry,
} from './fingerprints.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const EMAIL_OR_URI = /@|^[a-z][a-z0-9+.-]*:\/\//i;

export interface FoundValue {
  value: string;
  kind: FingerprintKind;
  /** JSON-pointer-ish path of the value in the walked document. */
  path: string;
}

function walkStrings(
  value: unknown,
  path: string,
  visit: (s: string, path: string, key: string | undefined) => void,
  key?: string,
): void {
  if (typeof value === 'string') visit(value, path, key);
  else if (Array.isArray(value)) value.forEach((v, i) => walkStrings(v, `${path}/${i}`, visit, key));
  else if (value !== null && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) walkStrings(v, `${path}/${k}`, visit, k);
}

/** The high-entropy values in a generated document: canaries, strings carrying one, UUIDs. */
export function findGeneratedValues(value: unknown): FoundValue[] {
  const out: FoundValue[] = [];
  walkStrings(value, '', (s, path) => {
    for (const m of s.matchAll(CANARY_PATTERN)) out.push({ value: m[0], kind: 'canary', path });
    const carriesCanary = new RegExp(CANARY_PATTERN.source).test(s) || new RegExp(LOWER_CANARY_PATTERN.source).test(s);
    if (carriesCanary && EMAIL_OR_URI.test(s)) out.push({ value: s, kind: 'generated', path });
    if (UUID.test(s)) out.push({ value: s, kind: 'generated', path });
  });
  return out;
}

export interface RegisterResult {
  registered: Fingerprint[];
  /** Values already owned by another tenant: a leak, or a value the server shares between tenants. */
  conflicts: { value: string; owner: TenantLabel; claimedBy: TenantLabel; path: string }[];
}

function registerAll(
  registry: FingerprintRegistry,
  owner: TenantLabel,
  found: FoundValue[],
  source: string,
): RegisterResult {
  const result: RegisterResult = { registered: [], conflicts: [] };
  for (const f of found) {
    if (f.value.length < MIN_FINGERPRINT_LENGTH) continue;
    const existing = registry.ownerOf(f.value);
    if (existing !== undefined && existing !== owner) {
      result.conflicts.push({ value: f.value, owner: existing, claimedBy: owner, path: f.path });
      continue;
    }
    if (registry.register(f.value, owner, f.kind, `${source}${f.path}`)) result.registered.push(registry.get(f.value)!);
  }
  return result;
}

/** Registers every high-entropy value in a generated request (body, query) as owned by `owner`. */
export function registerGeneratedValues(
  registry: FingerprintRegistry,
  owner: TenantLabel,
  value: unknown,
  source: string,
): RegisterResult {
  return registerAll(registry, owner, findGeneratedValues(value), source);
}

/**
 * Registers server-issued ids found in a response to `owner`'s own request: string values of
 * id-like keys (`id`, `uuid`, `slug`, `customerId`, `customer_id`, plus `idFields`). A value
 * already owned by another tenant is not taken over; it is returned as a conflict.
 *
 * Call it only on responses to the tenant's own creates and reads, never on probe responses.
 */
export function registerServerIds(
  registry: FingerprintRegistry,
  owner: TenantLabel,
  json: unknown,
  options: { source: string; idFields?: readonly string[] },
): RegisterResult {
  const extra = new Set(options.idFields ?? []);
  const found: FoundValue[] = [];
  walkStrings(json, '', (s, path, key) => {
    if (key !== undefined && (isIdLikeName(key) || extra.has(key))) found.push({ value: s, kind: 'id', path });
  });
  return registerAll(registry, owner, found, options.source);
}

/**
 * Registers each tenant's secrets (API keys, tokens) as `token` fingerprints, so a key that shows
 * up in another tenant's response is caught. Evidence must still redact them (see harness/tenants).
 */
export function registerTenantSecrets(
  registry: FingerprintRegistry,
  tenants: readonly { label: TenantLabel; secrets: readonly string[] }[],
): RegisterResult {
  const result: RegisterResult = { registered: [], conflicts: [] };
  for (const t of tenants) {
    const found = t.secrets
      .flatMap((s) => [s, s.replace(/^(Bearer|Token|Basic)\s+/i, '')])
      .map((value) => ({ value, kind: 'token' as const, path: '' }));
    const r = registerAll(registry, t.label, found, `${t.label}.credentials`);
    result.registered.push(...r.registered);
    result.conflicts.push(...r.conflicts);
  }
  return result;
}
