/**
 * Opaque pagination cursors: base64url(JSON {position, list, tenant}) + "." + HMAC-SHA256.
 * A cursor only decodes for the tenant and the list that issued it.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { InvalidCursorError } from '../http/errors.ts';

export interface CursorPayload {
  position: number;
  list: string;
  tenant: string;
}

export interface DecodedCursor {
  position: number;
  /** The tenant the next page is read for. */
  tenantId: string;
}

export interface CursorCodec {
  encode(payload: CursorPayload): string;
  /** Throws InvalidCursorError unless the cursor was issued for this tenant and list. */
  decode(cursor: string, expected: { tenant: string; list: string }): DecodedCursor;
}

function parsePayload(text: string): CursorPayload {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError();
  }
  const p = value as Partial<CursorPayload> | null;
  if (
    !p ||
    typeof p.position !== 'number' ||
    !Number.isSafeInteger(p.position) ||
    typeof p.list !== 'string' ||
    typeof p.tenant !== 'string'
  ) {
    throw new InvalidCursorError();
  }
  return { position: p.position, list: p.list, tenant: p.tenant };
}

export function encodePayload(payload: CursorPayload): string {
  return Buffer.from(JSON.stringify(payload)).toString('base64url');
}

export function decodeUnsignedPayload(text: string): CursorPayload {
  return parsePayload(text);
}

export function createSignedCursorCodec(secret: Buffer = randomBytes(32)): CursorCodec {
  const sign = (body: string) => createHmac('sha256', secret).update(body).digest('base64url');
  return {
    encode(payload) {
      const body = encodePayload(payload);
      return `${body}.${sign(body)}`;
    },
    decode(cursor, expected) {
      const [body, signature, extra] = cursor.split('.');
      if (!body || !signature || extra !== undefined) throw new InvalidCursorError();
      const a = Buffer.from(signature);
      const b = Buffer.from(sign(body));
      if (a.length !== b.length || !timingSafeEqual(a, b)) throw new InvalidCursorError();
      const payload = parsePayload(body);
      if (payload.tenant !== expected.tenant || payload.list !== expected.list) throw new InvalidCursorError();
      return { position: payload.position, tenantId: payload.tenant };
    },
  };
}
