/**
 * The one settings table of `tenantproof run`. Each row is a run setting: its flag, its zod schema
 * (which also parses the flag's text), its default, its help line, and whether it enters the config
 * digest that the shards of one campaign must share. Everything else is derived from this table:
 * the config-file schema and `defineConfig`'s type, `RunConfig` (`z.output` of the table), the
 * `parseArgs` options, the mapping of flags to settings, the defaults and the `--help` text.
 *
 * Adding a setting is one row here; its consumers read `config.<key>`.
 */
import { defaultSpecPath } from '../tool-version.ts';
import { z } from 'zod';
import { DEFAULT_VALIDITY, parseCalendarDuration } from '../evidence/calendar-duration.ts';
import { parseByteSize } from './byte-size.ts';
import { parseDuration, parseDurationOrZero } from './duration.ts';
import { parseRate } from './rate.ts';
import { parseShard } from './shard.ts';
import { parsePoolLifetime } from './tenant-pool.ts';

/** The `--help` section a setting is listed under. */
export type SettingGroup = 'Target and spec' | 'Tenants' | 'Campaign' | 'Verdict' | 'Output';

/** How a setting enters the config digest: as its value, or not at all (see digest.ts for the special ones). */
export type DigestRule = 'value' | 'none' | 'special';

export interface Setting<S extends z.ZodType = z.ZodType> {
  /** The command-line flag, without `--`; none for file-only settings. */
  flag?: string;
  /** How the flag's value is named in `--help` (`FILE`, `N`, `D`); absent for boolean flags. */
  arg?: string;
  /** The flag may be given more than once (its values are collected in a list). */
  multiple?: boolean;
  /** The flag's text is a number: the schema takes numbers, as a config file writes them. */
  numeric?: boolean;
  schema: S;
  /** The default, as a user would write it (it goes through `schema` too), or a function that makes one. */
  default?: z.input<S> | (() => z.input<S>);
  group: SettingGroup;
  help: string;
  digest: DigestRule;
}

type Defaulted<S extends z.ZodType> = Setting<S> & { default: z.input<S> | (() => z.input<S>) };
/** A row of the table; its type remembers whether it has a default (RunConfig's field is then never undefined). */
function setting<S extends z.ZodType>(s: Defaulted<S>): Defaulted<S>;
function setting<S extends z.ZodType>(s: Setting<S>): Setting<S>;
function setting(s: Setting): Setting {
  return s;
}

/** A whole number (a flag's digits become a number before they get here; see `numeric`). */
const int = (min: number, max: number, what = `a whole number from ${min} to ${max}`) =>
  z
    .number({ error: `must be ${what}` })
    .int(`must be ${what}`)
    .min(min, `must be ${what}`)
    .max(max, `must be ${what}`);

/** A value written as text or a number (`90s`, `8MB`, `90/m`), read by `parse`, whose error becomes the issue. */
const parsedBy = (parse: (v: string | number) => number) =>
  z.union([z.string(), z.number()]).transform((v, ctx) => {
    try {
      return parse(v);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
      return z.NEVER;
    }
  });

const duration = parsedBy(parseDuration);
const durationOrZero = parsedBy(parseDurationOrZero);

const flag = z.boolean();

