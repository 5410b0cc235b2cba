/**
 * Idempotency keys of tenant provisioning (`POST /v1/tenants`, X-Admin-Token). There is no tenant
 * yet, so the keys live in `admin_idempotency_keys`, read only on the privileged connection. The
 * stored response holds the new tenant's API key, which the database must not hold in clear: the
 * body is sealed with AES-256-GCM under a key derived from the admin token, so a replay works for
 * whoever holds that token (every CRM process that shares the database and the token).
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import type { SqlExecutor } from '../db/database.ts';
import { IdempotencyKeyReusedError } from './idempotency-errors.ts';
import { claimKey, type StoredResponse } from './idempotency.ts';

export class SealedBodyError extends Error {
  override name = 'SealedBodyError';
}

export interface AdminIdempotencyStore {
  claim(sql: SqlExecutor, key: string, hash: string): Promise<StoredResponse | undefined>;
  complete(sql: SqlExecutor, key: string, response: StoredResponse): Promise<void>;
}

export function createAdminIdempotencyStore(adminToken: string): AdminIdempotencyStore {
  const secret = createHash('sha256').update('tenantproof admin idempotency\0').update(adminToken).digest();
  return {
    async claim(sql, key, hash) {
      const stored = await claimKey(
        sql,
        {
          text: `INSERT INTO admin_idempotency_keys (key, request_hash) VALUES ($1, $2)
                 ON CONFLICT (key) DO NOTHING RETURNING key`,
          params: [key, hash],
        },
        { text: 'SELECT request_hash, status, body FROM admin_idempotency_keys WHERE key = $1', params: [key] },
      );
      if (!stored) return undefined;
      try {
        return { ...stored, body: unseal(secret, stored.body) };
      } catch (error) {
        // Sealed under another admin token: the key was another administrator's.
        if (error instanceof SealedBodyError) throw new IdempotencyKeyReusedError();
        throw error;
      }
    },
    async complete(sql, key, response) {
      await sql.query('UPDATE admin_idempotency_keys SET status = $2, body = $3 WHERE key = $1', [
        key,
        response.status,
        seal(secret, response.body),
      ]);
    },
  };
}

/** `v1.<iv>.<tag>.<ciphertext>`, base64url. */
export function seal(secret: Buffer, text: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', secret, iv);
  const data = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]);
  return ['v1', iv, cipher.getAuthTag(), data]
    .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
    .join('.');
}

export function unseal(secret: Buffer, sealed: string): string {
  const [version, iv, tag, data] = sealed.split('.');
  if (version !== 'v1' || !iv || !tag || data === undefined) throw new SealedBodyError('not a sealed body');
  try {
    const decipher = createDecipheriv('aes-256-gcm', secret, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    throw new SealedBodyError('the stored response was sealed under a different admin token');
  }
}
