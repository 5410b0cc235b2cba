/**
 * The OSCAL export of sealed run folders built from the fixtures: each document validates against
 * the official schema (compiled independently of validate.ts), maps the evidence as the modules
 * document, carries no victim data, and is the same bytes every time; folders that do not verify
 * are refused, and a document the schema would reject is never returned.
 */
import { appendFileSync, cpSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSigningKey } from '../attestation.ts';
import { B_ID, sampleEvidence } from '../evidence-fixtures.test-support.ts';
import { listFiles } from '../manifest.ts';
import { checkMergeable, loadMergeInput, writeMergedRun } from '../merge.ts';
import { sha256Hex } from '../hash.ts';
import type { AssessmentResultsDocument } from './assessment-results.ts';
import { OscalExportRefusedError, OscalSchemaError } from './errors.ts';
import { exportOscal } from './export.ts';
import { officialValidator, oscalTmpDir, schemaErrors, sealedRun, stringsOf } from './oscal-fixtures.test-support.ts';
import type { ValidateFunction } from 'ajv';

const OSCAL_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const made: string[] = [];
let validate: ValidateFunction;

beforeAll(() => {
  validate = officialValidator();
});
afterAll(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

function run(overrides: Parameters<typeof sealedRun>[0] = {}) {
  const r = sealedRun(overrides);
  made.push(r.dir);
  return r;
}

function exported(dir: string): AssessmentResultsDocument {
  const { document } = exportOscal(dir);
  expect(validate(document), schemaErrors(validate)).toBe(true);
  return document;
}

/** Every `uuid` defined in the document, and every `#uuid` or `*-uuid` reference in it. */
function uuidsOf(doc: unknown): { defined: string[]; referenced: string[] } {
  const defined: string[] = [];
  const referenced: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) return v.forEach(walk);
    if (!v || typeof v !== 'object') return;
    for (const [k, x] of Object.entries(v)) {
      if (k === 'uuid' && typeof x === 'string') defined.push(x);
      else if (k.endsWith('-uuid') && typeof x === 'string') referenced.push(x);
      else if (k === 'href' && typeof x === 'string' && x.startsWith('#')) referenced.push(x.slice(1));
      else walk(x);
    }
  };
  walk(doc);
  return { defined, referenced };
}

