/** Reading and writing `evidence.json`, always through the schema. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EvidenceError } from './errors.ts';
import { EVIDENCE_FILE, EVIDENCE_SCHEMA_VERSIONS, EvidenceSchema, type Evidence } from './evidence-schema.ts';

export class EvidenceInvalidError extends EvidenceError {
  constructor(readonly issues: Array<{ path: string; message: string }>) {
    super(
      `evidence.json does not match schema ${EVIDENCE_SCHEMA_VERSIONS.join('/')}: ${issues.map((i) => `${i.path || '/'}: ${i.message}`).join('; ')}`,
    );
    this.name = 'EvidenceInvalidError';
  }
}

export function evidenceIssues(value: unknown): Array<{ path: string; message: string }> {
  const r = EvidenceSchema.safeParse(value);
  if (r.success) return [];
  return r.error.issues.map((i) => ({ path: '/' + i.path.map(String).join('/'), message: i.message }));
}

/** Validates and writes `evidence.json` (2-space JSON, trailing newline). */
export function writeEvidenceFile(dir: string, evidence: Evidence): void {
  const issues = evidenceIssues(evidence);
  if (issues.length > 0) throw new EvidenceInvalidError(issues);
  writeFileSync(join(dir, EVIDENCE_FILE), JSON.stringify(evidence, null, 2) + '\n');
}

export function readEvidenceFile(dir: string): Evidence {
  const value: unknown = JSON.parse(readFileSync(join(dir, EVIDENCE_FILE), 'utf8'));
  const r = EvidenceSchema.safeParse(value);
  if (!r.success)
    throw new EvidenceInvalidError(
      r.error.issues.map((i) => ({ path: '/' + i.path.map(String).join('/'), message: i.message })),
    );
  return r.data;
}
