/**
 * Step 2 of `tenantproof init`: recognise, from the spec alone, how a tenant comes to exist, how
 * its users authenticate and how a request selects it. Every conclusion carries its evidence (the
 * operation and what in it decided), so init can print why it chose what it wrote. Nothing here
 * talks to the target: the generated module works the rest out from the real responses.
 */
import type { ApiModel, OperationInfo } from '../openapi/api-model.ts';
import { isObject, type JsonObject, type SpecDocument } from '../openapi/spec-document.ts';
import { objectShape } from '../openapi/schema-shape.ts';
import { isTenantFieldName, DEFAULT_TENANT_FIELDS } from '../openapi/tenant-fields.ts';
import { ownershipContext } from '../openapi/tenant-ownership.ts';
import { fieldNames, isEmailName, isPasswordName, isTokenName, planBody, type BodyField } from './init-body-plan.ts';

/** One request the module sends, with what made init choose it. */
export interface PlannedCall {
  method: string;
  path: string;
  operationId: string;
  body: BodyField[];
  /** What the spec says the success response carries: a token field, a cookie, or nothing known. */
  returns: 'token' | 'cookie' | 'none' | 'unknown';
  evidence: string;
}

/** How a tenant comes to exist. */
export type TenantBootstrap =
  | { kind: 'signup'; signup: PlannedCall; login?: PlannedCall }
  | {
      kind: 'admin';
      create: PlannedCall;
      /** How the admin credential is sent. */
      adminHeader: { name: string; prefix: string };
      /** The environment variable holding it (never written to disk). */
      envVar: string;
    }
  | { kind: 'none'; evidence: string };

/** How every tenant request authenticates. */
export type CredentialShape =
  | { kind: 'bearer'; evidence: string }
  | { kind: 'header'; name: string; evidence: string }
  | { kind: 'cookie'; name?: string; evidence: string };

/** How a request says which tenant it is for. */
export type TenantSelection =
  | { kind: 'credential'; evidence: string }
  | { kind: 'subdomain'; variable: string; hostTemplate: string; evidence: string }
  | { kind: 'path'; param: string; evidence: string }
  | { kind: 'header'; name: string; evidence: string };

export interface InviteFlow {
  invite: PlannedCall;
  accept: PlannedCall;
  /** The role the invited user gets. */
  role: string;
}

export interface TenancyPlan {
  title: string;
  bootstrap: TenantBootstrap;
  /** Every bootstrap flow found, best first; `bootstrap` is the first (or the one the user chose). */
  candidates: TenantBootstrap[];
  credential: CredentialShape;
  selection: TenantSelection;
  invite?: InviteFlow;
  /** `tenantFields` settings implied by the spec (`header:X-Org-Id`, `body:organisationId`). */
  tenantFields: string[];
  /** The spec documents 429 or rate-limit headers: campaign settings to be gentle. */
  /** `maxRps` only when the spec states the limit; otherwise the campaign paces itself by the server's headers. */
  rateLimit?: { maxRps?: string; evidence: string };
  /** A first role name for the tenant's first user, when the bootstrap is a sign-up. */
  firstRole?: string;
}

export const ADMIN_ENV_VAR = 'TENANTPROOF_ADMIN_TOKEN';

const SIGNUP_PATH = /(^|\/)(sign-?up|sign_up|register|registration|accounts?|join|onboard(ing)?)$/i;
const LOGIN_PATH = /(^|\/)(log-?in|log_in|sign-?in|sign_in|token|tokens|sessions?|authenticate|auth)$/i;
const TENANT_COLLECTION = /^(tenants|organi[sz]ations|orgs|workspaces|accounts|companies|teams)$/i;
const INVITE_COLLECTION = /^(invites|invitations)$/i;
const ACCEPT_PATH = /accept|join|redeem|claim/i;
const TOKEN_FIELDS =
  /^(token|accesstoken|access_token|jwt|idtoken|id_token|apikey|api_key|key|sessiontoken|authtoken)$/i;
const SUBDOMAIN_VARS = /^(tenant|workspace|org|organi[sz]ation|subdomain|account|team|company|slug)$/i;

/** The operation object itself, from the bundled document. */
function rawOperation(doc: SpecDocument, op: OperationInfo): JsonObject {
  return doc.object(doc.lookup(`#${op.pointer}`));
}

