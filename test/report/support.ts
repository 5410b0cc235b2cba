/** Fixtures for the report tests: evidence.json and the exchanges its findings cite, saved from real runs. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EvidenceSchema, type Evidence } from '../../harness/evidence/evidence-schema.ts';
import type { Exchange } from '../../harness/model/exchange.ts';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const FIXTURES = path.join(REPO_ROOT, 'test', 'report', 'fixtures');

export interface Fixture {
  evidence: Evidence;
  exchanges: Map<number, Exchange>;
}

/**
 * `leak`: `tenantproof run --fault get-unscoped --budget 20s --seed 2` (three findings: foreign-data,
 * cross-tenant-access, existence; repro steps with their recorded responses, some concurrent).
 * `clean`: `tenantproof run --budget 15s --seed 1`.
 */
export function loadFixture(name: 'leak' | 'clean'): Fixture {
  const evidence = EvidenceSchema.parse(JSON.parse(readFileSync(path.join(FIXTURES, `${name}.evidence.json`), 'utf8')));
  const list = JSON.parse(readFileSync(path.join(FIXTURES, `${name}.exchanges.json`), 'utf8')) as Exchange[];
  return { evidence, exchanges: new Map(list.map((e) => [e.seq, e])) };
}
