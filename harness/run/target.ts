/**
 * The system under test: the embedded reference CRM (started in-process, with faults if asked),
 * or a base URL that must answer before the campaign starts.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { TenantproofError } from '../errors.ts';
import { EXIT } from '../exit-codes.ts';
import type { RunConfig } from './settings.ts';

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
  /** Told before slow set-up begins (booting the embedded CRM takes seconds), so a run is never silent. */
  onStatus?: (message: string) => void;
}

/** The target options a run's settings give (`run` and `doctor` open the target alike). */
export function targetOptionsOf(
  config: Pick<RunConfig, 'target' | 'faults' | 'databaseUrl' | 'poolSize' | 'requestTimeout'>,
  onStatus?: (message: string) => void,
): TargetOptions {
  return {
    target: config.target,
    faults: config.faults,
    ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}),
    ...(config.poolSize ? { poolSize: config.poolSize } : {}),
    timeoutMs: config.requestTimeout,
    ...(onStatus ? { onStatus } : {}),
  };
}

export async function openTarget(o: TargetOptions): Promise<Target> {
  if (o.target === 'embedded') {
    o.onStatus?.(
      `starting the embedded reference CRM (${o.databaseUrl ? 'PostgreSQL' : 'PGlite'}${o.faults.length ? `, faults: ${o.faults.join(', ')}` : ''})…`,
    );
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

/**
 * Any HTTP answer will do (even 404 or 401); a refused connection, DNS failure or timeout will not.
 * Plain node:http rather than fetch: fetch refuses some ports outright ("bad port"), which would
 * hide the real reason, and its body would have to be cancelled; here only the status is read.
 */
export async function assertReachable(url: string, timeoutMs: number): Promise<void> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TargetError(`the target ${url} is not a URL; give one such as http://127.0.0.1:8080`, 'usage');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw new TargetError(`the target ${url} is not an http(s) URL`, 'usage');
  const why = await new Promise<string | undefined>((resolve) => {
    const req = (parsed.protocol === 'https:' ? httpsRequest : httpRequest)(parsed, { method: 'GET' }, (res) => {
      res.destroy();
      resolve(undefined);
    });
    req.setTimeout(timeoutMs, () =>
      req.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'TIMEOUT' })),
    );
    req.on('error', (err: NodeJS.ErrnoException) =>
      resolve(err.code === 'TIMEOUT' ? err.message : `${err.code ?? 'error'}: ${err.message}`),
    );
    req.end();
  });
  if (why !== undefined)
    throw new TargetError(
      `cannot reach the target at ${url}: ${why}. Check the URL and that the server is running.`,
      'unusable',
    );
}
