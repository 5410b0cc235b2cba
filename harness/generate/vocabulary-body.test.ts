import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeSpecFile } from '../openapi/analyze.ts';
import type { ApiModel } from '../openapi/api-model.ts';
import { vocabularyPlan, withVocabulary } from './vocabulary-body.ts';
import { vocabularyWordsIn } from './vocabulary.ts';

const spec = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'specs', 'crm.openapi.yaml');
let model: ApiModel;
beforeAll(async () => {
  model = await analyzeSpecFile(spec);
});

const CANARY = 'tpT1abcdefghij';
const planOf = (operationId: string) => {
  const op = model.operations.find((o) => o.operationId === operationId)!;
  return vocabularyPlan(op.requestBody!.schema, model.document);
};

describe('vocabulary words in a generated body', () => {
  it('go beside the canary in names and address lines, never into emails, patterns or enums', () => {
    const body = {
      name: CANARY,
      email: 'tpt1abcdefghij.3@t1.example',
      phone: '+1 555 0100',
      address: { line1: `${CANARY} alpha`, city: CANARY, postalCode: CANARY, country: 'US' },
      tags: [`${CANARY} golf`, `${CANARY} hotel`],
    };
    const out = withVocabulary(body, planOf('createCustomer'), CANARY, 11) as typeof body;
    for (const text of [out.name, out.address.line1, out.address.city]) {
      expect(text.startsWith(`${CANARY} `)).toBe(true);
      expect(vocabularyWordsIn(text).length).toBeGreaterThan(0);
    }
    // postalCode is named like a code: left as generated; so are email, phone and country.
    expect(out.address.postalCode).toBe(CANARY);
    expect(out.email).toBe(body.email);
    expect(out.phone).toBe(body.phone);
    expect(out.address.country).toBe('US');
    expect(body.name).toBe(CANARY); // the input is not changed
    expect(new Set(out.tags).size).toBe(2);
  });

  it('keeps each field within its length bounds, and text without the canary as it was', () => {
    const out = withVocabulary(
      {
        lineItems: [
          { description: CANARY, quantity: 2, unitPriceCents: 5 },
          { description: 'bravo', quantity: 1 },
        ],
      },
      planOf('createQuote'),
      CANARY,
      3,
    ) as { lineItems: { description: string; quantity: number }[] };
    expect(vocabularyWordsIn(out.lineItems[0]!.description).length).toBeGreaterThan(0);
    expect(out.lineItems[0]!.quantity).toBe(2);
    expect(out.lineItems[1]!.description).toBe('bravo');
    const tight = vocabularyPlan(
      { type: 'object', properties: { name: { type: 'string', maxLength: 16 } } },
      model.document,
    );
    // The canary and the smallest word do not fit in 16: the value stays as it was.
    expect(withVocabulary({ name: CANARY }, tight, CANARY, 1)).toEqual({ name: CANARY });
  });

  it('leaves schemas alone where it cannot tell the branch or the field is opted out', () => {
    expect(vocabularyPlan({ oneOf: [{ type: 'string' }, { type: 'integer' }] }, model.document)).toBeUndefined();
    expect(vocabularyPlan({ type: 'string', 'x-tenantproof-canary': false }, model.document)).toBeUndefined();
    expect(vocabularyPlan({ type: 'string', format: 'uri' }, model.document)).toBeUndefined();
    expect(vocabularyPlan({ type: 'string' }, model.document)).toEqual({ text: { minLength: 0, maxLength: 64 } });
  });
});