/** The security requirement that applies (`[]` when public). */
function securityOf(doc: SpecDocument, op: OperationInfo): JsonObject[] {
  const raw = rawOperation(doc, op);
  const security = raw.security !== undefined ? raw.security : doc.root.security;
  return Array.isArray(security) ? security.filter(isObject) : [];
}

function isPublic(doc: SpecDocument, op: OperationInfo): boolean {
  const security = securityOf(doc, op);
  return security.length === 0 || security.some((req) => Object.keys(req).length === 0);
}

const lastSegment = (path: string): string =>
  path
    .split('/')
    .filter((s) => s && !s.startsWith('{'))
    .pop() ?? '';

function bodyFieldsOf(doc: SpecDocument, op: OperationInfo): string[] {
  const shape = op.requestBody ? objectShape(doc, op.requestBody.schema) : undefined;
  return Object.keys(shape?.properties ?? {});
}

/** What the success response documents: a token-ish field somewhere, a Set-Cookie header, or nothing. */
function returnsOf(doc: SpecDocument, op: OperationInfo): PlannedCall['returns'] {
  const raw = rawOperation(doc, op);
  const responses = isObject(raw.responses) ? raw.responses : {};
  for (const [status, response] of Object.entries(responses)) {
    if (!/^2/.test(status)) continue;
    const r = doc.object(response);
    const headers = isObject(r.headers) ? Object.keys(r.headers) : [];
    if (headers.some((h) => h.toLowerCase() === 'set-cookie')) return 'cookie';
  }
  if (op.successResponse?.schema === undefined) return 'unknown';
  return hasTokenField(doc, op.successResponse.schema, 0) ? 'token' : 'none';
}

function hasTokenField(doc: SpecDocument, schema: unknown, depth: number): boolean {
  if (depth > 3) return false;
  const shape = objectShape(doc, schema);
  if (!shape) return false;
  return Object.entries(shape.properties).some(
    ([name, prop]) => TOKEN_FIELDS.test(name) || hasTokenField(doc, prop, depth + 1),
  );
}

function describeReturns(returns: PlannedCall['returns']): string {
  return returns === 'token'
    ? 'returns a token'
    : returns === 'cookie'
      ? 'sets a cookie'
      : returns === 'none'
        ? 'no token in the documented response'
        : 'response not documented: the module reads the real one';
}

function call(doc: SpecDocument, op: OperationInfo, body: BodyField[], evidence: string): PlannedCall {
  return {
    method: op.method.toUpperCase(),
    path: op.path,
    operationId: op.operationId,
    body,
    returns: returnsOf(doc, op),
    evidence,
  };
}

/** Public POSTs that create a tenant and its first user, best first. */
function signupCandidates(model: ApiModel): PlannedCall[] {
  const doc = model.document;
  const found: { score: number; call: PlannedCall }[] = [];
  for (const op of model.operations) {
    if (op.method !== 'post' || !isPublic(doc, op)) continue;
    const fields = bodyFieldsOf(doc, op);
    const hasEmail = fields.some(isEmailName);
    const hasPassword = fields.some(isPasswordName);
    const last = lastSegment(op.path);
    const pathFits = SIGNUP_PATH.test(last) || (TENANT_COLLECTION.test(last) && !op.path.includes('{'));
    if (!pathFits || !hasPassword || !hasEmail || LOGIN_PATH.test(last) || ACCEPT_PATH.test(op.path)) continue;
    const names = fields.some((f) => /org|tenant|workspace|company|account|team/i.test(f));
    const body = planBody(doc, op.requestBody?.schema) ?? [];
    const returns = returnsOf(doc, op);
    found.push({
      score: (names ? 2 : 0) + (returns === 'token' ? 1 : 0),
      call: call(
        doc,
        op,
        body,
        `sign-up: ${op.method.toUpperCase()} ${op.path} (public, body ${fieldNames(body)}; ${describeReturns(returns)})`,
      ),
    });
  }
  return found.sort((a, b) => b.score - a.score).map((f) => f.call);
}

