/** Idempotency keys: one per logical POST, generated once and reused by every retry of it. */
import { randomUUID } from 'node:crypto';

export const IDEMPOTENCY_HEADER = 'Idempotency-Key';

export function newIdempotencyKey(): string {
  return `tpsdk-${randomUUID()}`;
}
