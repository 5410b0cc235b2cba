/**
 * Campaign configuration: `tenantproof.config.ts` (via `defineConfig`) merged with command-line
 * flags over the defaults of the settings table (settings.ts), validated with zod. Every problem is
 * a ConfigError (exit code 2) that names the setting, as the flag when it came from a flag.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { z } from 'zod';
import { DEFAULT_TENANTS } from '../tenants/index.ts';
import { ConfigError } from './config-error.ts';
import { flagOf, runConfigSchema, userConfigSchema, type RunConfig, type UserConfig } from './settings.ts';

export { ConfigError, type RunConfig, type UserConfig };

/** Identity function that gives `tenantproof.config.ts` type checking and completion. */
export function defineConfig(config: UserConfig): UserConfig {
  return config;
}

function issuesText(error: z.ZodError, fromFlags: ReadonlySet<string>, where: string): string {
  const lines = error.issues.map((i) => {
    const key = String(i.path[0] ?? '');
    const flag = flagOf(key);
    const name = fromFlags.has(key) && flag ? `--${flag}` : i.path.join('.') || '(root)';
    return `  ${name}: ${i.message}`;
  });
  return `${lines.join('\n')}${where ? `\n(in ${where})` : ''}`;
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
  if (!parsed.success)
    throw new ConfigError(`config file ${file} is invalid:\n${issuesText(parsed.error, new Set(), file)}`);
  return mod.default as UserConfig;
}

/**
 * Merges file settings, then flags, over the defaults, and validates the result. `fromFlags` may
 * hold raw flag text (`'5'`); the settings' schemas parse it.
 */
export function resolveConfig(fromFile: UserConfig, fromFlags: Record<string, unknown>, fileName?: string): RunConfig {
  const flags = Object.fromEntries(Object.entries(fromFlags).filter(([, v]) => v !== undefined));
  const parsed = runConfigSchema.safeParse({ ...fromFile, ...flags });
  if (!parsed.success) {
    const where = fileName ? `flags and ${fileName}` : '';
    throw new ConfigError(`invalid settings:\n${issuesText(parsed.error, new Set(Object.keys(flags)), where)}`);
  }
  const c = parsed.data;
  if (c.target !== 'embedded' && c.faults.length > 0)
    throw new ConfigError('--fault only applies to the embedded CRM (--target embedded)');
  if (c.lanes > 1 && c.provision !== 'crm-admin')
    throw new ConfigError(
      "--lanes above 1 needs fresh tenants per run (crm-admin provisioning): lanes sharing file: or module: tenants would see each other's writes as interference",
    );
  if (c.poolTenants !== undefined && c.poolTenants > 0) {
    if (c.provision !== 'crm-admin')
      throw new ConfigError(
        '--pool-tenants needs crm-admin provisioning: with file: or module: provisioning every run already reuses the same tenants',
      );
    const tenants = c.tenants ?? DEFAULT_TENANTS;
    if (c.poolTenants > tenants - 2)
      throw new ConfigError(
        `--pool-tenants ${c.poolTenants} leaves fewer than 2 fresh tenants of the ${tenants} per run; use at most ${Math.max(0, tenants - 2)}`,
      );
  }
  if (c.target !== 'embedded' && c.databaseUrl)
    throw new ConfigError('--database-url only applies to the embedded CRM (--target embedded)');
  return c;
}
