import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Exchange } from '../model/exchange.ts';
import { loadSigningKey, type SigningKey } from './attestation.ts';
import { evidenceControlMapping, verdictOf } from './controls.ts';
import { testResultPredicate } from './test-result.ts';
import { writeEvidenceFile } from './evidence-file.ts';
import type { Evidence } from './evidence-schema.ts';
import { renderJunit } from './junit.ts';
import { renderSarif, serializeSarif } from './sarif.ts';
import { sealRunDir } from './seal.ts';
import { TRANSCRIPT_FILE, TranscriptWriter } from './transcript.ts';

export const API_KEY_T1 = 'sk_live_T1_aaaaaaaaaaaaaaaaaaaa';
export const API_KEY_T2 = 'sk_live_T2_bbbbbbbbbbbbbbbbbbbb';
export const ADMIN_TOKEN = 'admin-token-cccccccccccccccc';
export const B_ID = '22222222-1111-4222-8222-222222222222';

export function tmpDir(prefix = 'tp-evidence-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function exchanges(): Exchange[] {
  return [
    {
      seq: 1,
      tenant: 'T1',
      relation: 'setup',
      operationId: 'createTenant',
      request: {
        method: 'POST',
        url: 'http://127.0.0.1:4000/v1/tenants',
        path: '/v1/tenants',
        headers: { 'x-admin-token': ADMIN_TOKEN, 'content-type': 'application/json' },
        bodyText: '{"name":"T1"}',
      },
      response: {
        status: 201,
        headers: { 'content-type': 'application/json', 'set-cookie': 'sid=abcdef123456; Path=/; HttpOnly' },
        bodyText: JSON.stringify({ id: 't1-uuid', apiKey: API_KEY_T1 }),
        json: { id: 't1-uuid', apiKey: API_KEY_T1 },
        durationMs: 4,
      },
    },
    {
      seq: 2,
      tenant: 'T2',
      relation: 'own',
      operationId: 'createCustomer',
      request: {
        method: 'POST',
        url: 'http://127.0.0.1:4000/v1/customers',
        path: '/v1/customers',
        headers: { authorization: `Bearer ${API_KEY_T2}` },
        bodyText: '{"name":"Beta tpT2x0001"}',
      },
      response: {
        status: 201,
        headers: { 'content-type': 'application/json', 'x-request-id': 'req-2' },
        bodyText: JSON.stringify({ id: B_ID, name: 'Beta tpT2x0001' }),
        durationMs: 5,
      },
    },
    {
      seq: 3,
      tenant: 'T1',
      relation: 'foreign',
      victim: 'T2',
      operationId: 'getCustomer',
      request: {
        method: 'GET',
        url: `http://127.0.0.1:4000/v1/customers/${B_ID}`,
        path: `/v1/customers/${B_ID}`,
        headers: { authorization: `Bearer ${API_KEY_T1}`, cookie: 'sid=abcdef123456; theme=dark' },
      },
      response: {
        status: 200,
        headers: { 'content-type': 'application/json', 'x-request-id': 'req-3' },
        bodyText: JSON.stringify({ id: B_ID, name: 'Beta tpT2x0001' }),
        durationMs: 3,
      },
    },
  ];
}

