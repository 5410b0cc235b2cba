/** The evidence layer's public API, for the campaign loop and the CLI. */
export {
  TranscriptWriter,
  TRANSCRIPT_FILE,
  verifyTranscript,
  verifyTranscriptBytes,
  readTranscript,
  type TranscriptLine,
  type TranscriptCheck,
  type TranscriptWriterOptions,
} from './transcript.ts';
export { Redactor, SECRET_HEADERS } from './redact.ts';
export { exchangesFromTranscript } from './transcript-index.ts';
export {
  buildManifest,
  writeManifest,
  checkManifest,
  MANIFEST_FILE,
  ATTESTATION_FILE,
  type Manifest,
  type ManifestProblem,
} from './manifest.ts';
export {
  loadSigningKey,
  parseSigningKey,
  writeAttestation,
  writePublicKey,
  verifyAttestation,
  keyFingerprint,
  PUBLIC_KEY_FILE,
  SIGNING_KEY_ENV,
  type SigningKey,
  type TestResultPredicate,
  type Statement,
} from './attestation.ts';
export { sealRunDir, type SealResult } from './seal.ts';
export {
  EvidenceSchema,
  EVIDENCE_FILE,
  EVIDENCE_SCHEMA_VERSION,
  evidenceJsonSchema,
  type Evidence,
  type EvidenceFinding,
  type CoverageCell,
  type NegativeControl,
  type ControlEntry,
  type ReproStep,
} from './evidence-schema.ts';
export { writeEvidenceFile, readEvidenceFile, evidenceIssues, EvidenceInvalidError } from './evidence-file.ts';
export { CONTROLS, buildControlMapping, verdictOf, type ControlDefinition, type ControlStatus } from './controls.ts';
export { toEvidenceFinding, CoverageCounter, type FindingExtras } from './findings.ts';
export { renderJunit, JUNIT_FILE } from './junit.ts';
export { renderSarif, serializeSarif, SARIF_FILE, type SarifOptions } from './sarif.ts';
export {
  verifyRunDir,
  formatVerifyReport,
  type VerifyReport,
  type VerifyFailure,
  type VerifyOptions,
} from './verify.ts';
export {
  parseCalendarDuration,
  addCalendarDuration,
  wholeMonthsBetween,
  wholeDaysBetween,
  DEFAULT_VALIDITY,
  CalendarDurationError,
  type CalendarDuration,
} from './calendar-duration.ts';
export { systemClock, fixedClock, clockStartingAt, type Clock } from './clock.ts';
export {
  freshnessOf,
  ageText,
  maxAgeProblem,
  freshnessLines,
  type Freshness,
  type FreshnessInput,
} from './freshness.ts';
export * from './errors.ts';
