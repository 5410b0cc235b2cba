/**
 * Tenant canaries: `tp<tenantTag><nonce>`, e.g. `tpT1x7f3k9q2ab`. The tag is the tenant's
 * pseudonymous label (`T1`); the nonce is 10 characters, a letter then letters and digits, so the
 * tag's digits and the nonce never run together. A canary found in a response names its owner.
 */
import { InternalError } from '../errors.ts';
import * as nodeCrypto from 'node:crypto';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import type { TenantLabel } from '../model/exchange.ts';

export const NONCE_LENGTH = 10;
const LETTERS = 'abcdefghijklmnopqrstuvwxyz';
const ALNUM = LETTERS + '0123456789';

/** Matches canaries anywhere in text; group 1 is the tenant label, group 2 the nonce. */
export const CANARY_PATTERN = /tp(T[0-9]+)([a-z][a-z0-9]{9})/g;
/** The same, lower-cased (emails): `tpt1x7f3k9q2ab`. */
export const LOWER_CANARY_PATTERN = /tp(t[0-9]+)([a-z][a-z0-9]{9})/g;

/** One-shot `crypto.hash` (Node 20.12+) where there is one: no Hash object per digest. */
const oneShotHash = (nodeCrypto as { hash?: (algorithm: string, data: string, encoding: 'buffer') => Buffer }).hash;

function sha256(text: string): Buffer {
  return oneShotHash ? oneShotHash('sha256', text, 'buffer') : createHash('sha256').update(text).digest();
}

export class CanaryLabelError extends InternalError {
  constructor(label: string) {
    super(`tenant label ${JSON.stringify(label)} cannot tag a canary (expected T<number>, e.g. T1)`);
  }
}

export function makeCanary(tenant: TenantLabel, nonce: string): string {
  if (!/^T[0-9]+$/.test(tenant)) throw new CanaryLabelError(tenant);
  return `tp${tenant}${nonce}`;
}

export function canaryLength(tenant: TenantLabel): number {
  return 2 + tenant.length + NONCE_LENGTH;
}

/** The owner label of a canary (`tpT3…` -> `T3`), or undefined for a string that is not one. */
export function canaryOwner(canary: string): TenantLabel | undefined {
  const m = /^tp(T[0-9]+)[a-z][a-z0-9]{9}$/.exec(canary);
  return m?.[1];
}

/**
 * Nonces: uniform and never shrunk (a shrunk nonce would collide with another record's). With a
 * `runTag`, the nonce is hashed with it, so two runs with the same seed still get different canaries.
 */
export function nonceArbitrary(runTag?: string): fc.Arbitrary<string> {
  const raw = fc.tuple(
    fc.constantFrom(...LETTERS),
    fc.string({ unit: fc.constantFrom(...ALNUM), minLength: NONCE_LENGTH - 1, maxLength: NONCE_LENGTH - 1 }),
  );
  return fc.noShrink(fc.noBias(raw)).map(([first, rest]) => {
    if (!runTag) return first + rest;
    const digest = sha256(`${runTag}\0${first}${rest}`);
    let out = LETTERS[digest[0]! % LETTERS.length]!;
    for (let i = 1; i < NONCE_LENGTH; i++) out += ALNUM[digest[i]! % ALNUM.length];
    return out;
  });
}

export function canaryArbitrary(tenant: TenantLabel, runTag?: string): fc.Arbitrary<string> {
  return nonceArbitrary(runTag).map((nonce) => makeCanary(tenant, nonce));
}

/** A UUID (v4 layout) derived from a canary and a field path: unique per record and field, no randomness needed. */
export function uuidFromCanary(canary: string, salt: string): string {
  const h = sha256(`${canary}\0${salt}`).toString('hex');
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
