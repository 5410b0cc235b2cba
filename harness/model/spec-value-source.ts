/**
 * The ValueSource the campaign uses: request bodies and parameters generated from the spec's
 * schemas by harness/generate, each carrying a fresh canary of its tenant. Dates and times are
 * drawn from one 30-day band, so that a windowed query (see widenTimeWindows) sees every record.
 */
import type { ApiModel } from '../openapi/api-model.ts';
import { recordArbitrary, requestBodyArbitrary } from '../generate/index.ts';
import { TIME_BAND_MS, TIME_BAND_START, type ValueSource } from './value-source.ts';

const timeRange = { min: TIME_BAND_START, max: TIME_BAND_START + TIME_BAND_MS };

export function specValueSource(model: ApiModel, runTag: string): ValueSource {
  return {
    body(op, tenant) {
      return requestBodyArbitrary(model, op, tenant, { runTag, timeRange })?.map((r) => r.value);
    },
    param(_op, param, tenant) {
      return recordArbitrary(param.schema, model.document, tenant, { runTag, direction: 'request', timeRange }).map(
        (r) => r.value,
      );
    },
  };
}
