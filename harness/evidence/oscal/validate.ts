/**
 * Validation against the official NIST OSCAL 1.1.2 Assessment Results JSON Schema, vendored
 * byte for byte at `specs/oscal_assessment-results_schema-1.1.2.json` (specs/README.md says where it
 * came from) and shipped with the package, so `tenantproof export oscal` checks its output offline
 * before writing it. The schema is draft-07: ajv's default dialect, with ajv-formats for `date-time`,
 * `uri` and `uri-reference`; its patterns use `\p{L}`, so ajv compiles them with the `u` flag (its
 * default). Compiling takes about a second, so the validator is compiled once per process.
 */
import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { packageFile } from '../../tool-version.ts';
import { OscalSchemaUnavailableError, type SchemaIssue } from './errors.ts';

export const OSCAL_AR_SCHEMA_FILE = 'oscal_assessment-results_schema-1.1.2.json';
export const OSCAL_AR_SCHEMA_ID = 'http://csrc.nist.gov/ns/oscal/1.1.2/oscal-ar-schema.json';

type FormatsPlugin = (ajv: Ajv) => Ajv;
// ajv-formats is CJS with `exports.default`; under NodeNext the callable may sit on `.default`.
const formatsModule = addFormatsModule as unknown as FormatsPlugin | { default: FormatsPlugin };
const addFormats: FormatsPlugin = typeof formatsModule === 'function' ? formatsModule : formatsModule.default;

/** The vendored schema's path in the installed package. */
export function oscalSchemaPath(): string {
  return packageFile('specs', OSCAL_AR_SCHEMA_FILE);
}

let compiled: ValidateFunction | undefined;

/** The compiled validator of the official schema (compiled on first use). */
export function oscalValidator(): ValidateFunction {
  if (compiled) return compiled;
  const file = oscalSchemaPath();
  let schema: Record<string, unknown>;
  try {
    schema = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    throw new OscalSchemaUnavailableError(`the OSCAL schema ${file} cannot be read: ${(err as Error).message}`, {
      hint: 'reinstall tenantproof; the package ships specs/' + OSCAL_AR_SCHEMA_FILE,
    });
  }
  if (schema['$id'] !== OSCAL_AR_SCHEMA_ID)
    throw new OscalSchemaUnavailableError(
      `${file} is not the OSCAL 1.1.2 Assessment Results schema ($id ${String(schema['$id'])})`,
    );
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  compiled = ajv.compile(schema);
  return compiled;
}

function issueOf(e: ErrorObject): SchemaIssue {
  const detail = e.params && Object.keys(e.params).length > 0 ? ` ${JSON.stringify(e.params)}` : '';
  return { path: e.instancePath, message: `${e.message ?? e.keyword}${detail}` };
}

/**
 * What the official schema says is wrong with `document` (empty when it validates). The schema's
 * `anyOf` alternatives each report their own errors; they are kept, deduplicated.
 */
export function oscalSchemaIssues(document: unknown): SchemaIssue[] {
  const validate = oscalValidator();
  if (validate(document)) return [];
  const seen = new Set<string>();
  const out: SchemaIssue[] = [];
  for (const e of validate.errors ?? []) {
    const issue = issueOf(e);
    const key = `${issue.path} ${issue.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push(issue);
    }
  }
  return out;
}
