/**
 * Attributes the self time of a V8 CPU profile of the reference CRM to areas of a request:
 * validation, auth, the tenant transaction, audit, the app's own code, the pg driver, PGlite,
 * Fastify, logging, sockets, JSON builtins, GC. Frames that say nothing about who asked for the
 * work (V8 builtins with no URL, Node internals other than sockets/HTTP, `node:crypto`) are
 * charged to the nearest caller that does, so a `createHash` in the API-key resolver counts as
 * auth. Used by `bench:crm --profile`.
 */
import { attributeProfileWith, type ProfileNode } from './cpu-profile.ts';

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

/** The CRM process's profile, read with the CRM's areas (`crm/` functions get inclusive time). */
export function summariseCrmProfile(file: string): CrmProfileSummary {
  const read = attributeProfileWith(file, {
    buckets: CRM_AREAS,
    classify: classifyFrame,
    fallback: 'other',
    ownFolder: '/crm/',
  });
  return {
    areasUs: read.bucketsUs,
    busyUs: read.busyUs,
    idleUs: read.idleUs,
    windowUs: read.windowUs,
    samples: read.samples,
    topFunctions: read.topFunctions.map(({ bucket, ...rest }) => ({ ...rest, area: bucket })),
    topInclusive: read.topInclusive,
  };
}
