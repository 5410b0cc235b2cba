/** Public API of spec analysis. */
export * from './api-model.ts';
export { analyzeDocument, analyzeSpecFile } from './analyze.ts';
export { loadSpec, type LoadedSpec, type LoadSpecOptions } from './load-spec.ts';
export { SpecDocument, isObject, type JsonObject, type RefResolver } from './spec-document.ts';
export { SpecError, formatLocation, type SpecErrorCode, type SpecLocation } from './spec-error.ts';
export type { SpecWarning } from './validate-document.ts';
export { PROBE_DESCRIPTIONS, PROBE_NAMES, probesFor, type ProbeName } from './probes.ts';
export {
  EXTENSION_PREFIX,
  operationExtensionsSchema,
  valueExtensionsSchema,
  rootExtensionsSchema,
  securitySchemeExtensionsSchema,
} from './extensions.ts';
export { findItems, findIdField, objectShape, schemaIdentity, unwrapRecord } from './schema-shape.ts';
