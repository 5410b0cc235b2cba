/** Validates real HTTP responses against the response schemas in specs/crm.openapi.yaml. */
import type { ValidateFunction } from 'ajv';
import { expect } from 'vitest';
import { createSpecAjv } from '../../../crm/spec/ajv.ts';
import { defaultSpec, type JsonSchema } from '../../../crm/spec/load-spec.ts';
import { api, type ApiResponse, type RequestOptions } from '../../support/crm-fixture.ts';

const spec = defaultSpec();
const ajv = createSpecAjv();
const compiled = new Map<JsonSchema, ValidateFunction>();

function validator(schema: JsonSchema): ValidateFunction {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
    compiled.set(schema, validate);
  }
  return validate;
}

export function schemaErrors(schema: JsonSchema, value: unknown): string | undefined {
  const validate = validator(schema);
  return validate(value) ? undefined : ajv.errorsText(validate.errors);
}

export const problemSchema = spec.schema('Problem');

/** Asserts `response` is one of the responses `operationId` declares, body included. */
export function expectContract(operationId: string, response: ApiResponse): void {
  const op = spec.byOperationId.get(operationId);
  expect(op, `unknown operation ${operationId}`).toBeDefined();
  const requestId = response.headers.get('x-request-id');
  expect(requestId, 'X-Request-Id header').toBeTruthy();
  const declared = op!.responses[String(response.status)];
  expect(declared, `${operationId} does not declare ${response.status}: ${response.text.slice(0, 300)}`).toBeDefined();
  const mediaTypes = Object.keys(declared!);
  const contentType = response.headers.get('content-type')?.split(';')[0]?.trim();
  if (mediaTypes.length === 0) {
    expect(response.text).toBe('');
    return;
  }
  expect(mediaTypes, `${operationId} ${response.status} content type`).toContain(contentType);
  const schema = declared![contentType!];
  const isJson = contentType === 'application/json' || contentType?.endsWith('+json');
  if (schema) {
    // JSON bodies are validated parsed; other media types (ndjson, csv) are strings in the spec.
    const value = isJson ? response.body : response.text;
    expect(
      schemaErrors(schema, value),
      `${operationId} ${response.status} body: ${response.text.slice(0, 300)}`,
    ).toBeUndefined();
  }
  if (contentType === 'application/problem+json')
    expect((response.body as { requestId?: string }).requestId).toBe(requestId);
}

export const exercised = new Map<string, Set<number>>();

/** An API client that validates every response against the contract and records coverage. */
export function contractClient(crm: { url: string }, apiKey?: string) {
  const request = api(crm, apiKey);
  return async function call<T = any>(
    operationId: string,
    method: string,
    path: string,
    options: RequestOptions = {},
  ): Promise<ApiResponse<T>> {
    // eslint-disable-line @typescript-eslint/no-explicit-any -- test convenience
    const response = await request<T>(method, path, options);
    expectContract(operationId, response);
    const statuses = exercised.get(operationId) ?? new Set<number>();
    statuses.add(response.status);
    exercised.set(operationId, statuses);
    return response;
  };
}

export const allOperationIds = (): string[] => spec.operations.map((op) => op.operationId);
