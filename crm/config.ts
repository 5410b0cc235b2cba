/** Server options resolved from explicit options, then the environment, then defaults. */
import { randomBytes } from 'node:crypto';
import { parseRateLimit, type RateLimit } from './tenancy/rate-limiter.ts';

export const DEFAULT_RATE_LIMIT: RateLimit = { requestsPerSecond: 200, burst: 400 };

export function envFaults(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env.CRM_FAULTS ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
}

export function resolveAdminToken(explicit: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return explicit ?? (env.CRM_ADMIN_TOKEN || `tpa_${randomBytes(24).toString('base64url')}`);
}

export function resolveRateLimit(explicit: RateLimit | undefined, env: NodeJS.ProcessEnv = process.env): RateLimit {
  if (explicit) return explicit;
  return env.CRM_RATE_LIMIT ? parseRateLimit(env.CRM_RATE_LIMIT) : DEFAULT_RATE_LIMIT;
}