export const SETTINGS = {
  spec: setting({
    flag: 'spec',
    arg: 'FILE',
    schema: z.string().min(1),
    default: defaultSpecPath(),
    group: 'Target and spec',
    help: 'OpenAPI 3.0/3.1 file',
    digest: 'special',
  }),
  overlay: setting({
    flag: 'overlay',
    arg: 'FILE',
    schema: z.string().min(1),
    group: 'Target and spec',
    help: 'an overlay (OpenAPI Overlay 1.0) applied on top of the spec: x-tenantproof-* hints without editing the spec; `tenantproof doctor --write-overlay` writes one',
    digest: 'value',
  }),
  target: setting({
    flag: 'target',
    arg: 'T',
    schema: z.union([
      z.literal('embedded'),
      z.url({ protocol: /^https?$/, error: 'must be embedded or an http(s) URL' }),
    ]),
    default: 'embedded',
    group: 'Target and spec',
    help: 'embedded (the reference CRM in-process) or a base URL',
    digest: 'special',
  }),
  faults: setting({
    flag: 'fault',
    arg: 'NAME',
    multiple: true,
    schema: z.array(z.string().min(1)).transform((list) => list.flatMap((f) => f.split(',')).filter(Boolean)),
    default: [],
    group: 'Target and spec',
    help: 'switch on a fault in the embedded CRM (repeatable; see tenantproof crm --list-faults)',
    digest: 'special',
  }),
  databaseUrl: setting({
    flag: 'database-url',
    arg: 'URL',
    schema: z.string().min(1),
    group: 'Target and spec',
    help: 'run the embedded CRM on PostgreSQL instead of PGlite',
    digest: 'special',
  }),
  poolSize: setting({
    flag: 'pool-size',
    arg: 'N',
    numeric: true,
    schema: int(1, 200),
    group: 'Target and spec',
    help: 'PostgreSQL pool size for the embedded CRM',
    digest: 'none',
  }),
  provision: setting({
    flag: 'provision',
    arg: 'P',
    schema: z.string().regex(/^(crm-admin|file:.+|module:.+)$/, 'use crm-admin, file:PATH or module:PATH'),
    default: 'crm-admin',
    group: 'Tenants',
    help: 'crm-admin, file:PATH or module:PATH',
    digest: 'special',
  }),
  adminToken: setting({
    flag: 'admin-token',
    arg: 'T',
    schema: z.string().min(1),
    group: 'Tenants',
    help: 'admin token for crm-admin on a URL target (or CRM_ADMIN_TOKEN)',
    digest: 'none',
  }),
  tenants: setting({
    flag: 'tenants',
    arg: 'N',
    numeric: true,
    schema: int(2, 128),
    group: 'Tenants',
    help: 'tenants per run, at least 2 (default 4; file: provisioning takes every tenant in the file)',
    digest: 'value',
  }),
  poolTenants: setting({
    flag: 'pool-tenants',
    arg: 'N',
    numeric: true,
    schema: int(0, 126),
    group: 'Tenants',
    help: 'tenants of each search run (the last labels) taken from a long-lived pool: provisioned once, they keep their records across runs until --pool-lifetime; 0 for none (default 1 with crm-admin provisioning and 3 or more tenants, else 0)',
    digest: 'value',
  }),
  poolLifetime: setting({
    flag: 'pool-lifetime',
    arg: 'L',
    schema: z.union([z.string(), z.number()]).transform((v, ctx) => {
      try {
        return parsePoolLifetime(v);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
        return z.NEVER;
      }
    }),
    default: '3m',
    group: 'Tenants',
    help: 'how long a pool tenant serves before it is retired and replaced: a time (3m) or a number of runs (40 runs)',
    digest: 'value',
  }),
  budget: setting({
    flag: 'budget',
    arg: 'D',
    schema: duration,
    default: '60s',
    group: 'Campaign',
    help: 'search time, e.g. 60s, 5m, 30m',
    digest: 'value',
  }),
  shrinkBudget: setting({
    flag: 'shrink-budget',
    arg: 'D',
    schema: duration,
    default: '20s',
    group: 'Campaign',
    help: 'time to shrink a failure',
    digest: 'value',
  }),
  runs: setting({
    flag: 'runs',
    arg: 'N',
    numeric: true,
    schema: int(1, 1_000_000),
    group: 'Campaign',
    help: 'stop after N runs even if budget remains',
    digest: 'value',
  }),
  seed: setting({
    flag: 'seed',
    arg: 'N',
    numeric: true,
    schema: int(0, 2 ** 31 - 1, `a whole number from 0 to ${2 ** 31 - 1}`),
    default: () => Math.floor(Math.random() * 2 ** 31),
    group: 'Campaign',
    help: 'fast-check seed (default random; printed, and in the evidence)',
    digest: 'special',
  }),
  concurrency: setting({
    flag: 'concurrency',
    arg: 'N',
    numeric: true,
    schema: int(1, 64),
    default: 4,
    group: 'Campaign',
    help: 'largest concurrent batch (1: no concurrent batches)',
    digest: 'value',
  }),
  lanes: setting({
    flag: 'lanes',
    arg: 'N',
    numeric: true,
    schema: int(1, 32),
    default: 1,
    group: 'Campaign',
    help: 'independent searches side by side, each on fresh tenants (needs crm-admin provisioning)',
    digest: 'value',
  }),
  maxRps: setting({
    flag: 'max-rps',
    arg: 'R',
    schema: parsedBy(parseRate),
    group: 'Campaign',
    help: 'ceiling on the request rate: per second (20, 0.5) or per minute (90/m)',
    digest: 'none',
  }),
  requestTimeout: setting({
    flag: 'request-timeout',
    arg: 'D',
    schema: duration,
    default: '10s',
    group: 'Campaign',
    help: 'per-request deadline: headers, body and any idle gap within it all count',
    digest: 'none',
  }),
  maxResponseSize: setting({
    flag: 'max-response-size',
    arg: 'SIZE',
    schema: parsedBy(parseByteSize),
    default: '8MB',
    group: 'Campaign',
    help: 'largest response body read; a larger one is recorded truncated (a conformance event)',
    digest: 'none',
  }),
  replays: setting({
    flag: 'replays',
    arg: 'N',
    numeric: true,
    schema: int(1, 50),
    default: 5,
    group: 'Campaign',
    help: 'replays of the minimal counterexample',
    digest: 'value',
  }),
  replaySettle: setting({
    flag: 'replay-settle',
    arg: 'D',
    schema: durationOrZero,
    default: '10s',
    group: 'Campaign',
    help: 'pause before the replays that confirm a finding, so short-lived shared state the search and shrinking left (a cache entry, a pooled session) has expired; 0 for none',
    digest: 'value',
  }),
  maxCommands: setting({
    numeric: true,
    schema: int(1, 500),
    default: 100,
    group: 'Campaign',
    help: 'commands per run (config file only)',
    digest: 'value',
  }),
  shard: setting({
    flag: 'shard',
    arg: 'i/n',
    schema: z.string().transform((v, ctx) => {
      try {
        return parseShard(v);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
        return z.NEVER;
      }
    }),
    group: 'Campaign',
    help: 'run slice i of n of one campaign (combine the n folders with `tenantproof merge`)',
    digest: 'special',
  }),
  tenantFields: setting({
    flag: 'tenant-field',
    arg: 'F',
    multiple: true,
    schema: z.array(z.string().min(1)),
    default: [],
    group: 'Tenants',
    help: 'one more field that selects a tenant, for override probes: header:X-Org-Id, query:org, body:organisationId, or a bare name (repeatable)',
    digest: 'value',
  }),
  stopOnFirst: setting({
    flag: 'stop-on-first',
    schema: flag,
    default: false,
    group: 'Campaign',
    help: 'end the search at the first finding (default: search to the budget and report every distinct finding)',
    digest: 'value',
  }),
  minCoverage: setting({
    flag: 'min-coverage',
    arg: 'R',
    numeric: true,
    schema: z
      .number({ error: 'must be a share from 0 to 1, e.g. 0.8' })
      .min(0, 'must be a share from 0 to 1')
      .max(1, 'must be a share from 0 to 1'),
    default: 0.8,
    group: 'Verdict',
    help: 'a CLEAN verdict needs at least this share of tenant-owned operations probed for isolation; below it the run is INCONCLUSIVE',
    digest: 'value',
  }),
  cleanup: setting({
    flag: 'cleanup',
    schema: flag,
    default: false,
    group: 'Campaign',
    help: 'after each run, delete what it created where the spec has a delete operation',
    digest: 'none',
  }),
  out: setting({
    flag: 'out',
    arg: 'DIR',
    schema: z.string().min(1),
    default: 'reports',
    group: 'Output',
    help: 'parent folder of run folders',
    digest: 'none',
  }),
  pdf: setting({
    flag: 'pdf',
    schema: flag,
    default: false,
    group: 'Output',
    help: 'also print report.pdf with headless Chromium (/usr/bin/chromium)',
    digest: 'none',
  }),
  checkpointEvery: setting({
    flag: 'checkpoint-every',
    arg: 'D',
    schema: z.union([z.literal('off').transform(() => 0), duration]),
    default: '15s',
    group: 'Output',
    help: 're-seal the evidence as partial this often while running, so a killed job leaves a verifiable folder (off to disable)',
    digest: 'none',
  }),
  validFor: setting({
    flag: 'valid-for',
    arg: 'PERIOD',
    schema: z.string().transform((v, ctx) => {
      try {
        return parseCalendarDuration(v);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
        return z.NEVER;
      }
    }),
    default: DEFAULT_VALIDITY.text,
    group: 'Output',
    help: 'how long the signed evidence stays valid: validUntil = assessedAt (the end of the run) + PERIOD, e.g. 90d, 6mo, 1y',
    digest: 'none',
  }),
} as const;