function findLogin(model: ApiModel): PlannedCall | undefined {
  const doc = model.document;
  for (const op of model.operations) {
    if (op.method !== 'post' || !isPublic(doc, op)) continue;
    if (!LOGIN_PATH.test(lastSegment(op.path))) continue;
    if (!bodyFieldsOf(doc, op).some(isPasswordName)) continue;
    const body = planBody(doc, op.requestBody?.schema) ?? [];
    const returns = returnsOf(doc, op);
    return call(
      doc,
      op,
      body,
      `login: ${op.method.toUpperCase()} ${op.path} (public, body ${fieldNames(body)}; ${describeReturns(returns)})`,
    );
  }
  return undefined;
}

function adminCandidates(model: ApiModel): TenantBootstrap[] {
  const doc = model.document;
  const ctx = ownershipContext(doc);
  const schemes =
    isObject(doc.root.components) && isObject(doc.root.components.securitySchemes)
      ? doc.root.components.securitySchemes
      : {};
  const out: TenantBootstrap[] = [];
  for (const op of model.operations) {
    if (op.method !== 'post' || op.path.endsWith('}') || !TENANT_COLLECTION.test(lastSegment(op.path))) continue;
    const requirement = securityOf(doc, op).find((req) => Object.keys(req).some((name) => ctx.adminSchemes.has(name)));
    if (!requirement) continue;
    const schemeName = Object.keys(requirement).find((name) => ctx.adminSchemes.has(name))!;
    const scheme = doc.object(schemes[schemeName]);
    const adminHeader =
      scheme.type === 'apiKey' && scheme.in === 'header' && typeof scheme.name === 'string'
        ? { name: scheme.name, prefix: '' }
        : { name: 'Authorization', prefix: scheme.scheme === 'basic' ? 'Basic ' : 'Bearer ' };
    const body = planBody(doc, op.requestBody?.schema) ?? [];
    out.push({
      kind: 'admin',
      create: call(
        doc,
        op,
        body,
        `admin create: ${op.method.toUpperCase()} ${op.path} (admin scheme ${schemeName}: ${adminHeader.name}; body ${fieldNames(body)})`,
      ),
      adminHeader,
      envVar: ADMIN_ENV_VAR,
    });
  }
  return out;
}

/** The security scheme most tenant-owned operations require. */
function detectCredential(model: ApiModel): CredentialShape {
  const doc = model.document;
  const ctx = ownershipContext(doc);
  const counts = new Map<string, number>();
  for (const op of model.operations.filter((o) => o.tenantOwned))
    for (const req of securityOf(doc, op))
      for (const name of Object.keys(req))
        if (!ctx.adminSchemes.has(name)) counts.set(name, (counts.get(name) ?? 0) + 1);
  const best = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
  const schemes =
    isObject(doc.root.components) && isObject(doc.root.components.securitySchemes)
      ? doc.root.components.securitySchemes
      : {};
  if (!best) return { kind: 'bearer', evidence: 'credential: none declared; assuming Authorization: Bearer <token>' };
  const scheme = doc.object(schemes[best]);
  if (scheme.type === 'apiKey' && scheme.in === 'cookie')
    return {
      kind: 'cookie',
      ...(typeof scheme.name === 'string' ? { name: scheme.name } : {}),
      evidence: `credential: cookie ${String(scheme.name)} (scheme ${best}: apiKey in cookie)`,
    };
  if (scheme.type === 'apiKey' && scheme.in === 'header' && typeof scheme.name === 'string')
    return {
      kind: 'header',
      name: scheme.name,
      evidence: `credential: header ${scheme.name} (scheme ${best}: apiKey in header)`,
    };
  const format = typeof scheme.bearerFormat === 'string' ? ` ${scheme.bearerFormat}` : '';
  return {
    kind: 'bearer',
    evidence:
      `credential: Authorization: Bearer${format} (scheme ${best}: ${String(scheme.type)} ${String(scheme.scheme ?? '')})`.trim(),
  };
}

