/**
 * The system under test: the embedded reference CRM (started in-process, with faults if asked),
 * or a base URL that must answer before the campaign starts.
 */
import { TenantproofError } from '../errors.ts';
import { EXIT } from '../exit-codes.ts';

export class TargetError extends TenantproofError {
  constructor(
    message: string,
    /** `usage` for a bad request of ours (unknown fault), `unusable` for a target that does not work. */
    readonly kind: 'usage' | 'unusable',
  ) {
    super(message, kind === 'usage' ? EXIT.usage : EXIT.inconclusive);
  }
}

export interface Target {
  url: string;
  kind: 'embedded' | 'url';
  /** Admin token of the embedded CRM, for crm-admin provisioning. */
  adminToken?: string;
  faults: string[];
  close(): Promise<void>;
}

export interface TargetOptions {
  target: 'embedded' | string;
  faults: string[];
  databaseUrl?: string;
  poolSize?: number;
  timeoutMs: number;
}

export async function openTarget(o: TargetOptions): Promise<Target> {
  if (o.target === 'embedded') {
    // The only place the harness touches the reference CRM, and only when asked to run it.
    const crm = await import('../../crm/server.ts');
    const known = new Set(crm.FAULT_CATALOGUE.map((f) => f.name));
    const unknown = o.faults.filter((f) => !known.has(f as never));
    if (unknown.length > 0) {
      throw new TargetError(
        `unknown fault ${unknown.map((f) => `"${f}"`).join(', ')}; \`tenantproof crm --list-faults\` lists them: ${[...known].join(', ')}`,
        'usage',
      );
    }
    try {
      const running = await crm.startCrm({
        faults: o.faults as never,
        ...(o.databaseUrl ? { databaseUrl: o.databaseUrl } : {}),
        ...(o.poolSize ? { poolSize: o.poolSize } : {}),
      });
      return {
        url: running.url,
        kind: 'embedded',
        adminToken: running.adminToken,
        faults: [...o.faults],
        close: () => running.close(),
      };
    } catch (err) {
      throw new TargetError(`the embedded CRM did not start: ${(err as Error).message}`, 'unusable');
    }
  }
  await assertReachable(o.target, o.timeoutMs);
  return { url: o.target, kind: 'url', faults: [], close: async () => {} };
}

/** Any HTTP answer will do (even 404 or 401); a refused connection, DNS failure or timeout will not. */
export async function assertReachable(url: string, timeoutMs: number): Promise<void> {
  try {
    const res = await fetch(url, { method: 'GET', signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
    // The status is all this needs: a body that never ends (or is huge) is not read.
    await res.body?.cancel().catch(() => undefined);
  } catch (err) {
    const e = err as { name?: string; cause?: { code?: string; message?: string }; message?: string };
    const why =
      e.name === 'TimeoutError'
        ? `no answer within ${timeoutMs} ms`
        : (e.cause?.code ?? e.cause?.message ?? e.message ?? String(err));
    throw new TargetError(
      `cannot reach the target at ${url}: ${why}. Check the URL and that the server is running.`,
      'unusable',
    );
  }
}
