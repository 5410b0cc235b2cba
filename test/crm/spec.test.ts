/**
 * The contract itself: it passes a real OpenAPI 3.1 validator, and keeps the conventions the CRM,
 * the SDK and the harness rely on.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { validate } from '@scalar/openapi-parser';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/cli.ts';

const file = path.join(REPO_ROOT, 'specs', 'crm.openapi.yaml');
const text = readFileSync(file, 'utf8');
// `any` because the test walks arbitrary YAML; each access is checked by an assertion.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;
const spec = parse(text) as Json;
const methods = ['get', 'post', 'patch', 'put', 'delete'] as const;
const operations = Object.entries(spec.paths as Json).flatMap(([p, item]) =>
  methods.filter((m) => (item as Json)[m]).map((m) => ({ path: p, method: m, op: (item as Json)[m] as Json })),
);

function resolve(node: Json): Json {
  if (typeof node.$ref !== 'string') return node;
  return (node.$ref as string)
    .slice(2)
    .split('/')
    .reduce<Json>((cur, seg) => cur[seg] as Json, spec);
}

describe('specs/crm.openapi.yaml', () => {
  it('is a valid OpenAPI 3.1 document (@scalar/openapi-parser)', async () => {
    const result = await validate(text);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(spec.openapi).toBe('3.1.0');
  });

  it('has a unique operationId on every one of its 34 operations', () => {
    const ids = operations.map((o) => o.op.operationId as string);
    expect(ids.every((id) => typeof id === 'string' && id.length > 0)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(34);
  });

  it('declares X-Request-Id on every response, and problem+json on every error', () => {
    for (const { path: p, method, op } of operations) {
      for (const [status, raw] of Object.entries(op.responses as Json)) {
        const response = resolve(raw as Json);
        expect(response.headers?.['X-Request-Id'], `${method} ${p} ${status}`).toBeDefined();
        if (Number(status) >= 400)
          expect(Object.keys(response.content ?? {}), `${method} ${p} ${status}`).toEqual(['application/problem+json']);
      }
    }
  });

  it('accepts an Idempotency-Key on every POST', () => {
    for (const { path: p, method, op } of operations.filter((o) => o.method === 'post')) {
      const params = (op.parameters ?? []).map((x: Json) => resolve(x).name);
      expect(params, `${method} ${p}`).toContain('Idempotency-Key');
    }
  });

  it('paginates every list with an opaque cursor', () => {
    const lists = operations.filter(
      (o) =>
        o.method === 'get' &&
        /List$/.test(
          String(
            resolve(o.op.responses['200'].content?.['application/json']?.schema ?? {}).$ref ??
              o.op.responses['200'].content?.['application/json']?.schema?.$ref ??
              '',
          ),
        ),
    );
    expect(lists.length).toBeGreaterThanOrEqual(7);
    for (const { op } of lists) {
      const params = (op.parameters ?? []).map((x: Json) => resolve(x).name);
      expect(params).toContain('cursor');
      expect(params).toContain('limit');
    }
  });

  it('has examples, and makes customer email unique within a tenant', () => {
    expect(text.match(/\bexamples?:/g)?.length ?? 0).toBeGreaterThanOrEqual(15);
    expect(spec.components.schemas.CustomerCreate.properties.email.description).toMatch(/unique within the tenant/i);
  });
});
