/** Fastify route schemas derived from the spec's operations (params, querystring, headers, body). */
import type { JsonSchema, SpecOperation } from '../spec/load-spec.ts';

/** Marks a body schema whose request body may be absent (`requestBody.required: false`). */
export const OPTIONAL_BODY = 'x-tenantproof-optional-body';

export interface RouteSchemas {
  params?: JsonSchema;
  querystring?: JsonSchema;
  headers?: JsonSchema;
  body?: JsonSchema;
}

function objectOf(
  params: SpecOperation['parameters'],
  lowerCaseNames: boolean,
  closed: boolean,
): JsonSchema | undefined {
  if (params.length === 0) return undefined;
  const properties: JsonSchema = {};
  const required: string[] = [];
  for (const p of params) {
    const name = lowerCaseNames ? p.name.toLowerCase() : p.name;
    properties[name] = p.schema;
    if (p.required) required.push(name);
  }
  return { type: 'object', properties, required, additionalProperties: !closed };
}

export function routeSchemas(op: SpecOperation, bodySchema: (schema: JsonSchema) => JsonSchema): RouteSchemas {
  const schemas: RouteSchemas = {};
  const params = objectOf(
    op.parameters.filter((p) => p.in === 'path'),
    false,
    false,
  );
  // Unknown query parameters are rejected, like unknown body properties.
  const query = objectOf(
    op.parameters.filter((p) => p.in === 'query'),
    false,
    true,
  );
  const headers = objectOf(
    op.parameters.filter((p) => p.in === 'header'),
    true,
    false,
  );
  if (params) schemas.params = params;
  schemas.querystring = query ?? { type: 'object', properties: {}, additionalProperties: false };
  if (headers) schemas.headers = headers;
  if (op.requestBody) {
    const schema = bodySchema(op.requestBody.schema);
    schemas.body = op.requestBody.required ? schema : { ...schema, [OPTIONAL_BODY]: true };
  }
  return schemas;
}
