/**
 * The ValueSource the campaign uses: request bodies and parameters generated from the spec's
 * schemas by harness/generate, each carrying a fresh canary of its tenant, with times folded
 * into the campaign's time band.
 */
import type { ApiModel } from '../spec/api-model.ts';
import { recordArbitrary, requestBodyArbitrary } from '../generate/index.ts';
import { foldTimes, type ValueSource } from './value-source.ts';

export function specValueSource(model: ApiModel, runTag: string): ValueSource {
  return {
    body(op, tenant) {
      return requestBodyArbitrary(model, op, tenant, { runTag })?.map((r) => foldTimes(r.value));
    },
    param(_op, param, tenant) {
      return recordArbitrary(param.schema, model.document, tenant, { runTag, direction: 'request' }).map((r) => foldTimes(r.value));
    },
  };
}