function detectSelection(model: ApiModel): TenantSelection {
  const doc = model.document;
  // A servers URL with a variable in the host: `https://{workspace}.bookly.test`.
  for (const server of Array.isArray(doc.root.servers) ? doc.root.servers.filter(isObject) : []) {
    const url = String(server.url ?? '');
    const host = /^[a-z]+:\/\/([^/]+)/i.exec(url)?.[1] ?? '';
    const variable = [...host.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!).find((v) => SUBDOMAIN_VARS.test(v));
    if (variable)
      return {
        kind: 'subdomain',
        variable,
        hostTemplate: host,
        evidence: `tenant: by subdomain (servers URL ${url}); each tenant's requests carry Host: ${host}`,
      };
  }
  const owned = model.operations.filter((o) => o.tenantOwned);
  // The first path parameter of the tenant-owned paths is a tenant id: `/orgs/{orgId}/…`.
  const firstParams = new Map<string, number>();
  for (const op of owned) {
    const m = /^((?:\/[^{}/]+)*)\/\{([^}]+)\}/.exec(op.path);
    const segment = m?.[1]?.split('/').pop() ?? '';
    if (m && (isTenantFieldName(m[2]!) || TENANT_COLLECTION.test(segment)))
      firstParams.set(m[2]!, (firstParams.get(m[2]!) ?? 0) + 1);
  }
  const [param, uses] = [...firstParams.entries()].sort((a, b) => b[1] - a[1])[0] ?? [];
  if (param && uses && uses * 2 >= owned.length)
    return {
      kind: 'path',
      param,
      evidence: `tenant: by path prefix {${param}} (first path parameter of ${uses} of ${owned.length} tenant-owned operations)`,
    };
  // A required header parameter named like a tenant selector.
  const headers = new Map<string, number>();
  for (const op of owned)
    for (const p of op.parameters)
      if (p.in === 'header' && p.required && isTenantFieldName(p.name))
        headers.set(p.name, (headers.get(p.name) ?? 0) + 1);
  const [header, count] = [...headers.entries()].sort((a, b) => b[1] - a[1])[0] ?? [];
  if (header && count)
    return {
      kind: 'header',
      name: header,
      evidence: `tenant: by header ${header} (required on ${count} of ${owned.length} tenant-owned operations)`,
    };
  return { kind: 'credential', evidence: 'tenant: from the credential (no tenant in host, path or required header)' };
}

function detectInvite(model: ApiModel): InviteFlow | undefined {
  const doc = model.document;
  const invite = model.operations.find(
    (op) =>
      op.method === 'post' &&
      op.tenantOwned &&
      INVITE_COLLECTION.test(lastSegment(op.path)) &&
      !op.path.endsWith('}') &&
      bodyFieldsOf(doc, op).some(isEmailName),
  );
  const accept = model.operations.find(
    (op) =>
      op.method === 'post' &&
      isPublic(doc, op) &&
      /invit/i.test(op.path) &&
      ACCEPT_PATH.test(op.path) &&
      bodyFieldsOf(doc, op).some(isPasswordName),
  );
  if (!invite || !accept) return undefined;
  const role = 'member';
  const inviteBody = planBody(doc, invite.requestBody?.schema, { emailIs: 'memberEmail', role }) ?? [];
  const acceptBody = planBody(doc, accept.requestBody?.schema, { emailIs: 'memberEmail', tokenField: true }) ?? [];
  const tokenInPath = /\{[^}]*(token|code)[^}]*\}/i.test(accept.path);
  if (
    !tokenInPath &&
    !acceptBody.some((f) => f.value.kind === 'inviteToken') &&
    !bodyFieldsOf(doc, accept).some(isTokenName)
  )
    return undefined;
  return {
    invite: call(
      doc,
      invite,
      inviteBody,
      `invite: ${invite.method.toUpperCase()} ${invite.path} (body ${fieldNames(inviteBody)})`,
    ),
    accept: call(
      doc,
      accept,
      acceptBody,
      `accept: ${accept.method.toUpperCase()} ${accept.path} (public, body ${fieldNames(acceptBody)})`,
    ),
    role: roleOf(inviteBody) ?? role,
  };
}

function roleOf(body: readonly BodyField[]): string | undefined {
  const field = body.find((f) => /role/i.test(f.name));
  return field?.value.kind === 'literal' && typeof field.value.value === 'string' ? field.value.value : undefined;
}

function detectTenantFields(model: ApiModel): string[] {
  const defaults = new Set(DEFAULT_TENANT_FIELDS.map((f) => `${f.in}:${f.name}`));
  const out = new Set<string>();
  for (const op of model.operations.filter((o) => o.tenantOwned))
    for (const f of op.tenantFields ?? [])
      if ((f.in === 'header' || f.in === 'body') && !defaults.has(`${f.in}:${f.name}`)) out.add(`${f.in}:${f.name}`);
  return [...out].sort();
}

