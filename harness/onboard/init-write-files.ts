/**
 * Step 3 of `tenantproof init`: the files it writes into DIR. `tenantproof.config.ts` (which needs
 * the tenantproof package only for a type), the provisioning module, an empty overlay for the
 * hints `tenantproof doctor` suggests, and a fetched spec. Nothing is overwritten without --force,
 * and nothing at all is written when one file is in the way.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { literal } from './init-body-plan.ts';
import type { TenancyPlan } from './init-detect-tenancy.ts';
import { FileInTheWayError } from './init-errors.ts';

export const CONFIG_FILE = 'tenantproof.config.ts';
export const PROVISION_FILE = 'provision-tenants.ts';
export const OVERLAY_FILE = 'tenantproof.overlay.yaml';

export interface ConfigInput {
  /** The spec, relative to DIR (`./openapi.json`) or absolute. */
  spec: string;
  /** Where the spec was fetched from, for a comment. */
  specSource?: string;
  target: string;
  tenants: number;
  plan: TenancyPlan;
}

/** A path as the config writes it: relative to DIR, with `./` and forward slashes. */
export function configPath(dir: string, file: string): string {
  const rel = relative(dir, file).split(sep).join('/');
  return rel.startsWith('.') ? rel : `./${rel}`;
}

export function renderConfig(input: ConfigInput): string {
  const { plan } = input;
  const lines = [
    `// tenantproof.config.ts for ${plan.title || 'your API'}, written by \`tenantproof init\`.`,
    '// Run `tenantproof doctor`, then `tenantproof run`, from this folder: the paths below are relative to it.',
    ...(input.specSource
      ? [`// The spec was fetched from ${input.specSource} and saved beside this file, so every run uses the same one.`]
      : []),
    "import type { UserConfig } from 'tenantproof';",
    '',
    'export default {',
    `  spec: ${literal(input.spec)},`,
    `  target: ${literal(input.target)},`,
    `  // How each tenant is created and authenticated: see the comments in ${PROVISION_FILE}.`,
    `  provision: ${literal(`module:./${PROVISION_FILE}`)},`,
    '  // x-tenantproof-* hints applied on top of the spec (`tenantproof doctor --write-overlay` adds them).',
    `  overlay: ${literal(`./${OVERLAY_FILE}`)},`,
    `  tenants: ${input.tenants},`,
  ];
  if (plan.rateLimit?.maxRps)
    lines.push(
      `  // ${plan.rateLimit.evidence}: stay under the limit, and give slow answers more time.`,
      `  maxRps: ${literal(plan.rateLimit.maxRps)},`,
      `  requestTimeout: '30s',`,
    );
  else if (plan.rateLimit)
    lines.push(
      `  // ${plan.rateLimit.evidence}, with no number: the campaign waits out Retry-After and paces`,
      '  // itself by RateLimit-* headers. Set maxRps (e.g. 20, or 90/m) if you know the limit.',
      `  requestTimeout: '30s',`,
    );
  if (plan.tenantFields.length > 0)
    lines.push(
      "  // Fields of the spec that name a tenant: the injection probes send another tenant's id there.",
      `  tenantFields: [${plan.tenantFields.map((f) => literal(f)).join(', ')}],`,
    );
  lines.push('} satisfies UserConfig;', '');
  return lines.join('\n');
}

export function renderOverlay(title: string): string {
  return [
    '# tenantproof.overlay.yaml: an OpenAPI Overlay 1.0 applied on top of the spec by `tenantproof run`',
    '# and `tenantproof doctor`, so x-tenantproof-* hints need no edit of the spec itself.',
    '# `tenantproof doctor --write-overlay` adds the hints it suggests here; you may add your own, e.g.',
    '#   - target: "$.paths[\'/projects\'].post"',
    '#     update: { x-tenantproof-produces: project }',
    'overlay: 1.0.0',
    'info:',
    `  title: ${literal(`tenantproof hints for ${title || 'the API'}`)}`,
    '  version: 1.0.0',
    'actions: []',
    '',
  ].join('\n');
}

export interface PlannedFile {
  /** Absolute path. */
  path: string;
  content: string;
}

/** Refuses (FileInTheWayError, exit 2) when any file is there and `force` is off; then writes them all. */
export function writeFiles(dir: string, files: readonly PlannedFile[], force: boolean): void {
  assertNothingInTheWay(
    files.map((f) => f.path),
    force,
  );
  mkdirSync(dir, { recursive: true });
  for (const f of files) writeFileSync(f.path, f.content);
}

export function filePath(dir: string, name: string): string {
  return join(dir, name);
}

/** Refuses (FileInTheWayError, exit 2) when one of these files exists and `force` is off. */
export function assertNothingInTheWay(paths: readonly string[], force: boolean): void {
  if (force) return;
  const inTheWay = paths.find((p) => existsSync(p));
  if (inTheWay) throw new FileInTheWayError(configPath(process.cwd(), inTheWay));
}
