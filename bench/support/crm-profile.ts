/**
 * Attributes the self time of a V8 CPU profile of the reference CRM to areas of a request:
 * validation, auth, the tenant transaction, audit, the app's own code, the pg driver, PGlite,
 * Fastify, logging, sockets, JSON builtins, GC. Frames that say nothing about who asked for the
 * work (V8 builtins with no URL, Node internals other than sockets/HTTP, `node:crypto`) are
 * charged to the nearest caller that does, so a `createHash` in the API-key resolver counts as
 * auth. Used by `bench:crm --profile`.
 */
import { readFileSync } from 'node:fs';

export const CRM_AREAS = [
  'validation',
  'auth',
  'tenant-tx',
  'audit',
  'app',
  'json',
  'pg-driver',
  'pglite',
  'fastify',
  'logging',
  'sockets',
  'gc',
  'other',
] as const;
export type CrmArea = (typeof CRM_AREAS)[number];

export const CRM_AREA_LABELS: Record<CrmArea, string> = {
  validation: 'validation (ajv, crm/http/validator-compiler)',
  auth: 'auth (API-key resolution, rate limiter)',
  'tenant-tx': 'tenant transaction (tenant-scope, crm/db)',
  audit: 'audit (crm/audit, record ids)',
  app: 'app, routes, services, repositories, problems',
  json: 'JSON parse/stringify builtins',
  'pg-driver': 'pg driver (pg, pg-protocol, pg-types, pg-pool)',
  pglite: 'PGlite (JS + wasm)',
  fastify: 'Fastify (router, hooks, reply, content parsers)',
  logging: 'logging (pino)',
  sockets: 'node sockets and HTTP (both the HTTP server and the pg socket)',
  gc: 'GC',
  other: 'other (program, microtask queue, unattributed)',
};

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const SOCKETS =
  /^node:(_http|http|net|stream|internal\/(http|net|streams|stream_base|dns|deps\/llhttp|webstreams|abort_controller))/;
const JSON_NAMES = new Set(['parse', 'stringify', 'JSON.parse', 'JSON.stringify', 'JsonParse', 'JsonStringify']);
const FASTIFY_PACKAGES =
  /\/node_modules\/(fastify|find-my-way|light-my-request|avvio|@fastify\/[^/]+|fast-json-stringify|fast-querystring|secure-json-parse|toad-cache|abstract-logging|process-warning|rfdc|fast-decode-uri-component|ret|safe-regex2|content-type)\//;