function detectRateLimit(model: ApiModel): TenancyPlan['rateLimit'] {
  const doc = model.document;
  let evidence: string | undefined;
  // A tenant's limit, not an admin's or a sign-up's: only the operations a campaign sends.
  for (const op of model.operations.filter((o) => o.tenantOwned)) {
    const responses = rawOperation(doc, op).responses;
    for (const [status, response] of Object.entries(isObject(responses) ? responses : {})) {
      const headers = Object.keys(doc.object(doc.object(response).headers));
      const limitHeader = headers.find((h) => /^(retry-after|x?-?ratelimit)/i.test(h));
      if (status === '429' || limitHeader) {
        evidence =
          `rate limit: ${op.method.toUpperCase()} ${op.path} documents ${status === '429' ? '429' : ''}${limitHeader ? ` ${limitHeader}` : ''}`.replace(
            / {2,}/g,
            ' ',
          );
        break;
      }
    }
    if (evidence) break;
  }
  if (!evidence) return undefined;
  // "100 a minute", "100 requests per minute": stay under nine tenths of it.
  const info = doc.object(doc.root.info);
  const perMinute = /(\d+)\s*(?:requests?\s*)?(?:a|per|\/)\s*min(?:ute)?/i.exec(String(info.description ?? ''));
  const rate = perMinute ? Math.max(1, Math.floor(Number(perMinute[1]) * 0.9)) : undefined;
  return {
    ...(rate ? { maxRps: `${rate}/m` } : {}),
    evidence: `${evidence}${perMinute ? ` (the description says ${perMinute[0]})` : ''}`,
  };
}

export function detectTenancy(model: ApiModel): TenancyPlan {
  const login = findLogin(model);
  const signups: TenantBootstrap[] = signupCandidates(model).map((signup) => ({
    kind: 'signup',
    signup,
    ...(login ? { login } : {}),
  }));
  const candidates = [...signups, ...adminCandidates(model)];
  const bootstrap: TenantBootstrap = candidates[0] ?? {
    kind: 'none',
    evidence:
      'no tenant bootstrap found: no public POST sign-up with email and password, and no admin POST on a tenants/organisations collection',
  };
  const invite = detectInvite(model);
  const rateLimit = detectRateLimit(model);
  return {
    title: model.title,
    bootstrap,
    candidates,
    credential: detectCredential(model),
    selection: detectSelection(model),
    ...(invite ? { invite } : {}),
    tenantFields: detectTenantFields(model),
    ...(rateLimit ? { rateLimit } : {}),
  };
}

/** The plan as lines to print: one conclusion and its evidence per line. */
export function describePlan(plan: TenancyPlan): string[] {
  const lines: string[] = [];
  const b = plan.bootstrap;
  if (b.kind === 'signup') {
    lines.push(b.signup.evidence);
    if (b.login)
      lines.push(`${b.login.evidence}${b.signup.returns === 'token' ? ' — used only if sign-up gives no token' : ''}`);
  } else if (b.kind === 'admin') {
    lines.push(
      b.create.evidence,
      `admin credential: from the environment variable ${b.envVar} (never written to disk)`,
    );
  } else lines.push(b.evidence);
  lines.push(plan.credential.evidence, plan.selection.evidence);
  if (plan.invite)
    lines.push(
      plan.invite.invite.evidence,
      `${plan.invite.accept.evidence} → a second user (role ${plan.invite.role}) per tenant`,
    );
  if (plan.tenantFields.length) lines.push(`tenant fields: ${plan.tenantFields.join(', ')}`);
  if (plan.rateLimit)
    lines.push(
      plan.rateLimit.maxRps
        ? `${plan.rateLimit.evidence} → maxRps ${plan.rateLimit.maxRps}`
        : `${plan.rateLimit.evidence} → no maxRps (no limit stated): the campaign waits out Retry-After and paces itself by RateLimit-* headers`,
    );
  return lines;
}

/** A one-line name of a bootstrap flow, for the prompt that picks one. */
export function describeBootstrap(b: TenantBootstrap): string {
  return b.kind === 'signup'
    ? `sign-up ${b.signup.method} ${b.signup.path}`
    : b.kind === 'admin'
      ? `admin ${b.create.method} ${b.create.path}`
      : 'none';
}
