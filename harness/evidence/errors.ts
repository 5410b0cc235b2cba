/** Typed errors of the evidence layer (part of the harness's one error tree, harness/errors.ts). */
import { InternalError, UsageError } from '../errors.ts';

/** An evidence folder or file that cannot be used as asked: unreadable, not a run, refused. Exit 2. */
export class EvidenceError extends UsageError {}

/** A write to a transcript after it was closed: a bug of ours. */
export class TranscriptClosedError extends InternalError {
  constructor(readonly file: string) {
    super(`transcript ${file} is closed`);
  }
}

/** TENANTPROOF_SIGNING_KEY (or a key file) that cannot be used. */
export class SigningKeyError extends EvidenceError {}

/** attestation.json that is not a canonical DSSE envelope. */
export class AttestationFormatError extends EvidenceError {}
