/**
 * `tenantproof doctor`: what blocks a campaign. It reads the settings as `run` does (flags over
 * `tenantproof.config.ts` over the defaults), analyses the spec (with its overlay) and plans the
 * campaign with the very code `run` uses, prints one table of the tenant-owned operations (create,
 * read, probe, inject) with the fix for each "no", checks provisioning live (unless --offline),
 * and with --write-overlay appends the hints it can derive to the overlay file. The logic is
 * harness/onboard/doctor-*.ts; the docs harness/onboard/doctor.md.
 */
import { existsSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { describeError, TenantproofError } from '../errors.ts';
import { EXIT, exitCodesHelp } from '../exit-codes.ts';
import { buildPlan } from '../model/plan.ts';
import { campaignScope } from '../model/scope.ts';
import { analyzeSpecFile } from '../openapi/analyze.ts';
import type { LoadSpecOptions } from '../openapi/load-spec.ts';
import { appendOverlayActions, DEFAULT_OVERLAY_FILE } from '../openapi/overlay.ts';
import { computeHints, hintActions } from '../onboard/doctor-hints.ts';
import { formatDoctorReport } from '../onboard/doctor-format.ts';
import { checkProvisioning, type ProvisioningCheck } from '../onboard/doctor-provisioning.ts';
import { buildDoctorReport } from '../onboard/doctor-report.ts';
import { loadConfigFile, resolveConfig } from '../run/config.ts';
import { flagsToUserConfig } from '../run/settings.ts';
import { openTarget, targetOptionsOf } from '../run/target.ts';

export const DOCTOR_HELP = `Usage: tenantproof doctor [--config FILE] [--spec FILE] [--overlay FILE] [--target URL]
                          [--provision P] [--write-overlay [FILE]] [--offline] [--json]

Shows what blocks a full campaign: one table of the tenant-owned operations, whether the campaign
can create the records each needs, read the tenant's own answer, probe it cross-tenant and inject a
tenant override, and for each "no" the one-line fix. It plans the campaign with the code \`run\`
uses, so the two never disagree. Then it provisions 2 tenants and checks each credential works,
the two are distinct and their ids are real (unless --offline).

Options (settings are read as \`tenantproof run\` reads them; flags win):
  --config FILE          settings file (default ./tenantproof.config.ts if present)
  --spec FILE            OpenAPI 3.0/3.1 file
  --overlay FILE         OpenAPI Overlay 1.0 file applied on top of the spec
  --target URL           the API's base URL (or embedded: the reference CRM)
  --provision P          crm-admin, file:PATH or module:PATH
  --admin-token T        admin token for crm-admin on a URL target (or CRM_ADMIN_TOKEN)
  --write-overlay [FILE] append the hints that can be derived without guessing to FILE (default: the
                         overlay setting, else ${DEFAULT_OVERLAY_FILE}), creating it
  --offline              do not contact the target: the spec side only
  --json                 a stable JSON report (schema: doctorReportSchema in harness/onboard/doctor-report.ts)
  --help                 this text

${exitCodesHelp('doctor')}`;

export interface DoctorIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Where relative paths and the default config file are found. Default: the process's. */
  cwd?: string;
  /** The environment provisioning reads. Default: the process's. */
  env?: Record<string, string | undefined>;
}

const processIo: DoctorIo = { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) };

