/**
 * Turns a Step's symbolic values into a concrete request: ValueRefs become the ids the server
 * issued in earlier steps, TenantIdRefs become provisioning ids.
 */
import { InternalError } from '../errors.ts';
import type { Step, StepValue, TenantIdRef, ValueRef } from './step.ts';
import { getPath, idFromLocation, LOCATION_ID_PATH } from './json-path.ts';
import type { World } from './world.ts';

export { getPath, joinPath } from './json-path.ts';

export class UnresolvedReferenceError extends InternalError {
  constructor(
    readonly step: number,
    readonly ref: ValueRef | TenantIdRef,
  ) {
    super(
      '$from' in ref
        ? `step ${step} needs "${ref.path}" from step ${ref.$from}, which did not produce it`
        : `step ${step} needs the provisioning id of ${ref.$tenantId}, which the provisioning adapter did not return`,
    );
  }
}

export interface ResolvedRequest {
  method: string;
  /** Path and query string. */
  path: string;
  headers: Record<string, string>;
  bodyText?: string;
  /** Every concrete string the request carries (path, query, headers, body), for the foreign-data oracle. */
  sentValues: Set<string>;
}

export function isValueRef(v: unknown): v is ValueRef {
  return typeof v === 'object' && v !== null && '$from' in v && 'path' in v;
}

export function isTenantIdRef(v: unknown): v is TenantIdRef {
  return typeof v === 'object' && v !== null && '$tenantId' in v;
}

export function resolveValue(value: StepValue, world: World, stepIndex: number): unknown {
  if (isValueRef(value)) {
    const response = world.responses.get(value.$from);
    const found =
      value.path === LOCATION_ID_PATH
        ? idFromLocation(response?.headers['location'])
        : value.path.startsWith('header:')
          ? response?.headers[value.path.slice('header:'.length).toLowerCase()]
          : getPath(response?.json, value.path);
    if (found === undefined || found === null) throw new UnresolvedReferenceError(stepIndex, value);
    return found;
  }
  if (isTenantIdRef(value)) {
    const tenant = world.tenants.get(value.$tenantId);
    const id = (value.field !== undefined ? tenant?.selectors[value.field] : undefined) ?? tenant?.tenantId;
    if (id === undefined) throw new UnresolvedReferenceError(stepIndex, value);
    return id;
  }
  if (Array.isArray(value)) return value.map((v) => resolveValue(v, world, stepIndex));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveValue(v, world, stepIndex)]));
  }
  return value;
}

function collectStrings(value: unknown, into: Set<string>): void {
  if (typeof value === 'string') into.add(value);
  else if (typeof value === 'number') into.add(String(value));
  else if (Array.isArray(value)) for (const v of value) collectStrings(v, into);
  else if (value !== null && typeof value === 'object') for (const v of Object.values(value)) collectStrings(v, into);
}

/**
 * The sending tenant's selectors: a path tenant prefix (`{orgId}`) the step left open, and the
 * selector headers (`Host`) it did not set itself. So a step sent as another tenant (a victim's
 * re-read) selects that tenant, and an override probe's explicit value wins.
 */
function selectorDefaults(
  step: Step,
  world: World,
): { path: Record<string, StepValue>; headers: Record<string, StepValue> } {
  const path: Record<string, StepValue> = {};
  const headers: Record<string, StepValue> = {};
  const selectors = world.tenants.get(step.tenant)?.selectors ?? {};
  for (const m of step.path.matchAll(/\{([^}]+)\}/g)) {
    const name = m[1]!;
    if (!(name in step.pathParams) && selectors[`path:${name}`] !== undefined)
      path[name] = { $tenantId: step.tenant, field: `path:${name}` };
  }
  const own = new Set(Object.keys(step.headers).map((h) => h.toLowerCase()));
  for (const key of Object.keys(selectors)) {
    if (!key.startsWith('header:')) continue;
    const name = key.slice('header:'.length);
    if (!own.has(name.toLowerCase())) headers[name] = { $tenantId: step.tenant, field: key };
  }
  return { path, headers };
}

export function resolveStep(step: Step, world: World): ResolvedRequest {
  const sentValues = new Set<string>();
  const defaults = selectorDefaults(step, world);
  let path = step.path;
  for (const [name, raw] of Object.entries({ ...defaults.path, ...step.pathParams })) {
    const v = String(resolveValue(raw, world, step.index));
    sentValues.add(v);
    path = path.replace(`{${name}}`, encodeURIComponent(v));
  }
  const query = new URLSearchParams();
  for (const [name, raw] of Object.entries(step.query)) {
    const v = resolveValue(raw, world, step.index);
    if (v === undefined) continue;
    const values = Array.isArray(v) ? v : [v];
    for (const item of values) {
      const text = typeof item === 'object' ? JSON.stringify(item) : String(item);
      sentValues.add(text);
      query.append(name, text);
    }
  }
  const qs = query.toString();
  const headers: Record<string, string> = {};
  for (const [name, raw] of Object.entries({ ...defaults.headers, ...step.headers })) {
    const v = String(resolveValue(raw, world, step.index));
    sentValues.add(v);
    headers[name] = v;
  }
  const resolved: ResolvedRequest = {
    method: step.method.toUpperCase(),
    path: qs ? `${path}?${qs}` : path,
    headers,
    sentValues,
  };
  if (step.body !== undefined) {
    const body = resolveValue(step.body, world, step.index);
    collectStrings(body, sentValues);
    resolved.bodyText = JSON.stringify(body);
  }
  return resolved;
}

/** `resolveStep`, with a reference that did not resolve (an earlier step failed) as a value, not an error. */
export function tryResolveStep(
  step: Step,
  world: World,
): { ok: true; request: ResolvedRequest } | { ok: false; reason: string } {
  try {
    return { ok: true, request: resolveStep(step, world) };
  } catch (err) {
    if (err instanceof UnresolvedReferenceError) return { ok: false, reason: err.message };
    throw err;
  }
}
