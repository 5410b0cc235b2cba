/**
 * Campaign configuration: `tenantproof.config.ts` (via `defineConfig`) merged with command-line
 * flags, validated with zod. Every problem is a ConfigError (exit code 2) that names the setting.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { parseDuration } from './duration.ts';
import { parseShard, type Shard } from './shard.ts';

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

const duration = z.union([z.string(), z.number()]).transform((v, ctx) => {
  try {
    return parseDuration(v);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
    return z.NEVER;
  }
});

export const userConfigSchema = z
  .object({
    /** OpenAPI file of the target. Default: the reference CRM's contract. */
    spec: z.string().min(1),
    /** `embedded` (the reference CRM in-process) or the target's base URL. */
    target: z.union([z.literal('embedded'), z.url({ protocol: /^https?$/ })]),
    /** Faults to switch on in the embedded CRM. */
    faults: z.array(z.string().min(1)),
    /** Run the embedded CRM on this PostgreSQL server instead of PGlite. */
    databaseUrl: z.string().min(1),
    poolSize: z.number().int().min(1).max(200),
    /** `crm-admin`, `file:PATH` or `module:PATH`. */
    provision: z.string().regex(/^(crm-admin|file:.+|module:.+)$/, 'use crm-admin, file:PATH or module:PATH'),
    adminToken: z.string().min(1),
    tenants: z.number().int().min(2).max(128),
    runs: z.number().int().min(1),
    budget: duration,
    shrinkBudget: duration,
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1),
    /** Largest concurrent batch of requests. */
    concurrency: z.number().int().min(1).max(64),
    /** Independent searches side by side, each on fresh tenants (needs crm-admin provisioning). */
    lanes: z.number().int().min(1).max(32),
    maxRps: z.number().positive(),
    requestTimeout: duration,
    replays: z.number().int().min(1).max(50),
    maxCommands: z.number().int().min(1).max(500),
    out: z.string().min(1),
    /** Also write report.pdf (needs Chromium). */
    pdf: z.boolean(),
    /** This job's slice of a sharded campaign, `i/n` (see harness/run/shard.ts). */
    shard: z.string().regex(/^\d+\/\d+$/, 'use i/n, e.g. 2/3'),
    /** Delete what the run created, where the API allows it (DELETE operations), after the campaign. */
    cleanup: z.boolean(),
    /** Seconds between checkpoint seals of the evidence while the run goes (0: only at the end). */
    checkpointEvery: z.union([z.literal('off'), duration]),
  })
  .partial()
  .strict();

export type UserConfig = z.input<typeof userConfigSchema>;

/** Identity function that gives `tenantproof.config.ts` type checking and completion. */
export function defineConfig(config: UserConfig): UserConfig {
  return config;
}

export interface RunConfig {
  spec: string;
  target: 'embedded' | string;
  faults: string[];
  databaseUrl?: string;
  poolSize?: number;
  provision: string;
  adminToken?: string;
  tenants: number;
  /** Whether the tenant count was set (else `file:` provisioning takes every tenant in the file). */
  tenantsGiven: boolean;
  runs?: number;
  budgetMs: number;
  shrinkBudgetMs: number;
  seed: number;
  concurrency: number;
  lanes: number;
  maxRps?: number;
  requestTimeoutMs: number;
  replays: number;
  maxCommands: number;
  out: string;
  pdf: boolean;
  shard?: Shard;
  cleanup: boolean;
  checkpointEveryMs: number;
}

export const DEFAULTS = {
  spec: 'specs/crm.openapi.yaml',
  target: 'embedded',
  provision: 'crm-admin',
  tenants: 4,
  budget: '60s',
  shrinkBudget: '20s',
  concurrency: 4,
  lanes: 1,
  requestTimeout: '10s',
  replays: 5,
  maxCommands: 100,
  out: 'reports',
  checkpointEvery: '15s',
} as const;

