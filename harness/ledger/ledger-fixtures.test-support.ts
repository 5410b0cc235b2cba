/**
 * Fixtures for the ledger's unit tests: sealed run folders (real manifest, attestation and
 * transcript, written with the evidence layer's own functions), run entry bodies for the pure
 * incident logic, and scratch folders under the repository's git-ignored .tmp/.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SigningKey } from '../evidence/attestation.ts';
import { evidenceControlMapping, verdictOf } from '../evidence/controls.ts';
import { writeEvidenceFile } from '../evidence/evidence-file.ts';
import type { Evidence, EvidenceFinding } from '../evidence/evidence-schema.ts';
import { sealRunDir } from '../evidence/seal.ts';
import { testResultPredicate } from '../evidence/test-result.ts';
import { TRANSCRIPT_FILE, TranscriptWriter } from '../evidence/transcript.ts';
import type { Exchange } from '../model/exchange.ts';
import type { LedgerFinding, RunBody, RunEntry } from './entry.ts';

const REPO = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');

export function scratchDir(prefix = 'ledger-'): string {
  const root = join(REPO, '.tmp', 'ledger-unit');
  mkdirSync(root, { recursive: true });
  return mkdtempSync(join(root, prefix));
}

export const VICTIM_ID = '7d3f0c52-6a1e-4d7b-9a55-2f4c1c0b9e11';
export const VICTIM_CANARY = 'tpT2secretcanary';
export const VICTIM_EMAIL = 'tpt2secretcanary.80@t2.example';

/** The exchanges of a small run: T2 creates a customer, T1 reads it by id (the leak when `leaky`). */
export function runExchanges(leaky: boolean, versionHeader?: Record<string, string>): Exchange[] {
  const h = (extra: Record<string, string> = {}) => ({
    'content-type': 'application/json',
    ...versionHeader,
    ...extra,
  });
  return [
    {
      seq: 1,
      tenant: 'T2',
      relation: 'own',
      operationId: 'createCustomer',
      request: {
        method: 'POST',
        url: 'http://127.0.0.1:4000/v1/customers',
        path: '/v1/customers',
        headers: { authorization: 'Bearer sk_T2' },
        bodyText: JSON.stringify({ name: VICTIM_CANARY, email: VICTIM_EMAIL }),
      },
      response: {
        status: 201,
        headers: h(),
        bodyText: JSON.stringify({ id: VICTIM_ID, name: VICTIM_CANARY }),
        durationMs: 2,
      },
    },
    {
      seq: 2,
      tenant: 'T1',
      relation: 'foreign',
      victim: 'T2',
      operationId: 'getCustomer',
      request: {
        method: 'GET',
        url: `http://127.0.0.1:4000/v1/customers/${VICTIM_ID}`,
        path: `/v1/customers/${VICTIM_ID}`,
        headers: { authorization: 'Bearer sk_T1' },
      },
      response: leaky
        ? { status: 200, headers: h(), bodyText: JSON.stringify({ id: VICTIM_ID, name: VICTIM_CANARY }), durationMs: 2 }
        : {
            status: 404,
            headers: h({ 'content-type': 'application/problem+json' }),
            bodyText: '{"status":404}',
            durationMs: 2,
          },
    },
  ];
}

