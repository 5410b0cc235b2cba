/**
 * The ValueSource the campaign uses: request bodies and parameters generated from the spec's
 * schemas by harness/generate, each carrying a fresh canary of its tenant. Dates and times are
 * drawn from one 30-day band, so that a windowed query (see widenTimeWindows) sees every record.
 * A body's plain free text (names, descriptions, address lines) also carries words of the shared
 * vocabulary beside its canary (generate/vocabulary.ts), so tenants' records share ordinary words.
 */
import fc from 'fast-check';
import type { ApiModel, OperationInfo } from '../openapi/api-model.ts';
import { recordArbitrary, requestBodyArbitrary } from '../generate/index.ts';
import { vocabularyPlan, withVocabulary, type VocabularyPlan } from '../generate/vocabulary-body.ts';
import { TIME_BAND_MS, TIME_BAND_START, type ValueSource } from './value-source.ts';

const timeRange = { min: TIME_BAND_START, max: TIME_BAND_START + TIME_BAND_MS };

export function specValueSource(model: ApiModel, runTag: string): ValueSource {
  // Where plain text sits in each operation's body schema, read once.
  const plans = new Map<string, VocabularyPlan | undefined>();
  const planOf = (op: OperationInfo): VocabularyPlan | undefined => {
    if (!plans.has(op.operationId))
      plans.set(op.operationId, op.requestBody ? vocabularyPlan(op.requestBody.schema, model.document) : undefined);
    return plans.get(op.operationId);
  };
  return {
    body(op, tenant) {
      const record = requestBodyArbitrary(model, op, tenant, { runTag, timeRange });
      if (!record) return undefined;
      const plan = planOf(op);
      if (!plan) return record.map((r) => r.value);
      return fc.tuple(record, fc.nat()).map(([r, seed]) => withVocabulary(r.value, plan, r.canary, seed));
    },
    param(_op, param, tenant) {
      return recordArbitrary(param.schema, model.document, tenant, { runTag, direction: 'request', timeRange }).map(
        (r) => r.value,
      );
    },
  };
}
