import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv4 from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { renderSarif } from './sarif.ts';
import { exchangesFromTranscript } from './transcript-index.ts';
import { makeRunDir, sampleEvidence } from './evidence-fixtures.test-support.ts';

const SCHEMA = fileURLToPath(new URL('../../specs/sarif-schema-2.1.0.json', import.meta.url));

function validator() {
  const schema = JSON.parse(readFileSync(SCHEMA, 'utf8')) as { $schema: string };
  expect(schema.$schema).toBe('http://json-schema.org/draft-04/schema#'); // hence ajv-draft-04
  // CJS default export under ESM: the class is on `.default`.
  const ajv = new Ajv4.default({ strict: false, allErrors: true });
  addFormats.default(ajv);
  return ajv.compile(schema);
}

describe('results.sarif', () => {
  it('validates against the official SARIF 2.1.0 schema, with webRequest/webResponse from the transcript', () => {
    const { dir } = makeRunDir();
    const exchanges = exchangesFromTranscript(join(dir, 'transcript.ndjson'));
    const log = renderSarif(sampleEvidence(), {
      commandLine: 'tenantproof run --seed 1 --fault get-unscoped',
      arguments: ['run', '--seed', '1'],
      exchanges,
      exitCode: 1,
    });
    const validate = validator();
    expect(validate(log), JSON.stringify(validate.errors, null, 1)).toBe(true);

    const run = (log['runs'] as Array<Record<string, any>>)[0]!; // any: the test walks a plain JSON tree
    expect(run['tool'].driver.rules.map((r: { id: string }) => r.id)).toEqual([
      'foreign-data',
      'cross-tenant-access',
      'existence',
      'model',
      'non-interference',
      'injection',
      'audit',
    ]);
    expect(run['taxonomies'][0].taxa.map((t: { id: string }) => t.id)).toContain('639');
    expect(run['tool'].driver.rules[1].relationships[0].target).toMatchObject({
      id: '639',
      toolComponent: { name: 'CWE' },
    });
    const result = run['results'][0];
    expect(result.taxa[0]).toMatchObject({ id: '639' });
    expect(result.webRequest).toMatchObject({ method: 'GET', target: expect.stringContaining('/v1/customers/') });
    expect(result.webRequest.headers.authorization).toMatch(/^Bearer hmac-sha256:/);
    expect(result.webResponse).toMatchObject({ statusCode: 200 });
    expect(result.locations[0].physicalLocation).toMatchObject({
      artifactLocation: { uri: 'transcript.ndjson' },
      region: { startLine: 3 },
    });
    expect(run['invocations'][0]).toMatchObject({
      commandLine: expect.stringContaining('tenantproof run'),
      startTimeUtc: '2026-11-26T07:00:00.000Z',
      endTimeUtc: '2026-11-26T07:00:05.250Z',
      executionSuccessful: true,
    });
  });

  it('validates for a clean run with no results, and the schema rejects a broken log', () => {
    const log = renderSarif(sampleEvidence({ findings: [] }), { commandLine: 'tenantproof run' });
    const validate = validator();
    expect(validate(log), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ version: '2.1.0', runs: [{ tool: { driver: {} } }] })).toBe(false);
  });
});
