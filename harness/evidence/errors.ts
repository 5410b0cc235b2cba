/** Typed errors of the evidence layer. */

export class EvidenceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EvidenceError';
  }
}

export class TranscriptClosedError extends EvidenceError {
  constructor(readonly file: string) {
    super(`transcript ${file} is closed`);
    this.name = 'TranscriptClosedError';
  }
}

export class SigningKeyError extends EvidenceError {
  constructor(message: string) {
    super(message);
    this.name = 'SigningKeyError';
  }
}

export class AttestationFormatError extends EvidenceError {
  constructor(message: string) {
    super(message);
    this.name = 'AttestationFormatError';
  }
}