export function sampleEvidence(overrides: Partial<Evidence> = {}): Evidence {
  const coverage = [
    { operationId: 'getCustomer', oracle: 'cross-tenant-access' as const, relation: 'foreign' as const, count: 3 },
    { operationId: 'getCustomer', oracle: 'foreign-data' as const, relation: 'foreign' as const, count: 3 },
    { operationId: 'listCustomers', oracle: 'model' as const, relation: 'own' as const, count: 5 },
    { operationId: 'createCustomer', oracle: 'injection' as const, relation: 'injected' as const, count: 2 },
  ];
  const findings: Evidence['findings'] = [
    {
      id: 'F1',
      oracle: 'cross-tenant-access',
      severity: 'critical',
      operationId: 'getCustomer',
      attacker: 'T1',
      victim: 'T2',
      summary: `GET /v1/customers/${B_ID} as T1 on T2's record succeeded with 200 <&> "quoted"`,
      evidence: { kind: 'foreign-probe-succeeded', status: 200 },
      exchanges: [3],
      repro: {
        steps: [
          { tenant: 'T2', method: 'POST', path: '/v1/customers', body: { name: 'x' } },
          { tenant: 'T1', method: 'GET', path: '/v1/customers/{customer#1}' },
        ],
      },
      reproduction: { reproduced: 3, attempts: 3 },
      transcriptLines: [3, 2],
    },
  ];
  const negativeControl: Evidence['negativeControl'] = {
    outcome: 'passed',
    oracles: [
      { oracle: 'foreign-data', planted: true, fired: true, outcome: 'passed' },
      { oracle: 'model', planted: true, fired: true, outcome: 'passed' },
      { oracle: 'existence', planted: true, fired: true, outcome: 'passed' },
    ],
  };
  const base: Evidence = {
    schemaVersion: '1.0',
    runId: '20261126T070000Z-seed1',
    scope: {
      spec: { title: 'Reference CRM', version: '1.0.0', sha256: 'a'.repeat(64), file: 'specs/crm.openapi.yaml' },
      target: { kind: 'embedded', url: 'http://127.0.0.1:4000', faults: ['get-unscoped'] },
      operations: {
        inScope: [
          { operationId: 'getCustomer', method: 'GET', path: '/v1/customers/{customerId}', kind: 'read' },
          { operationId: 'listCustomers', method: 'GET', path: '/v1/customers', kind: 'list' },
          { operationId: 'createCustomer', method: 'POST', path: '/v1/customers', kind: 'create' },
        ],
        outOfScope: [
          {
            operationId: 'createTenant',
            method: 'POST',
            path: '/v1/tenants',
            reason: 'provisioning (admin token), not a tenant operation',
          },
        ],
      },
    },
    method: {
      tool: { name: 'tenantproof', version: '0.1.0', gitCommit: 'a77f046' },
      seed: 1,
      budget: { ms: 60_000 },
      tenants: ['T1', 'T2'],
      oracles: ['foreign-data', 'cross-tenant-access', 'existence', 'model', 'non-interference', 'injection', 'audit'],
      requestCount: 3,
      interleavedBatchCount: 0,
      startedAt: '2026-11-26T07:00:00.000Z',
      endedAt: '2026-11-26T07:00:05.250Z',
      partial: false,
    },
    coverage: { cells: coverage },
    findings,
    negativeControl,
    controlMapping: [],
    verdict: 'leak',
  };
  const e = { ...base, ...overrides };
  if (!overrides.controlMapping)
    e.controlMapping = evidenceControlMapping({
      findings: e.findings,
      coverage: e.coverage.cells,
      negativeControl: e.negativeControl,
    });
  if (!overrides.verdict)
    e.verdict = verdictOf({ findings: e.findings, coverage: e.coverage.cells, negativeControl: e.negativeControl });
  return e;
}

/** A complete, sealed run folder like the campaign writes. */
export function makeRunDir(
  key: SigningKey = loadSigningKey({}),
  evidenceKey: SigningKey = key,
  overrides: Partial<Evidence> = {},
): { dir: string; key: SigningKey } {
  const dir = tmpDir('tp-run-');
  const t = new TranscriptWriter(join(dir, TRANSCRIPT_FILE), { secrets: [ADMIN_TOKEN] });
  for (const ex of exchanges()) t.appendExchange(ex);
  t.appendNote('run finished', { requests: 3 });
  t.close();
  const evidence = sampleEvidence({
    signing: { algorithm: 'ed25519', keyFingerprint: evidenceKey.fingerprint, keyOrigin: evidenceKey.origin },
    ...overrides,
  });
  writeEvidenceFile(dir, evidence);
  writeFileSync(join(dir, 'junit.xml'), renderJunit(evidence));
  writeFileSync(
    join(dir, 'results.sarif'),
    serializeSarif(renderSarif(evidence, { commandLine: 'tenantproof run --seed 1' })),
  );
  mkdirSync(join(dir, 'counterexamples'));
  writeFileSync(join(dir, 'counterexamples', '1.json'), JSON.stringify({ steps: 2 }) + '\n');
  sealRunDir(
    dir,
    key,
    testResultPredicate(evidence, [{ name: 'specs/crm.openapi.yaml', digest: { sha256: 'a'.repeat(64) } }]),
  );
  return { dir, key };
}
