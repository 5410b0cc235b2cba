/** Request ids: `req_<uuid>`, in every response's X-Request-Id header, problem body and audit event. */
import { randomUUID } from 'node:crypto';

export const REQUEST_ID_HEADER = 'X-Request-Id';

export function newRequestId(): string {
  return `req_${randomUUID()}`;
}
