/**
 * Who is calling: the operator (X-Admin-Token, for provisioning) or a tenant (Bearer API key).
 * Every request is charged to a rate-limit bucket: the tenant once known, else the client IP.
 * A repeated credential header is a 400: which copy counts would be a guess.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { RateLimitedError, UnauthorizedError } from '../http/errors.ts';
import { assertSingleHeaders } from '../http/raw-headers.ts';
import type { ApiKeyResolver } from './api-keys.ts';
import type { TokenBucketLimiter } from './rate-limiter.ts';
import type { TenantContext } from './tenant-context.ts';

const BEARER = /^Bearer\s+(\S+)\s*$/i;
const CREDENTIAL_HEADERS = ['Authorization', 'X-Admin-Token'] as const;

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

export class Authenticator {
  readonly #adminDigest: Buffer;

  constructor(
    private readonly apiKeys: ApiKeyResolver,
    private readonly limiter: TokenBucketLimiter,
    adminToken: string,
  ) {
    this.#adminDigest = sha256(adminToken);
  }

  /**
   * Throws UnauthorizedError (or RateLimitedError for a flood of bad credentials), and
   * DuplicateHeaderError for a repeated credential header.
   */
  async authenticate(request: FastifyRequest, expected: 'admin' | 'tenant'): Promise<'admin' | TenantContext> {
    assertSingleHeaders(request.raw, CREDENTIAL_HEADERS);
    if (expected === 'admin') {
      const token = request.headers['x-admin-token'];
      if (typeof token !== 'string' || !timingSafeEqual(sha256(token), this.#adminDigest)) {
        this.charge(`ip:${request.ip}`);
        throw new UnauthorizedError('Missing or invalid admin token.');
      }
      this.charge('admin');
      return 'admin';
    }
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? BEARER.exec(header) : null;
    const credential = match?.[1] ? await this.apiKeys.resolve(match[1]) : undefined;
    if (!credential) {
      this.charge(`ip:${request.ip}`);
      throw new UnauthorizedError();
    }
    return credential;
  }

  /** Takes one token from `bucket`; throws RateLimitedError with the wait when it is empty. */
  charge(bucket: string): void {
    const decision = this.limiter.take(bucket);
    if (!decision.allowed) throw new RateLimitedError(decision.retryAfterSeconds);
  }
}
