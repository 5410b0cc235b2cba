/**
 * `tenantproof init [--spec FILE|URL] [--target URL] [--dir DIR] [--yes] [--force] [--no-check] [--tenants N]`:
 * finds the spec, recognises how tenants are made and selected, writes `tenantproof.config.ts`, a
 * commented `provision-tenants.ts` and an empty overlay into DIR, then smoke-checks them against
 * the target. The steps live in harness/onboard (init-*.ts); this file asks, prints and decides
 * the exit code.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { describeError, TenantproofError, UsageError } from '../errors.ts';
import { EXIT, exitCodesHelp } from '../exit-codes.ts';
import { analyzeSpecFile } from '../openapi/analyze.ts';
import type { ApiModel } from '../openapi/api-model.ts';
import { describeBootstrap, describePlan, detectTenancy, type TenancyPlan } from '../onboard/init-detect-tenancy.ts';
import { defaultsPrompter, terminalPrompter, type Prompter } from '../onboard/init-prompts.ts';
import { renderProvisionModule } from '../onboard/init-render-provision.ts';
import { smokeCheck, type CheckLine } from '../onboard/init-smoke-check.ts';
import { findSpec, type FoundSpec } from '../onboard/init-spec-discovery.ts';
import {
  assertNothingInTheWay,
  CONFIG_FILE,
  configPath,
  filePath,
  OVERLAY_FILE,
  PROVISION_FILE,
  renderConfig,
  renderOverlay,
  writeFiles,
  type PlannedFile,
} from '../onboard/init-write-files.ts';
import { DEFAULT_TENANTS } from '../tenants/tenant-credentials.ts';

const HELP = `Usage: tenantproof init [--spec FILE|URL] [--target URL] [--dir DIR] [--yes] [--force] [--no-check] [--tenants N]

Writes what a campaign against your own API needs, then checks that it works:
  tenantproof.config.ts      the spec, the target, the provisioning, the overlay, campaign settings
  provision-tenants.ts       how tenant i is created and logs in (commented; edit it freely)
  tenantproof.overlay.yaml   x-tenantproof-* hints on top of the spec (empty; \`tenantproof doctor\` fills it)
  openapi.json|yaml          the spec, when it was fetched from a URL

The spec: --spec FILE or --spec URL, or with only --target the usual framework endpoints
(/openapi.json, /api-json, /docs/spec, /v3/api-docs, /swagger.json, /openapi.yaml,
/docs/openapi.json). Then it recognises, from the spec: a public sign-up (and login), or an admin
call that creates tenants (its credential from the TENANTPROOF_ADMIN_TOKEN environment variable,
never on disk); invites; a bearer token, API-key header or session cookie; and whether the tenant
is chosen by the credential, a subdomain, a path prefix or a header.

The smoke check provisions 2 tenants with the written module, checks that each credential works
and that the two are distinct, and creates one record per producer operation; each failure is
printed with its fix.

Options:
  --spec FILE|URL  the OpenAPI 3.0/3.1 spec (default: found on the target)
  --target URL     the API's base URL (default: the spec's first server)
  --dir DIR        where to write the files (default: .)
  --tenants N      tenants per run, written into the config (default ${DEFAULT_TENANTS})
  --yes            ask nothing: take every default and print what was chosen (CI)
  --force          overwrite files that are already there
  --no-check       write the files, skip the smoke check
  --help           show this text

${exitCodesHelp('init')}`;

export interface InitIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Ask questions (a terminal on both ends). Default: whether stdin and stdout are TTYs. */
  interactive?: boolean;
  input?: NodeJS.ReadableStream;
  output?: NodeJS.WritableStream;
  env?: Record<string, string | undefined>;
  /** Relative paths resolve from here. Default process.cwd(). */
  cwd?: string;
}

const processIo: InitIo = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
};

interface Flags {
  spec?: string;
  target?: string;
  dir?: string;
  tenants?: string;
  yes?: boolean;
  force?: boolean;
  'no-check'?: boolean;
  help?: boolean;
}