function issuesText(error: z.ZodError, where: string): string {
  return error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`).join('\n') + `\n(in ${where})`;
}

export async function loadConfigFile(file: string): Promise<UserConfig> {
  const abs = path.resolve(file);
  if (!existsSync(abs)) throw new ConfigError(`config file ${file} does not exist`);
  let mod: { default?: unknown };
  try {
    // tsImport loads a TypeScript config wherever it lives, even outside an ESM package.
    const { tsImport } = await import('tsx/esm/api');
    mod = (await tsImport(pathToFileURL(abs).href, import.meta.url)) as { default?: unknown };
  } catch (err) {
    throw new ConfigError(`config file ${file} could not be loaded: ${(err as Error).message}`);
  }
  // A file loaded as CommonJS comes back as { default: { default: config } }.
  const inner = mod.default as { default?: unknown; __esModule?: boolean } | undefined;
  if (
    inner &&
    typeof inner === 'object' &&
    'default' in inner &&
    Object.keys(inner).every((k) => k === 'default' || k === '__esModule')
  )
    mod = inner;
  if (mod.default === undefined)
    throw new ConfigError(`config file ${file} has no default export; write \`export default defineConfig({ ... })\``);
  const parsed = userConfigSchema.safeParse(mod.default);
  if (!parsed.success) throw new ConfigError(`config file ${file} is invalid:\n${issuesText(parsed.error, file)}`);
  return mod.default as UserConfig;
}

/** Merges file settings, then flags, over the defaults, and validates the result. */
export function resolveConfig(fromFile: UserConfig, fromFlags: UserConfig): RunConfig {
  const merged = {
    ...DEFAULTS,
    ...fromFile,
    ...Object.fromEntries(Object.entries(fromFlags).filter(([, v]) => v !== undefined)),
  };
  const parsed = userConfigSchema.safeParse(merged);
  if (!parsed.success) throw new ConfigError(`invalid settings:\n${issuesText(parsed.error, 'flags and config file')}`);
  const c = parsed.data;
  if (c.target !== 'embedded' && c.faults && c.faults.length > 0)
    throw new ConfigError('--fault only applies to the embedded CRM (--target embedded)');
  if ((c.lanes ?? 1) > 1 && c.provision !== undefined && c.provision !== 'crm-admin')
    throw new ConfigError(
      "--lanes above 1 needs fresh tenants per run (crm-admin provisioning): lanes sharing file: or module: tenants would see each other's writes as interference",
    );
  if (c.target !== 'embedded' && c.databaseUrl)
    throw new ConfigError('--database-url only applies to the embedded CRM (--target embedded)');
  const out: RunConfig = {
    spec: c.spec ?? DEFAULTS.spec,
    target: c.target ?? 'embedded',
    faults: c.faults ?? [],
    provision: c.provision ?? DEFAULTS.provision,
    tenants: c.tenants ?? DEFAULTS.tenants,
    tenantsGiven: fromFile.tenants !== undefined || fromFlags.tenants !== undefined,
    budgetMs: c.budget ?? parseDuration(DEFAULTS.budget),
    shrinkBudgetMs: c.shrinkBudget ?? parseDuration(DEFAULTS.shrinkBudget),
    seed: c.seed ?? Math.floor(Math.random() * 2 ** 31),
    concurrency: c.concurrency ?? DEFAULTS.concurrency,
    lanes: c.lanes ?? DEFAULTS.lanes,
    requestTimeoutMs: c.requestTimeout ?? parseDuration(DEFAULTS.requestTimeout),
    replays: c.replays ?? DEFAULTS.replays,
    maxCommands: c.maxCommands ?? DEFAULTS.maxCommands,
    out: c.out ?? DEFAULTS.out,
    pdf: c.pdf ?? false,
    cleanup: c.cleanup ?? false,
    checkpointEveryMs: c.checkpointEvery === 'off' ? 0 : (c.checkpointEvery ?? parseDuration(DEFAULTS.checkpointEvery)),
  };
  if (c.shard) out.shard = parseShard(c.shard);
  if (c.databaseUrl) out.databaseUrl = c.databaseUrl;
  if (c.poolSize) out.poolSize = c.poolSize;
  if (c.adminToken) out.adminToken = c.adminToken;
  if (c.runs) out.runs = c.runs;
  if (c.maxRps) out.maxRps = c.maxRps;
  return out;
}
