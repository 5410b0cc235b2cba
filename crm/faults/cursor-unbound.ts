import { InvalidCursorError } from '../http/errors.ts';
import { decodeUnsignedPayload, encodePayload, type CursorCodec } from '../tenancy/cursor.ts';
import type { Fault } from './fault.ts';

/**
 * "Stateless" cursors: plain base64url JSON, not signed, carrying the tenant for shard routing.
 * Page 2+ is read for whatever tenant the cursor names.
 */
const unsignedCursorCodec: CursorCodec = {
  encode: (payload) => encodePayload(payload),
  decode(cursor, expected) {
    const payload = decodeUnsignedPayload(cursor);
    if (payload.list !== expected.list) throw new InvalidCursorError();
    return { position: payload.position, tenantId: payload.tenant };
  },
};

export const cursorUnbound: Fault = {
  name: 'cursor-unbound',
  description: "Pagination cursors are unsigned and carry a tenant id; page 2+ is read for the cursor's tenant.",
  install(components) {
    return { ...components, cursorCodec: unsignedCursorCodec };
  },
};