export type SettingKey = keyof typeof SETTINGS;
type Table = typeof SETTINGS;
type SchemaOf<K extends SettingKey> = Table[K]['schema'];
type HasDefault<K extends SettingKey> = Table[K] extends { default: unknown } ? K : never;
type DefaultedKey = { [K in SettingKey]: HasDefault<K> }[SettingKey];

function mapSettings<T>(f: (key: SettingKey, s: Setting) => T): Record<SettingKey, T> {
  return Object.fromEntries((Object.keys(SETTINGS) as SettingKey[]).map((k) => [k, f(k, SETTINGS[k])])) as Record<
    SettingKey,
    T
  >;
}

/** What a user may write in `tenantproof.config.ts` (every setting optional; unknown keys refused). */
export const userConfigSchema = z
  .object(mapSettings((_, s) => s.schema.optional()))
  .strict() as unknown as z.ZodObject<{
  [K in SettingKey]: z.ZodOptional<SchemaOf<K>>;
}>;
export type UserConfig = z.input<typeof userConfigSchema>;

/** The resolved settings: every default applied, every value parsed (durations in ms, rates in req/s). */
export const runConfigSchema = z.object(
  mapSettings((_, s) => (s.default !== undefined ? s.schema.prefault(s.default) : s.schema.optional())),
) as unknown as z.ZodObject<{
  [K in SettingKey]: K extends DefaultedKey ? z.ZodPrefault<SchemaOf<K>> : z.ZodOptional<SchemaOf<K>>;
}>;
export type RunConfig = z.output<typeof runConfigSchema>;