export async function main(argv: string[], io: InitIo = processIo): Promise<number> {
  let flags: Flags;
  try {
    ({ values: flags } = parseArgs({
      args: argv,
      options: {
        spec: { type: 'string' },
        target: { type: 'string' },
        dir: { type: 'string' },
        tenants: { type: 'string' },
        yes: { type: 'boolean', short: 'y' },
        force: { type: 'boolean' },
        'no-check': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (err) {
    io.stderr(`tenantproof init: ${(err as Error).message}\n\n${HELP}\n`);
    return EXIT.usage;
  }
  if (flags.help) {
    io.stdout(HELP + '\n');
    return EXIT.clean;
  }
  const interactive = !flags.yes && (io.interactive ?? (process.stdin.isTTY === true && process.stdout.isTTY === true));
  const prompter = interactive
    ? terminalPrompter(io.input ?? process.stdin, io.output ?? process.stdout)
    : defaultsPrompter((line) => io.stdout(`  ${line}\n`));
  try {
    return await init(flags, io, prompter);
  } catch (err) {
    // This command writes to `io` (tests capture it), so it reports its own errors as cli/main would.
    if (!(err instanceof TenantproofError)) throw err;
    io.stderr(`tenantproof init: ${describeError(err)}\n`);
    return err.exitCode;
  } finally {
    prompter.close();
  }
}

function parseTenants(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 2 || n > 128)
    throw new UsageError(`--tenants: must be a whole number from 2 to 128 (got ${text})`);
  return n;
}

/** An absolute http(s) server URL of the spec with no variables, to use as the default target. */
function serverTarget(model: ApiModel | undefined): string | undefined {
  return model?.servers.find((s) => /^https?:\/\/[^{}]+$/i.test(s));
}

async function init(flags: Flags, io: InitIo, prompter: Prompter): Promise<number> {
  const cwd = io.cwd ?? process.cwd();
  const env = io.env ?? process.env;
  const dir = resolve(cwd, flags.dir ?? '.');
  const print = (line = ''): void => io.stdout(`${line}\n`);
  const tenantsDefault = flags.tenants !== undefined ? parseTenants(flags.tenants) : DEFAULT_TENANTS;

  print('tenantproof init: the choices');
  let target = flags.target ?? (await prompter.ask("target URL of your API (blank: the spec's first server)", ''));
  target = target.trim();
  const specSource = await prompter.ask('the spec (a file or URL; blank: look for it on the target)', flags.spec ?? '');
  if (target && !/^https?:\/\//i.test(target)) throw new UsageError(`--target: must be an http(s) URL (got ${target})`);

  // 1. The spec.
  const found: FoundSpec = await findSpec({
    ...(specSource ? { spec: specSource } : {}),
    ...(target ? { target } : {}),
    cwd,
  });
  const fetchedFile =
    found.kind === 'fetched' ? filePath(dir, found.format === 'json' ? 'openapi.json' : 'openapi.yaml') : undefined;
  const specFile = found.kind === 'file' ? found.file : fetchedFile!;
  // Nothing is written when one file is in the way.
  assertNothingInTheWay(
    [CONFIG_FILE, PROVISION_FILE, OVERLAY_FILE].map((name) => filePath(dir, name)).concat(fetchedFile ?? []),
    flags.force === true,
  );
  if (found.kind === 'fetched') {
    print(
      `  spec: fetched from ${found.url}${found.tried.length ? ` (after ${found.tried.length} endpoint(s) without one)` : ''}, saved as ${configPath(cwd, specFile)}`,
    );
    // Written first, so the loader's errors name the saved file; nothing else is written yet.
    writeFiles(dir, [{ path: specFile, content: found.text }], flags.force === true);
  }
  let model: ApiModel;
  try {
    model = await analyzeSpecFile(specFile);
  } catch (err) {
    if (err instanceof TenantproofError && found.kind === 'fetched')
      io.stderr(
        `tenantproof init: the fetched spec is saved as ${configPath(cwd, specFile)}; fix it there, then run \`tenantproof init --spec ${configPath(cwd, specFile)} --force\`\n`,
      );
    throw err;
  }
  if (!target) {
    target = (await prompter.ask('target URL of your API', serverTarget(model) ?? '')).trim();
    if (!target)
      throw new UsageError('no target: the spec names no server URL to use', {
        hint: "give the API's base URL with --target URL",
      });
  }

  // 2. The tenancy model.
  let plan: TenancyPlan = detectTenancy(model);
  if (plan.candidates.length > 1) {
    const index = await prompter.choose('how tenants are created', plan.candidates.map(describeBootstrap), 0);
    plan = { ...plan, bootstrap: plan.candidates[index]! };
  }
  if (plan.bootstrap.kind === 'admin') {
    const envVar = await prompter.ask(
      'environment variable holding the admin credential (its value is never written)',
      plan.bootstrap.envVar,
    );
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(envVar)) throw new UsageError(`not an environment variable name: ${envVar}`);
    plan = { ...plan, bootstrap: { ...plan.bootstrap, envVar } };
  }
  const tenants = parseTenants(await prompter.ask('tenants per run', String(tenantsDefault)));
  print('');
  print(`What init recognised in ${model.title || 'the spec'}:`);
  for (const line of describePlan(plan)) print(`  ${line}`);

  // 3. The files.
  const files: PlannedFile[] = [
    {
      path: filePath(dir, CONFIG_FILE),
      content: renderConfig({
        spec: configPath(dir, specFile),
        ...(found.kind === 'fetched' ? { specSource: found.url } : {}),
        target,
        tenants,
        plan,
      }),
    },
    { path: filePath(dir, PROVISION_FILE), content: renderProvisionModule(plan) },
    { path: filePath(dir, OVERLAY_FILE), content: renderOverlay(model.title) },
  ];
  writeFiles(dir, files, flags.force === true);
  print('');
  print('Wrote:');
  for (const f of [...(fetchedFile ? [fetchedFile] : []), ...files.map((f) => f.path)])
    print(`  ${configPath(cwd, f)}`);
  if (plan.bootstrap.kind === 'none')
    print(`  (${PROVISION_FILE} has a TODO: init found no way to create a tenant; write step 1 there)`);

  // 5. The smoke check.
  let passed = true;
  if (flags['no-check']) print('\nSmoke check skipped (--no-check).');
  else {
    print(`\nSmoke check against ${target}:`);
    const result = await smokeCheck({ model, dir, target, env, onLine: (line) => print(formatLine(line)) });
    passed = result.passed;
    print(
      passed
        ? 'Smoke check passed.'
        : 'Smoke check failed: the files stay written; apply the fixes above and run `tenantproof doctor`.',
    );
  }
  print('\nNext steps:');
  if (plan.bootstrap.kind === 'admin')
    print(`  export ${plan.bootstrap.envVar}=…   # the admin credential; never written to disk`);
  const inDir = dir === cwd ? '' : `cd ${configPath(cwd, dir)} && `;
  print(`  ${inDir}tenantproof doctor   # what a campaign can create, read and probe; --write-overlay for the hints`);
  print(`  ${inDir}tenantproof run      # the isolation campaign`);
  return passed ? EXIT.clean : EXIT.inconclusive;
}

function formatLine(line: CheckLine): string {
  const head = `  ${line.status.padEnd(4)} ${line.text}`;
  return line.fix && line.status !== 'ok' ? `${head}\n       fix: ${line.fix}` : head;
}