/** The foreign-data finding `get-unscoped` gives: with the victim's id, canary and email in it. */
export function leakFinding(id = 'F1', oracle = 'foreign-data'): EvidenceFinding {
  return {
    id,
    oracle,
    proof: 'victim-data',
    confirmation: 'self-proving',
    probe: 'cross-tenant-read',
    severity: 'critical',
    operationId: 'getCustomer',
    attacker: 'T1',
    victim: 'T2',
    summary: `GET /v1/customers/${VICTIM_ID} as T1 returned 2 value(s) owned by T2`,
    evidence: {
      status: 200,
      hits: [
        {
          value: VICTIM_CANARY,
          owner: 'T2',
          kind: 'canary',
          source: 'createCustomer.request.body',
          part: 'body',
          context: { before: '"name":"', match: VICTIM_CANARY, after: '"' },
        },
        {
          value: VICTIM_EMAIL,
          owner: 'T2',
          kind: 'generated',
          source: 'createCustomer.request.body.email',
          part: 'body',
        },
      ],
      reflected: [VICTIM_ID],
    },
    exchanges: [2],
    repro: {
      steps: [
        {
          tenant: 'T2',
          method: 'POST',
          path: '/v1/customers',
          body: { name: VICTIM_CANARY, email: VICTIM_EMAIL },
          response: { status: 201 },
        },
        {
          tenant: 'T3',
          method: 'GET',
          path: `/v1/search?limit=2&q=${VICTIM_CANARY}`,
          headers: { 'X-Tenant-Id': '{tenantId of T2}' },
        },
        {
          tenant: 'T1',
          method: 'GET',
          path: '/v1/customers/{step0.id}',
          response: { status: 200, finding: true, excerpt: { before: '"name":"', match: VICTIM_CANARY, after: '"' } },
        },
      ],
    },
    reproduction: { reproduced: 1, attempts: 1 },
    transcriptLines: [2],
    counterexample: 'counterexamples/1.json',
  };
}

export interface RunSpec {
  runId: string;
  startedAt: string;
  leaky: boolean;
  findings?: EvidenceFinding[];
  /** Coverage cells of getCustomer (default: foreign-data and cross-tenant-access, foreign). */
  cells?: Evidence['coverage']['cells'];
  versionHeader?: Record<string, string>;
  /** Faults of the embedded CRM (default: get-unscoped when leaky). */
  faults?: string[];
  signing?: SigningKey;
}

export function runEvidence(spec: RunSpec): Evidence {
  const findings = spec.findings ?? (spec.leaky ? [leakFinding()] : []);
  const cells = spec.cells ?? [
    { operationId: 'getCustomer', oracle: 'foreign-data', relation: 'foreign' as const, count: 4 },
    { operationId: 'getCustomer', oracle: 'cross-tenant-access', relation: 'foreign' as const, count: 4 },
    { operationId: 'createCustomer', oracle: 'foreign-data', relation: 'own' as const, count: 2 },
  ];
  const negativeControl: Evidence['negativeControl'] = {
    outcome: 'passed',
    oracles: [{ oracle: 'foreign-data', planted: true, fired: true, outcome: 'passed' }],
  };
  const endedAt = new Date(Date.parse(spec.startedAt) + 5_000).toISOString();
  const e: Evidence = {
    schemaVersion: '1.0',
    runId: spec.runId,
    scope: {
      spec: { title: 'Reference CRM', version: '1.0.0', sha256: 'a'.repeat(64), file: 'specs/crm.openapi.yaml' },
      target: {
        kind: 'embedded',
        url: 'http://127.0.0.1:4000',
        ...((spec.faults ?? (spec.leaky ? ['get-unscoped'] : [])).length > 0
          ? { faults: spec.faults ?? ['get-unscoped'] }
          : {}),
      },
      operations: {
        inScope: [
          { operationId: 'getCustomer', method: 'GET', path: '/v1/customers/{customerId}', kind: 'read' },
          { operationId: 'createCustomer', method: 'POST', path: '/v1/customers', kind: 'create' },
          { operationId: 'search', method: 'GET', path: '/v1/search', kind: 'search' },
        ],
        outOfScope: [],
      },
    },
    method: {
      tool: { name: 'tenantproof', version: '0.1.0', gitCommit: null },
      seed: 1,
      budget: { ms: 5000 },
      tenants: ['T1', 'T2', 'T3'],
      oracles: ['foreign-data', 'cross-tenant-access', 'existence'],
      oracleRules: [{ name: 'foreign-data', title: 'Foreign data', rule: 'values of another tenant' }],
      requestCount: 2,
      interleavedBatchCount: 0,
      startedAt: spec.startedAt,
      endedAt,
      partial: false,
    },
    coverage: {
      cells,
      summary: { tenantOwned: 3, probed: 3, ratio: 1, minimum: 0.8, notProbed: [] },
    },
    findings,
    negativeControl,
    controlMapping: [],
    verdict: 'clean',
    ...(spec.signing
      ? {
          signing: {
            algorithm: 'ed25519' as const,
            keyFingerprint: spec.signing.fingerprint,
            keyOrigin: spec.signing.origin,
          },
        }
      : {}),
  };
  e.controlMapping = evidenceControlMapping({ findings, coverage: cells, negativeControl });
  e.verdict = verdictOf({ findings, coverage: cells, negativeControl });
  return e;
}