const FLAGS = {
  config: { type: 'string' },
  spec: { type: 'string' },
  overlay: { type: 'string' },
  target: { type: 'string' },
  provision: { type: 'string' },
  'admin-token': { type: 'string' },
  'write-overlay': { type: 'string' },
  offline: { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** `--write-overlay` takes an optional FILE: a bare one becomes `--write-overlay=` (the default file). */
function withOptionalValue(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const next = argv[i + 1];
    if (arg === '--write-overlay' && (next === undefined || next.startsWith('-'))) out.push('--write-overlay=');
    else out.push(arg);
  }
  return out;
}

/** The flags as parsed. */
type DoctorFlags = { [K in keyof typeof FLAGS]?: (typeof FLAGS)[K]['type'] extends 'string' ? string : boolean };

export async function main(argv: string[], io: DoctorIo = processIo): Promise<number> {
  let values: DoctorFlags;
  try {
    ({ values } = parseArgs({ args: withOptionalValue(argv), options: FLAGS, allowPositionals: false, strict: true }));
  } catch (err) {
    io.stderr(
      `tenantproof doctor: ${(err as Error).message}\n  hint: run \`tenantproof doctor --help\` for the options\n`,
    );
    return EXIT.usage;
  }
  if (values.help) {
    io.stdout(DOCTOR_HELP + '\n');
    return EXIT.clean;
  }
  try {
    return await doctor(values, io);
  } catch (err) {
    // This command writes to `io` (tests capture it), so it reports its own errors as cli/main would.
    if (!(err instanceof TenantproofError)) throw err;
    io.stderr(`tenantproof doctor: ${describeError(err)}\n`);
    return err.exitCode;
  }
}

async function doctor(values: DoctorFlags, io: DoctorIo): Promise<number> {
  const cwd = io.cwd ?? process.cwd();
  const shown = (file: string) => {
    const rel = relative(cwd, file);
    return rel && !rel.startsWith('..') ? rel : file;
  };
  const defaultConfig = resolve(cwd, 'tenantproof.config.ts');
  const configFile = values.config
    ? resolve(cwd, values.config)
    : existsSync(defaultConfig)
      ? defaultConfig
      : undefined;
  const fromFile = configFile ? await loadConfigFile(configFile) : {};
  const flags = flagsToUserConfig({
    spec: values.spec,
    target: values.target,
    provision: values.provision,
    'admin-token': values['admin-token'],
    overlay: values.overlay,
  });
  const config = resolveConfig(fromFile, flags, configFile ? shown(configFile) : undefined);
  const configOverlay = config.overlay;
  const overlay = values.overlay ?? configOverlay;
  const specPath = resolve(cwd, config.spec);
  const overlayPath = overlay ? resolve(cwd, overlay) : undefined;

  // Exactly what `run` computes: the model (with the overlay), the plan and the scope.
  const loadOptions: LoadSpecOptions = overlayPath ? { overlay: overlayPath } : {};
  const model = await analyzeSpecFile(specPath, loadOptions);
  const plan = buildPlan(model);
  const scope = campaignScope(model, plan);
  const hints = computeHints(model);

  let provisioning: ProvisioningCheck | undefined;
  if (!values.offline) {
    const target = await openTarget(targetOptionsOf(config, (message) => io.stderr(`${message}\n`)));
    try {
      const env = io.env ?? process.env;
      const adminToken = config.adminToken ?? target.adminToken ?? env['CRM_ADMIN_TOKEN'];
      provisioning = await checkProvisioning({
        provision: config.provision,
        baseUrl: target.url,
        ...(adminToken ? { adminToken } : {}),
        plan,
        cwd,
        timeoutMs: config.requestTimeout,
        maxResponseBytes: config.maxResponseSize,
        env,
      });
    } finally {
      await target.close();
    }
  }

  const report = buildDoctorReport({
    model,
    plan,
    scope,
    specFile: shown(specPath),
    ...(overlayPath ? { overlayFile: shown(overlayPath) } : {}),
    hints,
    ...(provisioning ? { provisioning } : {}),
  });

  if (values['write-overlay'] !== undefined) {
    const file = values['write-overlay'] || overlay || DEFAULT_OVERLAY_FILE;
    const path = resolve(cwd, file);
    const added = hints.length > 0 ? appendOverlayActions(path, hintActions(hints)) : 0;
    const applied = overlayPath === path;
    report.overlayWritten = {
      file: shown(path),
      added,
      present: hints.length - added,
      addToConfig: applied ? null : `overlay: '${shown(path)}',`,
    };
  }

  io.stdout(values.json ? JSON.stringify(report, null, 2) + '\n' : formatDoctorReport(report));
  return report.exitCode;
}