describe('OSCAL export of a leak run', () => {
  let dir: string;
  let ar: AssessmentResultsDocument['assessment-results'];

  beforeAll(() => {
    dir = run().dir;
    ar = exported(dir)['assessment-results'];
  });

  it('has one result with the run span, the verdict, and the metadata from the run, times in UTC', () => {
    const e = sampleEvidence();
    expect(ar.metadata).toMatchObject({
      'oscal-version': '1.1.2',
      'last-modified': e.method.endedAt,
      version: e.runId,
    });
    expect(ar.results).toHaveLength(1);
    const r = ar.results[0];
    expect(r).toMatchObject({ start: e.method.startedAt, end: e.method.endedAt });
    expect(r.props).toContainEqual(expect.objectContaining({ name: 'verdict', value: 'leak' }));
    const times = JSON.stringify(ar).match(/"(start|end|collected|last-modified)":"[^"]*"/g) ?? [];
    expect(times.length).toBeGreaterThan(5);
    for (const t of times) expect(t).toMatch(/Z"$/);
  });

  it('reviews the NIST SP 800-53 controls by control-id, and the other frameworks as props', () => {
    const rc = ar.results[0]['reviewed-controls'];
    expect(rc['control-selections'][0]!['include-controls']).toEqual([
      { 'control-id': 'ac-3' },
      { 'control-id': 'ac-4' },
      { 'control-id': 'sc-4' },
    ]);
    const others = (rc.props ?? []).map((p) => p.value);
    expect(others).toContain('SOC 2 CC6.1');
    expect(others).toContain('ISO/IEC 27001:2022 A.8.3');
    expect(others.some((v) => v.startsWith('NIST'))).toBe(false);
    // Each control of the mapping has a control-objective observation with its status.
    const statuses = ar.results[0].observations.filter((o) => o.types?.includes('control-objective'));
    expect(statuses).toHaveLength(sampleEvidence().controlMapping.length);
    expect(statuses.find((o) => o.title.startsWith('NIST SP 800-53 Rev. 5 AC-3'))!.title).toMatch(/: violated$/);
  });

  it('turns the finding into a finding and a risk, linked to its observation, transcript and counterexample', () => {
    const r = ar.results[0];
    expect(r.findings).toHaveLength(1);
    expect(r.risks).toHaveLength(1);
    const f = r.findings![0]!;
    const risk = r.risks![0]!;
    expect(f.target).toMatchObject({
      type: 'objective-id',
      'target-id': 'ac-3_obj',
      status: { state: 'not-satisfied', reason: 'fail' },
    });
    expect(f.props.map((p) => p.value)).toEqual(
      expect.arrayContaining(['F1', 'SOC 2 CC6.1', 'NIST SP 800-53 Rev. 5 AC-3']),
    );
    expect(f['related-risks']).toEqual([{ 'risk-uuid': risk.uuid }]);
    expect(risk).toMatchObject({ status: 'open' });
    expect(risk['threat-ids']?.map((t) => t.id)).toContain('https://cwe.mitre.org/data/definitions/639.html');
    const obs = r.observations.find((o) => o.uuid === f['related-observations'][0]!['observation-uuid'])!;
    expect(obs.types).toEqual(['finding']);
    const resources = new Map(ar['back-matter'].resources.map((x) => [x.uuid, x]));
    const cited = obs['relevant-evidence']!.map((ev) => resources.get(ev.href.slice(1))!.title);
    expect(cited).toEqual(['transcript.ndjson', 'counterexamples/1.json', 'evidence.json']);
  });

  it('lists every file of the folder in back-matter with its SHA-256, and import-ap names the method', () => {
    const files = ar['back-matter'].resources.filter(
      (x) => x.rlinks && x.title !== ar['back-matter'].resources[0]!.title,
    );
    expect(files.map((x) => x.title)).toEqual(listFiles(dir));
    for (const x of files)
      expect(x.rlinks![0]!.hashes).toEqual([
        { algorithm: 'SHA-256', value: sha256Hex(readFileSync(join(dir, x.title))) },
      ]);
    const plan = ar['back-matter'].resources[0]!;
    expect(ar['import-ap'].href).toBe(`#${plan.uuid}`);
    expect(plan.props!.find((p) => p.name === 'spec-sha256')!.value).toBe('a'.repeat(64));
  });

  it('uses only version 5 UUIDs, each defined once, and every reference resolves', () => {
    const { defined, referenced } = uuidsOf(ar);
    for (const u of defined) expect(u).toMatch(OSCAL_UUID);
    expect(new Set(defined).size).toBe(defined.length);
    for (const u of referenced) expect(defined).toContain(u);
  });

  it('carries no victim data: no id, value, summary or repro of the finding', () => {
    const text = stringsOf(ar).join('\n');
    const e = sampleEvidence();
    expect(text).not.toContain(B_ID);
    expect(text).not.toContain('Beta tpT2x0001');
    expect(text).not.toContain(e.findings[0]!.summary);
    expect(text).not.toContain('/v1/customers/{customer#1}');
  });

  it('is the same bytes on every export, and leaves the folder as it was', () => {
    const before = listFiles(dir).map((f) => sha256Hex(readFileSync(join(dir, f))));
    expect(exportOscal(dir).text).toBe(exportOscal(dir).text);
    expect(listFiles(dir).map((f) => sha256Hex(readFileSync(join(dir, f))))).toEqual(before);
  });
});

describe('OSCAL export of other runs', () => {
  it('a clean run: observations and controls, no findings or risks', () => {
    const ar = exported(run({ findings: [] }).dir)['assessment-results'];
    const r = ar.results[0];
    expect(r.findings).toBeUndefined();
    expect(r.risks).toBeUndefined();
    expect(r.props).toContainEqual(expect.objectContaining({ name: 'verdict', value: 'clean' }));
    expect(r.observations.filter((o) => o.props?.some((p) => p.value === 'coverage'))).toHaveLength(4);
    const nc = r.observations.find((o) => o.title === 'Negative control: passed')!;
    expect(nc.props).toContainEqual(
      expect.objectContaining({ name: 'oracle-outcome', class: 'foreign-data', value: 'passed' }),
    );
    expect(r.observations.find((o) => o.title.startsWith('SOC 2 CC6.1'))!.title).toMatch(/tested-not-violated$/);
  });

  it('a finding no NIST control covers targets the method objective; an unconfirmed one is investigated', () => {
    const base = sampleEvidence().findings[0]!;
    const ar = exported(
      run({
        findings: [
          { ...base, id: 'F1', oracle: 'audit', probe: 'audit-check', severity: 'high' },
          { ...base, id: 'F2', confirmation: 'unconfirmed' },
        ],
      }).dir,
    )['assessment-results'];
    const [audit, unconfirmed] = ar.results[0].findings!;
    expect(audit!.target['target-id']).toBe('tenant-isolation');
    expect(audit!.props.map((p) => p.value)).toContain('OWASP ASVS 5.0 V8.4.1');
    expect(unconfirmed!.target.status).toMatchObject({ state: 'not-satisfied', reason: 'other' });
    expect(ar.results[0].risks![1]!.status).toBe('investigating');
  });

  it('a merged folder: one log entry per run merged, each finding collected when its run ended', async () => {
    const key = loadSigningKey({});
    const ends = ['2026-11-26T07:10:00.000Z', '2026-11-26T07:20:00.000Z'];
    const shards = ends.map((endedAt, i) =>
      sealedRunWithKey(key, {
        runId: `20261126T070000Z-run${i + 1}`,
        method: { ...sampleEvidence().method, endedAt },
      }),
    );
    const inputs = shards.map((d) => loadMergeInput(d));
    const c = checkMergeable(inputs);
    expect(c.problems).toEqual([]);
    const parent = oscalTmpDir('merged-');
    made.push(parent);
    const out = join(parent, 'merged');
    await writeMergedRun(inputs, out, {
      key,
      commandLine: 'tenantproof merge a b',
      runId: 'merged-run',
      missing: c.missing,
    });
    const ar = exported(out)['assessment-results'];
    const r = ar.results[0];
    expect(r['assessment-log'].entries.map((e) => [e.title, e.end])).toEqual([
      ['Run 20261126T070000Z-run1', ends[0]],
      ['Run 20261126T070000Z-run2', ends[1]],
    ]);
    const collected = r.observations.filter((o) => o.types?.includes('finding')).map((o) => o.collected);
    expect(collected).toEqual(ends);
    const titles = ar['back-matter'].resources.map((x) => x.title);
    expect(titles).toContain('shards/20261126T070000Z-run1/transcript.ndjson');
    expect(titles).not.toContain('transcript.ndjson');
  });

  function sealedRunWithKey(key: ReturnType<typeof loadSigningKey>, overrides: Parameters<typeof sealedRun>[0]) {
    const r = sealedRun(overrides, key);
    made.push(r.dir);
    return r.dir;
  }
});

describe('what the export refuses', () => {
  it('a folder that does not verify, naming the file', () => {
    const dir = run().dir;
    const parent = oscalTmpDir('tampered-');
    made.push(parent);
    const copy = join(parent, 'run');
    cpSync(dir, copy, { recursive: true });
    appendFileSync(join(copy, 'counterexamples', '1.json'), ' ');
    expect(() => exportOscal(copy)).toThrow(OscalExportRefusedError);
    expect(() => exportOscal(copy)).toThrow(/does not verify[\s\S]*counterexamples\/1\.json \[manifest\]/);
  });

  it('a folder that is not a run folder', () => {
    const empty = oscalTmpDir('empty-');
    made.push(empty);
    expect(() => exportOscal(empty)).toThrow(/not a tenantproof run folder/);
    expect(() => exportOscal(join(empty, 'nope'))).toThrow(/is not a folder/);
  });

  it('to return a document the official schema rejects (exit 4, the errors listed)', () => {
    // evidence.json takes any UTC year; OSCAL's date-time pattern only 1900–2999.
    const e = sampleEvidence();
    const dir = run({
      method: { ...e.method, startedAt: '3026-11-26T07:00:00.000Z', endedAt: '3026-11-26T07:00:05.250Z' },
    }).dir;
    let err: unknown;
    try {
      exportOscal(dir);
    } catch (x) {
      err = x;
    }
    expect(err).toBeInstanceOf(OscalSchemaError);
    expect((err as OscalSchemaError).exitCode).toBe(4);
    expect((err as Error).message).toMatch(/official OSCAL 1\.1\.2 Assessment Results schema/);
    expect((err as Error).message).toMatch(/\/assessment-results\/metadata\/last-modified: must match pattern/);
  });
});