/** `parseArgs` options for every setting with a flag. */
export function settingFlags(): Record<string, { type: 'string' | 'boolean'; multiple?: boolean }> {
  const flags: Record<string, { type: 'string' | 'boolean'; multiple?: boolean }> = {};
  for (const s of Object.values(SETTINGS) as Setting[]) {
    if (!s.flag) continue;
    flags[s.flag] = { type: s.arg ? 'string' : 'boolean', ...(s.multiple ? { multiple: true } : {}) };
  }
  return flags;
}

/** Parsed flags (as `parseArgs` returns them) to a user config, unvalidated: the schema parses them. */
export function flagsToUserConfig(values: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, s] of Object.entries(SETTINGS) as [SettingKey, Setting][]) {
    const value = s.flag ? values[s.flag] : undefined;
    if (value === undefined) continue;
    // A number's text becomes the number; anything else stays text, for the schema to refuse by name.
    out[key] = s.numeric && typeof value === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(value) ? Number(value) : value;
  }
  return out;
}

/** The key a flag sets, for error messages that name what the user typed. */
export function flagOf(key: string): string | undefined {
  return (SETTINGS as Record<string, Setting>)[key]?.flag;
}

/** Wraps a help line at `width`, continuing under column `indent`. */
function wrap(line: string, width: number, indent: number): string {
  const out: string[] = [];
  let cur = '';
  for (const word of line.split(/(?<=\S) (?=\S)/)) {
    if (cur && cur.length + 1 + word.length > width) {
      out.push(cur);
      cur = ' '.repeat(indent) + word;
    } else cur = cur ? `${cur} ${word}` : word;
  }
  out.push(cur);
  return out.join('\n');
}

/** The option lines of `--help`, by group, with defaults. */
export function settingsHelp(): string {
  const groups = new Map<SettingGroup, string[]>();
  for (const s of Object.values(SETTINGS) as Setting[]) {
    if (!s.flag) continue;
    const name = `--${s.flag}${s.arg ? ` ${s.arg}` : ''}`;
    const shown = s.default !== undefined && typeof s.default !== 'function' && s.arg;
    const dflt =
      shown && !(Array.isArray(s.default) && s.default.length === 0) ? ` (default ${String(s.default)})` : '';
    const lines = groups.get(s.group) ?? [];
    lines.push(wrap(`  ${name.padEnd(22)} ${s.help}${dflt}`, 100, 25));
    groups.set(s.group, lines);
  }
  return [...groups].map(([group, lines]) => `${group}:\n${lines.join('\n')}`).join('\n');
}

/** Settings that enter the config digest as their value. */
export function digestedValues(config: RunConfig): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, s] of Object.entries(SETTINGS) as [SettingKey, Setting][]) {
    if (s.digest === 'value') out[key] = config[key] ?? null;
  }
  return out;
}
