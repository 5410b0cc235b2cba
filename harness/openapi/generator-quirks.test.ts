/**
 * Specs exactly as frameworks generate them load, with a warning naming each quirk: http schemes
 * with a stray name/in (NestJS), `type: "null"` in 3.0 (code-first generators), operationIds with
 * spaces, and no response schemas. No stack trace reaches the user.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { analyzeSpecFile } from './analyze.ts';
import { SpecError } from './spec-error.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'tp-quirks-'));
const write = (name: string, doc: object): string => {
  const file = path.join(dir, name);
  writeFileSync(file, JSON.stringify(doc));
  return file;
};

const spec = (extra: { schemes?: object; phone?: object; operationId?: string; openapi?: string } = {}) => ({
  openapi: extra.openapi ?? '3.0.3',
  info: { title: 'Quirky', version: '1' },
  components: {
    securitySchemes: extra.schemes ?? { bearer: { type: 'http', scheme: 'bearer' } },
    schemas: {
      Contact: {
        type: 'object',
        properties: { id: { type: 'string' }, phone: extra.phone ?? { type: 'string', nullable: true } },
      },
    },
  },
  security: [{ bearer: [] }],
  paths: {
    '/contacts': {
      post: {
        operationId: extra.operationId ?? 'createContact',
        requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/Contact' } } } },
        responses: { '201': { description: '' } },
      },
    },
    '/contacts/{id}': {
      get: {
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        responses: { '200': { description: '' } },
      },
    },
  },
});

afterEach(() => vi.restoreAllMocks());

describe('generator quirks', () => {
  it('accepts an http scheme carrying name and in, with a warning', async () => {
    const model = await analyzeSpecFile(
      write(
        'nest.json',
        spec({
          schemes: {
            bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', name: 'Authorization', in: 'header' },
          },
        }),
      ),
    );
    expect(model.warnings.map((w) => w.message)).toEqual(
      expect.arrayContaining([expect.stringMatching(/carries name and in/)]),
    );
  });

  it('reads type "null" in 3.0 as nullable, with a warning, and prints nothing on the console', async () => {
    const printed = vi.spyOn(console, 'error');
    const model = await analyzeSpecFile(
      write('null.json', spec({ phone: { anyOf: [{ type: 'string' }, { type: 'null' }] } })),
    );
    expect(model.warnings.map((w) => w.message)).toEqual(
      expect.arrayContaining([expect.stringMatching(/type "null" is not OpenAPI 3.0/)]),
    );
    expect(printed).not.toHaveBeenCalled();
  });

  it('accepts operationIds with spaces and missing response schemas, telling both; a create then learns ids at runtime', async () => {
    const model = await analyzeSpecFile(write('spaces.json', spec({ operationId: 'Create contact' })));
    const messages = model.warnings.map((w) => w.message).join('\n');
    expect(messages).toMatch(/operationId "Create contact" has spaces/);
    expect(messages).toMatch(/document no response schema/);
    expect(model.operations.find((o) => o.operationId === 'Create contact')?.produces).toMatchObject({
      resource: 'contact',
      idField: 'id',
      learned: true,
    });
  });

  it('still refuses what is not a usable spec, as a SpecError naming the place', async () => {
    await expect(analyzeSpecFile(write('bad.json', { ...spec(), openapi: '2.0' }))).rejects.toBeInstanceOf(SpecError);
  });
});
