/** Sealed run folders with chosen evidence, for the OSCAL export's tests (built like a campaign writes them). */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { expect } from 'vitest';
import { loadSigningKey, type SigningKey } from '../attestation.ts';
import { writeEvidenceFile } from '../evidence-file.ts';
import type { Evidence } from '../evidence-schema.ts';
import { exchanges, sampleEvidence } from '../evidence-fixtures.test-support.ts';
import { sealRunDir } from '../seal.ts';
import { testResultPredicate } from '../test-result.ts';
import { TRANSCRIPT_FILE, TranscriptWriter } from '../transcript.ts';

export const OSCAL_SCHEMA = fileURLToPath(
  new URL('../../../specs/oscal_assessment-results_schema-1.1.2.json', import.meta.url),
);

/** The repository's git-ignored scratch folder: tests write nothing outside the repository. */
const SCRATCH = fileURLToPath(new URL('../../../.tmp/oscal-tests/', import.meta.url));

/** A fresh folder under .tmp/oscal-tests/ (the caller removes it). */
export function oscalTmpDir(prefix: string): string {
  mkdirSync(SCRATCH, { recursive: true });
  return mkdtempSync(join(SCRATCH, prefix));
}

type FormatsPlugin = (ajv: Ajv) => Ajv;
// ajv-formats is CJS with `exports.default`; under NodeNext the callable may sit on `.default`.
const formatsModule = addFormatsModule as unknown as FormatsPlugin | { default: FormatsPlugin };
const addFormats: FormatsPlugin = typeof formatsModule === 'function' ? formatsModule : formatsModule.default;

/**
 * A sealed run folder whose evidence is `sampleEvidence(overrides)` (control mapping and verdict
 * recomputed unless given), its findings each with `counterexamples/1.json`.
 */
export function sealedRun(
  overrides: Partial<Evidence> = {},
  key: SigningKey = loadSigningKey({}),
): { dir: string; evidence: Evidence; key: SigningKey } {
  const dir = oscalTmpDir('run-');
  const t = new TranscriptWriter(join(dir, TRANSCRIPT_FILE));
  for (const ex of exchanges()) t.appendExchange(ex);
  t.close();
  const base = sampleEvidence(overrides);
  const evidence: Evidence = {
    ...base,
    findings: base.findings.map((f) => ({ ...f, counterexample: f.counterexample ?? 'counterexamples/1.json' })),
    signing: { algorithm: 'ed25519', keyFingerprint: key.fingerprint, keyOrigin: key.origin },
  };
  writeEvidenceFile(dir, evidence);
  mkdirSync(join(dir, 'counterexamples'));
  if (evidence.findings.length > 0) writeFileSync(join(dir, 'counterexamples', '1.json'), '{"steps":2}\n');
  sealRunDir(dir, key, testResultPredicate(evidence, []));
  return { dir, evidence, key };
}

/**
 * The official OSCAL 1.1.2 Assessment Results schema, vendored in specs/, compiled here on its own
 * (not through validate.ts), so a test checks the export against the schema independently.
 */
export function officialValidator(): ValidateFunction {
  const schema = JSON.parse(readFileSync(OSCAL_SCHEMA, 'utf8')) as Record<string, unknown>;
  expect(schema['$schema']).toBe('http://json-schema.org/draft-07/schema#'); // ajv's default dialect
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  return ajv.compile(schema);
}

/** The schema's errors, one line each, for an assertion's message. */
export function schemaErrors(validate: ValidateFunction): string {
  return (validate.errors ?? [])
    .slice(0, 20)
    .map((e) => `${e.instancePath} ${e.message ?? ''}`)
    .join('\n');
}

/** Every string value anywhere in a JSON tree (keys excluded). */
export function stringsOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsOf);
  if (value && typeof value === 'object') return Object.values(value).flatMap(stringsOf);
  return [];
}
