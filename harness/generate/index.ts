/** Public API of data generation. */
export {
  CANARY_PATTERN,
  LOWER_CANARY_PATTERN,
  NONCE_LENGTH,
  CanaryLabelError,
  canaryArbitrary,
  canaryLength,
  canaryOwner,
  makeCanary,
  nonceArbitrary,
  uuidFromCanary,
} from './canary.ts';
export {
  FingerprintConflictError,
  FingerprintRegistry,
  MIN_FINGERPRINT_LENGTH,
  type Fingerprint,
  type FingerprintKind,
} from './fingerprints.ts';
export { schemaArbitrary, UnsatisfiableSchemaError, type SchemaArbitraryOptions } from './schema-arbitrary.ts';
export {
  parametersArbitrary,
  recordArbitrary,
  requestBodyArbitrary,
  type GeneratedRecord,
  type RecordOptions,
} from './record-arbitrary.ts';
export {
  findGeneratedValues,
  registerGeneratedValues,
  registerServerIds,
  registerTenantSecrets,
  type FoundValue,
  type RegisterResult,
} from './register-values.ts';
export { orderTimeRanges } from './time-ranges.ts';
export type { TimeRange } from './string-arbitraries.ts';