/** The area a frame speaks for, or undefined to charge its caller. */
function classifyFrame(frame: ProfileNode['callFrame']): CrmArea | undefined {
  const { url, functionName: name } = frame;
  if (name === '(garbage collector)') return 'gc';
  if (name === '(program)' || name === '(root)') return 'other';
  if (url === '') {
    if (JSON_NAMES.has(name)) return 'json';
    // Ajv's compiled validators are `new Function` code: no URL, names like validate12.
    if (/^validate\d*$/.test(name)) return 'validation';
    return undefined;
  }
  if (url.startsWith('wasm://') || url.includes('/@electric-sql/pglite/')) return 'pglite';
  if (/\/node_modules\/(ajv|ajv-formats|fast-uri|fast-deep-equal|json-schema-traverse)\//.test(url))
    return 'validation';
  if (
    /\/node_modules\/(pg|pg-protocol|pg-types|pg-pool|pg-int8|postgres-[a-z]+|pgpass|pg-connection-string)\//.test(url)
  )
    return 'pg-driver';
  if (/\/node_modules\/(pino|pino-[a-z-]+|@pinojs\/[^/]+|sonic-boom|thread-stream|quick-format-unescaped)\//.test(url))
    return 'logging';
  if (FASTIFY_PACKAGES.test(url)) return 'fastify';
  if (url.includes('/crm/http/validator-compiler') || url.includes('/crm/spec/')) return 'validation';
  if (/\/crm\/tenancy\/(authenticator|api-keys|rate-limiter)/.test(url)) return 'auth';
  if (url.includes('/crm/audit/') || url.includes('/crm/http/record-ids')) return 'audit';
  if (url.includes('/crm/tenancy/tenant-scope') || url.includes('/crm/db/')) return 'tenant-tx';
  if (url.includes('/crm/')) return 'app';
  if (SOCKETS.test(url)) return 'sockets';
  if (url.startsWith('node:')) return undefined;
  return 'other';
}

export interface CrmProfileSummary {
  /** Microseconds of self time per area (idle excluded). */
  areasUs: Record<CrmArea, number>;
  busyUs: number;
  idleUs: number;
  windowUs: number;
  samples: number;
  /** Hottest frames by self time (before charging builtins to callers). */
  topFunctions: { function: string; location: string; area: CrmArea; selfUs: number }[];
  /** crm/ functions by inclusive (synchronous) time: self plus everything they called. */
  topInclusive: { function: string; location: string; inclusiveUs: number }[];
}

function shortUrl(url: string): string {
  const crm = url.lastIndexOf('/crm/');
  if (crm >= 0) return url.slice(crm + 1);
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) return url.slice(modules + '/node_modules/'.length);
  return url || '(native)';
}

export function summariseCrmProfile(file: string): CrmProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const node of profile.nodes) byId.set(node.id, node);
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

  const areaOf = new Map<number, CrmArea>();
  const resolve = (id: number): CrmArea => {
    const cached = areaOf.get(id);
    if (cached) return cached;
    const charged: number[] = [];
    let current: number | undefined = id;
    let found: CrmArea = 'other';
    while (current !== undefined) {
      const hit = areaOf.get(current) ?? classifyFrame(byId.get(current)!.callFrame);
      if (hit) {
        found = hit;
        break;
      }
      charged.push(current);
      current = parent.get(current);
    }
    for (const c of charged) areaOf.set(c, found);
    areaOf.set(id, found);
    return found;
  };

  const crmKeys = new Map<number, string[]>();
  const crmKeysOf = (id: number): string[] => {
    const cached = crmKeys.get(id);
    if (cached) return cached;
    const frame = byId.get(id)!.callFrame;
    const up = parent.get(id);
    const inherited = up === undefined ? [] : crmKeysOf(up);
    const key = frame.url.includes('/crm/')
      ? `${frame.functionName || '(anonymous)'}@${shortUrl(frame.url)}`
      : undefined;
    const keys = key && !inherited.includes(key) ? [...inherited, key] : inherited;
    crmKeys.set(id, keys);
    return keys;
  };

  const areasUs = Object.fromEntries(CRM_AREAS.map((a) => [a, 0])) as Record<CrmArea, number>;
  const selfByNode = new Map<number, number>();
  const inclusive = new Map<string, number>();
  let idleUs = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const duration = profile.timeDeltas[i + 1] ?? 0;
    const id = profile.samples[i]!;
    if (byId.get(id)!.callFrame.functionName === '(idle)') {
      idleUs += duration;
      continue;
    }
    areasUs[resolve(id)] += duration;
    selfByNode.set(id, (selfByNode.get(id) ?? 0) + duration);
    for (const key of crmKeysOf(id)) inclusive.set(key, (inclusive.get(key) ?? 0) + duration);
  }

  const byFunction = new Map<string, CrmProfileSummary['topFunctions'][number]>();
  for (const [id, us] of selfByNode) {
    const frame = byId.get(id)!.callFrame;
    const location = frame.url
      ? `${shortUrl(frame.url)}${frame.lineNumber > 0 ? `:${frame.lineNumber + 1}` : ''}`
      : '(native)';
    const key = `${frame.functionName}@${location}`;
    const entry = byFunction.get(key) ?? {
      function: frame.functionName || '(anonymous)',
      location,
      area: resolve(id),
      selfUs: 0,
    };
    entry.selfUs += us;
    byFunction.set(key, entry);
  }
  return {
    areasUs,
    busyUs: Object.values(areasUs).reduce((a, b) => a + b, 0),
    idleUs,
    windowUs: profile.endTime - profile.startTime,
    samples: profile.samples.length,
    topFunctions: [...byFunction.values()].sort((a, b) => b.selfUs - a.selfUs).slice(0, 30),
    topInclusive: [...inclusive.entries()]
      .map(([key, inclusiveUs]) => {
        const at = key.lastIndexOf('@');
        return { function: key.slice(0, at), location: key.slice(at + 1), inclusiveUs };
      })
      .sort((a, b) => b.inclusiveUs - a.inclusiveUs)
      .slice(0, 25),
  };
}
