/**
 * DSSE (Dead Simple Signing Envelope) v1: pre-authentication encoding and the JSON envelope.
 * PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body, LEN = ASCII decimal byte count.
 */
import { AttestationFormatError } from './errors.ts';

export interface DsseSignature {
  keyid: string;
  sig: string;
}

export interface DsseEnvelope {
  payload: string;
  payloadType: string;
  signatures: DsseSignature[];
}

export function pae(payloadType: string, payload: Uint8Array): Buffer {
  const type = Buffer.from(payloadType, 'utf8');
  return Buffer.concat([
    Buffer.from(`DSSEv1 ${type.length} `, 'utf8'),
    type,
    Buffer.from(` ${payload.length} `, 'utf8'),
    payload,
  ]);
}

/** Decodes standard base64, refusing any non-canonical encoding (so no two strings decode alike). */
export function strictBase64(s: string, what: string): Buffer {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4 !== 0)
    throw new AttestationFormatError(`${what} is not canonical base64`);
  const b = Buffer.from(s, 'base64');
  if (b.toString('base64') !== s) throw new AttestationFormatError(`${what} is not canonical base64`);
  return b;
}

export function parseEnvelope(text: string): DsseEnvelope {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new AttestationFormatError('attestation.json is not valid JSON');
  }
  const e = v as Partial<DsseEnvelope>;
  const ok =
    !!e &&
    typeof e.payload === 'string' &&
    typeof e.payloadType === 'string' &&
    Array.isArray(e.signatures) &&
    e.signatures.length > 0 &&
    e.signatures.every((s) => s && typeof s.sig === 'string' && typeof s.keyid === 'string');
  if (!ok)
    throw new AttestationFormatError(
      'attestation.json is not a DSSE envelope (payload, payloadType, signatures[{keyid, sig}])',
    );
  return e as DsseEnvelope;
}
