/**
 * One generated record for one tenant: a fresh canary, and a value built from the schema that
 * carries it. This is what the campaign sends as a request body. The schema's arbitraries are built
 * once (schemaTemplate) and draw each record's canary from its scope (canary-scope.ts).
 */
import fc from 'fast-check';
import type { TenantLabel } from '../model/exchange.ts';
import type { ApiModel, OperationInfo, ParameterInfo } from '../openapi/api-model.ts';
import type { RefResolver } from '../openapi/spec-document.ts';
import { canaryArbitrary, canaryLength } from './canary.ts';
import { withCanaryScope } from './canary-scope.ts';
import { schemaTemplate, type SchemaArbitraryOptions } from './schema-arbitrary.ts';

export interface GeneratedRecord<T = unknown> {
  value: T;
  /** The canary the value's free text carries (also present when no field could hold it). */
  canary: string;
  owner: TenantLabel;
}

export interface RecordOptions extends Omit<SchemaArbitraryOptions, 'canary' | 'resolver'> {
  /** Mixed into nonces so that two runs with the same seed still get distinct canaries. */
  runTag?: string;
}

export function recordArbitrary(
  schema: unknown,
  resolver: RefResolver,
  owner: TenantLabel,
  options: RecordOptions = {},
): fc.Arbitrary<GeneratedRecord> {
  const { runTag, ...rest } = options;
  // A canary is `tp<owner><nonce>`: its tag (hosts, emails) is the owner's label in lower case.
  let template: fc.Arbitrary<unknown>;
  try {
    template = schemaTemplate(schema, {
      ...rest,
      resolver,
      tag: rest.tag ?? owner.toLowerCase(),
      canaryLength: canaryLength(owner),
    });
  } catch (err) {
    // As when the schema's arbitraries were built per record: a schema no value satisfies fails
    // when a record is drawn, not when the record's arbitrary is made.
    template = fc.constant(null).map(() => {
      throw err;
    });
  }
  return withCanaryScope(canaryArbitrary(owner, runTag), template, (canary, value) => ({ value, canary, owner }));
}

/** A JSON request body for an operation, or undefined when it takes none. */
export function requestBodyArbitrary(
  model: ApiModel,
  op: OperationInfo,
  owner: TenantLabel,
  options: RecordOptions = {},
): fc.Arbitrary<GeneratedRecord> | undefined {
  if (!op.requestBody) return undefined;
  return recordArbitrary(op.requestBody.schema, model.document, owner, { ...options, direction: 'request' });
}

/**
 * Values for an operation's query (and header) parameters other than the ones listed in `skip`
 * (path ids, pagination, search, which the campaign fills itself). Required ones are always set.
 */
export function parametersArbitrary(
  model: ApiModel,
  params: readonly ParameterInfo[],
  owner: TenantLabel,
  options: RecordOptions & { skip?: readonly string[]; locations?: readonly ParameterInfo['in'][] } = {},
): fc.Arbitrary<GeneratedRecord<Record<string, unknown>>> {
  const { skip = [], locations = ['query'], ...rest } = options;
  const chosen = params.filter((p) => locations.includes(p.in) && !skip.includes(p.name));
  const schema = {
    type: 'object',
    properties: Object.fromEntries(chosen.map((p) => [p.name, p.schema])),
    required: chosen.filter((p) => p.required).map((p) => p.name),
  };
  return recordArbitrary(schema, model.document, owner, { ...rest, direction: 'request' }) as fc.Arbitrary<
    GeneratedRecord<Record<string, unknown>>
  >;
}
