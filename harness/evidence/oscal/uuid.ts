/**
 * Name-based (version 5) UUIDs, RFC 4122 §4.3: SHA-1 over the namespace UUID's 16 bytes followed by
 * the name's UTF-8 bytes, the first 16 bytes of the digest with the version (5) and variant (10xx)
 * bits set. OSCAL 1.1.2 accepts only version 4 and 5 UUIDs; deriving them from names makes an
 * export stable: the same run folder exported twice gives the same UUIDs.
 */
import { createHash } from 'node:crypto';

/** The RFC 4122 (Appendix C) namespace for names that are URLs. */
export const URL_NAMESPACE = '6ba7b811-9dad-11d1-80b4-00c04fd430c8';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function bytesOf(uuid: string): Buffer {
  if (!UUID.test(uuid)) throw new TypeError(`not a UUID: ${uuid}`);
  return Buffer.from(uuid.replace(/-/g, ''), 'hex');
}

function format(bytes: Buffer): string {
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** The version 5 UUID of `name` in `namespace` (lower-case hex). */
export function uuidV5(namespace: string, name: string): string {
  const digest = createHash('sha1').update(bytesOf(namespace)).update(name, 'utf8').digest();
  const bytes = digest.subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  return format(bytes);
}

/** tenantproof's namespace for OSCAL documents: the v5 UUID of its namespace URI. */
export function tenantproofNamespace(nsUri: string): string {
  return uuidV5(URL_NAMESPACE, nsUri);
}

/**
 * The UUIDs of one run's document: each element's UUID is named by the run id and the element's
 * path (`finding/F1`, `resource/transcript.ndjson`, …) in tenantproof's namespace, so it is the same
 * on every export of that run, and differs between runs.
 */
export function runUuids(namespace: string, runId: string): (elementPath: string) => string {
  const runNamespace = uuidV5(namespace, `run/${runId}`);
  return (elementPath) => uuidV5(runNamespace, elementPath);
}
