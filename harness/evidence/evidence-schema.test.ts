import { readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { buildControlMapping, CONTROLS, verdictOf } from './controls.ts';
import { evidenceIssues } from './evidence-file.ts';
import { serializeEvidenceSchema } from './evidence-schema.ts';
import { EVIDENCE_SCHEMA_PATH } from './write-evidence-schema.ts';
import { sampleEvidence } from './evidence-fixtures.test-support.ts';

describe('evidence schema', () => {
  it('the committed specs/evidence.schema.json is up to date (run harness/evidence/write-evidence-schema.ts)', () => {
    expect(readFileSync(EVIDENCE_SCHEMA_PATH, 'utf8')).toBe(serializeEvidenceSchema());
  });

  it('a sample evidence document passes zod and the published JSON Schema (ajv, draft 2020-12)', () => {
    const e = sampleEvidence();
    expect(evidenceIssues(e)).toEqual([]);
    // ajv's CJS default export under ESM: the class is on `.default`.
    const ajv = new Ajv2020.default({ strict: false, allErrors: true });
    addFormats.default(ajv);
    const validate = ajv.compile(JSON.parse(readFileSync(EVIDENCE_SCHEMA_PATH, 'utf8')) as object);
    expect(validate(JSON.parse(JSON.stringify(e))), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ ...e, extra: 1 })).toBe(false);
  });

  it('schema 1.1 requires assessedAt and validUntil (zod and the published JSON Schema); 1.0 evidence without them still passes', () => {
    const ajv = new Ajv2020.default({ strict: false, allErrors: true });
    addFormats.default(ajv);
    const validate = ajv.compile(JSON.parse(readFileSync(EVIDENCE_SCHEMA_PATH, 'utf8')) as object);
    const old = sampleEvidence(); // schemaVersion 1.0, as written before these fields existed
    expect(old.schemaVersion).toBe('1.0');
    expect(evidenceIssues(old)).toEqual([]);
    expect(validate(JSON.parse(JSON.stringify(old)))).toBe(true);

    const current = {
      ...old,
      schemaVersion: '1.1' as const,
      assessedAt: old.method.endedAt,
      validUntil: '2027-11-26T07:00:05.250Z',
    };
    expect(evidenceIssues(current)).toEqual([]);
    expect(validate(current), JSON.stringify(validate.errors)).toBe(true);

    for (const missing of ['assessedAt', 'validUntil'] as const) {
      const { [missing]: _, ...without } = current;
      expect(evidenceIssues(without)).toEqual([
        { path: `/${missing}`, message: `${missing} is required from schemaVersion 1.1` },
      ]);
      expect(validate(without)).toBe(false);
    }
    expect(evidenceIssues({ ...current, validUntil: '2026-11-25T00:00:00Z' })).toEqual([
      { path: '/validUntil', message: 'validUntil is before assessedAt' },
    ]);
    expect(evidenceIssues({ ...current, assessedAt: '2026-11-26T09:00:05+02:00' }).length).toBeGreaterThan(0);
  });

  it('rejects real tenant ids, a wrong version, bad hashes and local timestamps', () => {
    const e = sampleEvidence();
    expect(evidenceIssues({ ...e, schemaVersion: '2.0' }).length).toBeGreaterThan(0);
    expect(
      evidenceIssues({ ...e, method: { ...e.method, tenants: ['T1', 'b8f1c2d0-0000-4000-8000-000000000000'] } }).length,
    ).toBeGreaterThan(0);
    expect(evidenceIssues({ ...e, scope: { ...e.scope, spec: { ...e.scope.spec, sha256: 'xyz' } } })[0]!.path).toBe(
      '/scope/spec/sha256',
    );
    expect(
      evidenceIssues({ ...e, method: { ...e.method, startedAt: '2026-11-26T07:00:00+02:00' } }).length,
    ).toBeGreaterThan(0);
  });

  it('maps every control the README lists for the evidence and derives statuses and the verdict', () => {
    expect(CONTROLS.map((c) => c.id)).toEqual([
      'CC6.1',
      'A.8.3',
      'IVS-06',
      'V8.2.2',
      'V8.4.1',
      'API1:2023',
      'API3:2023',
      'API5:2023',
      'AC-3',
      'AC-4',
      'SC-4',
    ]);
    const e = sampleEvidence();
    const byId = Object.fromEntries(e.controlMapping.map((c) => [c.id, c.status]));
    expect(byId['V8.2.2']).toBe('violated'); // cross-tenant-access finding
    expect(byId['API5:2023']).toBe('tested-not-violated'); // model and injection judged, no finding of its kinds
    expect(e.verdict).toBe('leak');
    const clean = { findings: [], coverage: e.coverage.cells, negativeControl: e.negativeControl };
    expect(verdictOf(clean)).toBe('clean');
    expect(verdictOf({ ...clean, negativeControl: { ...e.negativeControl, outcome: 'failed' } })).toBe('inconclusive');
    const nc = { outcome: 'failed', oracles: [{ oracle: 'foreign-data' as const, outcome: 'failed' }] };
    expect(buildControlMapping({ ...clean, negativeControl: nc }).find((c) => c.id === 'AC-4')!.status).toBe(
      'inconclusive',
    );
    expect(buildControlMapping({ ...clean, coverage: [] }).every((c) => c.status === 'not-tested')).toBe(true);
  });
});