/** A sealed run folder `<parent>/<runId>` signed with `key`. */
export function sealedRun(parent: string, spec: RunSpec, key: SigningKey): string {
  const dir = join(parent, spec.runId);
  mkdirSync(dir, { recursive: true });
  const t = new TranscriptWriter(join(dir, TRANSCRIPT_FILE), { now: () => new Date(spec.startedAt) });
  for (const ex of runExchanges(spec.leaky, spec.versionHeader)) t.appendExchange(ex);
  t.close();
  const evidence = runEvidence({ ...spec, signing: key });
  writeEvidenceFile(dir, evidence);
  if (evidence.findings.length > 0) {
    mkdirSync(join(dir, 'counterexamples'));
    writeFileSync(join(dir, 'counterexamples', '1.json'), '{}\n');
  }
  sealRunDir(dir, key, testResultPredicate(evidence, []));
  return dir;
}

/** A run entry's body for the pure incident logic. */
export function runBody(
  runId: string,
  startedAt: string,
  options: {
    version?: string;
    findings?: Array<Partial<LedgerFinding>>;
    covered?: RunBody['covered'];
    verdict?: RunBody['verdict'];
    failedOracles?: string[];
    coverage?: RunBody['coverage'];
    partial?: boolean;
  } = {},
): RunBody {
  const findings: LedgerFinding[] = (options.findings ?? []).map((f, i) => ({
    id: `F${i + 1}`,
    oracle: 'foreign-data',
    operationId: 'getCustomer',
    probe: 'cross-tenant-read',
    relation: 'foreign',
    severity: 'critical',
    confirmation: 'self-proving',
    leaked: [{ kind: 'canary', part: 'body' }],
    repro: [{ tenant: 'T1', role: 'attacker', method: 'GET', path: '/v1/customers/{customerId}', finding: true }],
    transcript: 'transcript.ndjson',
    transcriptLines: [2],
    ...f,
  }));
  return {
    runId,
    evidence: {
      path: `runs/${runId}`,
      evidenceSha256: 'e'.repeat(64),
      manifestSha256: 'f'.repeat(64),
      attestationSha256: 'd'.repeat(64),
    },
    runKeyId: 'c'.repeat(64),
    targetVersion: options.version ?? null,
    targetVersionSource: options.version ? 'flag' : 'none',
    startedAt,
    endedAt: startedAt,
    spec: { title: 'CRM', version: '1', sha256: 'a'.repeat(64) },
    target: { kind: 'embedded' },
    verdict: options.verdict ?? (findings.length > 0 ? 'leak' : 'clean'),
    partial: options.partial ?? false,
    coverage: options.coverage === undefined ? { tenantOwned: 3, probed: 3, ratio: 1, minimum: 0.8 } : options.coverage,
    covered: options.covered ?? [
      ['getCustomer', 'foreign-data', 'foreign'],
      ['getCustomer', 'cross-tenant-access', 'foreign'],
      ['getCustomer', 'existence', 'foreign'],
    ],
    negativeControl: { outcome: 'passed', failedOracles: options.failedOracles ?? [] },
    findings,
  };
}

/** Run entries (unsigned: the incident logic reads only seq and body). */
export function runEntries(bodies: readonly RunBody[]): RunEntry[] {
  return bodies.map((body, i) => ({
    v: 1,
    seq: i + 2,
    prev: '0'.repeat(64),
    at: body.startedAt,
    kind: 'run',
    keyId: 'c'.repeat(64),
    body,
    sig: 'AA==',
  }));
}
