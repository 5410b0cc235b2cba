/**
 * Ajv compilers for Fastify: no coercion and no stripping for bodies (unknown properties are a
 * 400), type coercion for the string-typed parts (params, querystring, headers), whose numbers
 * must first be plain decimal text (`decimal-parameters.ts`).
 */
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { FastifySchemaCompiler } from 'fastify';
import { createSpecAjv } from '../spec/ajv.ts';
import { decimalParameterErrors } from './decimal-parameters.ts';
import type { FieldError } from './errors.ts';
import { OPTIONAL_BODY } from './route-schemas.ts';

let bodyAjv: ReturnType<typeof createSpecAjv> | undefined;
let partAjv: ReturnType<typeof createSpecAjv> | undefined;
/** Compiled validators, shared by every server in the process (schemas are immutable). */
const compiled = new Map<string, ValidateFunction>();

function compile(part: 'body' | 'other', schema: Record<string, unknown>): ValidateFunction {
  const key = `${part} ${JSON.stringify(schema)}`;
  let validate = compiled.get(key);
  if (!validate) {
    bodyAjv ??= createSpecAjv({ coerceTypes: false, removeAdditional: false, useDefaults: false });
    partAjv ??= createSpecAjv({ coerceTypes: 'array', removeAdditional: false, useDefaults: true });
    validate = (part === 'body' ? bodyAjv : partAjv).compile(schema);
    compiled.set(key, validate);
  }
  return validate;
}

export function createValidatorCompiler(): FastifySchemaCompiler<unknown> {
  return ({ schema, httpPart }) => {
    const { [OPTIONAL_BODY]: optional, ...rest } = schema as Record<string, unknown>;
    const part = httpPart === 'body' ? 'body' : 'other';
    const validate = compile(part, rest);
    const wrapper = (data: unknown): boolean => {
      if (optional && (data === null || data === undefined)) return true;
      // Before ajv: its coercion rewrites the data in place.
      const notDecimal = part === 'other' ? decimalParameterErrors(rest, data) : [];
      if (notDecimal.length > 0) {
        wrapper.errors = notDecimal;
        return false;
      }
      const ok = validate(data);
      wrapper.errors = ok ? null : validate.errors;
      return ok;
    };
    wrapper.errors = null as ErrorObject[] | null | undefined;
    return wrapper;
  };
}

/** Ajv errors → `[{ path, message }]` with JSON-pointer paths into the offending part. */
export function toFieldErrors(errors: readonly ErrorObject[]): FieldError[] {
  return errors.map((error) => {
    let path = error.instancePath;
    const params = error.params as Record<string, unknown>;
    if (error.keyword === 'required' && typeof params.missingProperty === 'string')
      path += `/${params.missingProperty}`;
    if (error.keyword === 'additionalProperties' && typeof params.additionalProperty === 'string')
      path += `/${params.additionalProperty}`;
    return { path: path || '/', message: error.message ?? 'is invalid' };
  });
}
