import { readFileSync, rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../hash.ts';
import { exportOscal } from './export.ts';
import { OSCAL_SCHEMA, sealedRun } from './oscal-fixtures.test-support.ts';
import { oscalSchemaIssues, oscalSchemaPath } from './validate.ts';

const made: string[] = [];
afterAll(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

describe('the vendored OSCAL schema', () => {
  it('is the official v1.1.2 Assessment Results schema, byte for byte, and the one validate.ts loads', () => {
    const bytes = readFileSync(OSCAL_SCHEMA);
    expect(sha256Hex(bytes)).toBe('d033da70154cf6625ae46a746199e88e58f2928b1387dfac051d381b92f41b0d');
    expect(bytes.length).toBe(133_015);
    expect(readFileSync(oscalSchemaPath()).equals(bytes)).toBe(true);
  });

  it('rejects a broken document: no import-ap, a version 1 UUID, a time without a zone', () => {
    const { dir } = sealedRun();
    made.push(dir);
    const { document } = exportOscal(dir);
    expect(oscalSchemaIssues(document)).toEqual([]);
    const broken = (edit: (ar: Record<string, any>) => void) => {
      // any: the test edits a plain JSON tree
      const copy = JSON.parse(JSON.stringify(document)) as { 'assessment-results': Record<string, any> };
      edit(copy['assessment-results']);
      return oscalSchemaIssues(copy).map((i) => `${i.path}: ${i.message}`);
    };
    expect(broken((ar) => delete ar['import-ap'])).toEqual([
      '/assessment-results: must have required property \'import-ap\' {"missingProperty":"import-ap"}',
    ]);
    expect(broken((ar) => (ar['uuid'] = '6ba7b811-9dad-11d1-80b4-00c04fd430c8'))[0]).toMatch(
      /^\/assessment-results\/uuid: must match pattern/,
    );
    expect(broken((ar) => (ar['results'][0].start = '2026-11-26T07:00:00.000'))[0]).toMatch(
      /^\/assessment-results\/results\/0\/start: must match pattern/,
    );
  });
});
