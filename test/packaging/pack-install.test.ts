/**
 * The packages as a user gets them: `npm pack` of `@tenantproof/sdk` and of `tenantproof`, installed
 * offline (from the npm cache) into fresh projects in the system temp folder, type-checked there
 * with a tsconfig straight from `tsc --init` (plus only the scenario's own edits), then run with
 * plain node, with no TypeScript loader anywhere.
 *
 * - The tarballs are packed from the current build (`npm pack --ignore-scripts`: `prepare` would
 *   rebuild dist/ under the feet of the e2e files running beside this one); `npm run test:e2e`
 *   builds first (`pretest:e2e`).
 * - Each project is installed with `npm ci --offline` from a lockfile cut from the repository's
 *   package-lock.json (consumer-lockfile.ts says why): the projects get the versions the repository
 *   is tested with, and a package missing from the npm cache fails the test, saying so.
 * - TypeScript is the repository's own (node_modules/typescript), run against each project.
 * - Nothing here has a timer: every step waits for its child process to exit.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/paths.ts';
import { consumerLock, type Lockfile, type Manifest } from './consumer-lockfile.ts';
import { explain, lastJson, run, runOk } from './support.ts';

const STEP = 900_000; // a safety net for a wedged child on a loaded machine, never a measurement

const TSC = path.join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const readJson = <T>(file: string): T => JSON.parse(readFileSync(file, 'utf8')) as T;

interface PackageJson extends Manifest {
  exports?: unknown;
  bin?: Record<string, string>;
}
const ROOT_PKG = readJson<PackageJson>(path.join(REPO_ROOT, 'package.json'));
const SDK_DIR = path.join(REPO_ROOT, 'sdk');
const SDK_PKG = readJson<PackageJson>(path.join(SDK_DIR, 'package.json'));

interface Packed {
  /** Absolute path of the .tgz. */
  file: string;
  /** Its file list, as `npm pack --json` gives it (paths inside the package). */
  files: string[];
}

let tmp = '';
let packs: { sdk: Packed; root: Packed };

/** `npm pack` from the repository root (with `--workspace` for the SDK), into tmp/packs. */
async function pack(extraArgs: string[]): Promise<Packed> {
  const dest = path.join(tmp, 'packs');
  mkdirSync(dest, { recursive: true });
  const r = await runOk(
    'npm',
    ['pack', '--ignore-scripts', '--json', '--pack-destination', dest, ...extraArgs],
    REPO_ROOT,
  );
  const out = JSON.parse(r.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
  expect(out, explain(r)).toHaveLength(1);
  const [one] = out;
  return { file: path.join(dest, one!.filename), files: one!.files.map((f) => f.path) };
}

/**
 * Every file an `exports` map (or `bin`) points at, except the repository-only
 * `tenantproof-source` condition (the TypeScript sources, which are not shipped).
 */
function exportTargets(pkg: PackageJson): string[] {
  const out = new Set<string>();
  const walk = (node: unknown): void => {
    if (typeof node === 'string') out.add(node.replace(/^\.\//, ''));
    else if (node && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) if (key !== 'tenantproof-source') walk(value);
    }
  };
  walk(pkg.exports);
  for (const target of Object.values(pkg.bin ?? {})) out.add(target.replace(/^\.\//, ''));
  return [...out].sort();
}

/** Nothing that is a test, a test helper, a fixture or a TypeScript source (declarations aside). */
const NOT_SHIPPED = [
  /\.(test|spec)\.[cm]?[jt]s(\.map)?$/,
  /(^|[/.-])test-support\b/,
  /(^|\/)(__tests__|fixtures|codegen)\//,
  /(?<!\.d)\.[cm]?ts$/,
  /\.tsbuildinfo$/,
];

// ---------------------------------------------------------------------------------------------
// The consumer projects

interface ConsumerSpec {
  /** Folder name under tmp. */
  name: string;
  /** package.json "type" ("commonjs" leaves the field out: CommonJS is the default). */
  type: 'module' | 'commonjs';
  /** `tsc --init` flags: the scenario's only edits to the default tsconfig. */
  tsconfigEdits: string[];
  /** Registry packages the project installs besides the two tarballs (from the npm cache). */
  registryDeps: string[];
  /** Source files (index.ts is compiled and run). */
  files: Record<string, string>;
}

/**
 * Plain JavaScript that node runs in every project, with no TypeScript anywhere: which file
 * `require` and `import` load, and that it works. The .cjs/.mjs extensions make them work in
 * either kind of project.
 */
const CHECK_CJS = `const path = require('node:path');
const sdk = require('@tenantproof/sdk');
const rel = (file) => path.relative(process.cwd(), file).split(path.sep).join('/');
let testing = null;
try {
  testing = rel(require.resolve('@tenantproof/sdk/testing'));
  require('@tenantproof/sdk/testing');
} catch (error) {
  testing = 'unloadable: ' + error.code;
}
const client = new sdk.CrmClient({ apiKey: 'k', baseURL: 'http://127.0.0.1:9' });
console.log(JSON.stringify({
  sdk: rel(require.resolve('@tenantproof/sdk')),
  testing,
  CrmClient: typeof sdk.CrmClient,
  constructed: client instanceof sdk.CrmClient && client.baseURL === 'http://127.0.0.1:9',
  notFoundIsApiError: sdk.NotFoundError.prototype instanceof sdk.APIError,
}));
`;

const CHECK_MJS = `import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as sdk from '@tenantproof/sdk';
import * as tenantproof from 'tenantproof';
const rel = (specifier) =>
  path.relative(process.cwd(), fileURLToPath(import.meta.resolve(specifier))).split(path.sep).join('/');
const client = new sdk.CrmClient({ apiKey: 'k', baseURL: 'http://127.0.0.1:9' });
console.log(JSON.stringify({
  sdk: rel('@tenantproof/sdk'),
  tenantproof: rel('tenantproof'),
  CrmClient: typeof sdk.CrmClient,
  constructed: client instanceof sdk.CrmClient,
  defineConfig: typeof tenantproof.defineConfig,
  exports: Object.keys(tenantproof).sort(),
}));
`;

async function createConsumer(spec: ConsumerSpec): Promise<string> {
  const dir = path.join(tmp, spec.name);
  mkdirSync(dir, { recursive: true });
  const { dependencies, lockfile } = consumerLock({
    repoLock: readJson<Lockfile>(path.join(REPO_ROOT, 'package-lock.json')),
    consumer: { name: `consumer-${spec.name}`, version: '1.0.0' },
    tarballs: [
      {
        manifest: SDK_PKG,
        file: packs.sdk.file,
        spec: `file:../packs/${path.basename(packs.sdk.file)}`,
        repoLocation: 'sdk',
      },
      {
        manifest: ROOT_PKG,
        file: packs.root.file,
        spec: `file:../packs/${path.basename(packs.root.file)}`,
        repoLocation: '',
      },
    ],
    registryDeps: spec.registryDeps,
  });
  const pkg = {
    name: `consumer-${spec.name}`,
    version: '1.0.0',
    private: true,
    ...(spec.type === 'module' ? { type: 'module' } : {}),
    dependencies,
  };
  writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
  writeFileSync(path.join(dir, 'package-lock.json'), `${JSON.stringify(lockfile, null, 2)}\n`);

  const install = await run('npm', ['ci', '--offline', '--no-audit', '--no-fund'], dir);
  if (install.code !== 0 && /ENOTCACHED|only-if-cached/.test(install.stderr)) {
    throw new Error(
      'npm could not find a package in the npm cache (offline install). Every package of the ' +
        "repository's package-lock.json must be in the cache: run `npm ci` in the repository once with " +
        `network access.\n${explain(install)}`,
    );
  }
  expect(install.code, explain(install)).toBe(0);

  // The default tsconfig of the repository's TypeScript, with the scenario's edits as --init flags.
  await runOk(process.execPath, [TSC, '--init', ...spec.tsconfigEdits], dir);
  for (const [file, text] of Object.entries({ ...spec.files, 'check.cjs': CHECK_CJS, 'check.mjs': CHECK_MJS })) {
    writeFileSync(path.join(dir, file), text);
  }
  return dir;
}

/** Type-checks the project and compiles index.ts to index.js (tsc -p, as the project would). */
async function compile(dir: string): Promise<void> {
  const r = await run(process.execPath, [TSC, '-p', dir], dir);
  expect(r.code, explain(r)).toBe(0);
  expect(existsSync(path.join(dir, 'index.js'))).toBe(true);
}

async function node(dir: string, file: string): Promise<unknown> {
  return lastJson(await runOk(process.execPath, [file], dir));
}

/** The installed `tenantproof` command, through its node_modules/.bin link and shebang. */
function tenantproof(dir: string, args: string[]) {
  return run(path.join(dir, 'node_modules', '.bin', 'tenantproof'), args, dir);
}

async function expectInstalledCli(dir: string): Promise<void> {
  const r = await tenantproof(dir, ['--version']);
  expect(r.code, explain(r)).toBe(0);
  expect(r.stdout).toBe(`tenantproof ${ROOT_PKG.version}\n`);
}

const ESM_RESOLUTION = {
  sdk: 'node_modules/@tenantproof/sdk/dist/esm/index.js',
  tenantproof: 'node_modules/tenantproof/dist/harness/index.js',
  CrmClient: 'function',
  constructed: true,
  defineConfig: 'function',
  exports: ['defineConfig'],
};
const CJS_RESOLUTION = {
  sdk: 'node_modules/@tenantproof/sdk/dist/cjs/index.js',
  testing: 'node_modules/@tenantproof/sdk/dist/cjs/testing/index.js',
  CrmClient: 'function',
  constructed: true,
  notFoundIsApiError: true,
};

// a. ESM, the default tsconfig (module and moduleResolution nodenext), with the msw testing kit.
const ESM: ConsumerSpec = {
  name: 'esm-nodenext',
  type: 'module',
  tsconfigEdits: [],
  registryDeps: ['msw'],
  files: {
    'index.ts': `import { setupServer } from 'msw/node';
import { CrmClient, NotFoundError, type Customer, type CustomerCreate } from '@tenantproof/sdk';
import { crmHandlers } from '@tenantproof/sdk/testing';
import { defineConfig, type UserConfig } from 'tenantproof';

const handlers = crmHandlers();
const server = setupServer(...handlers);
server.listen({ onUnhandledRequest: 'error' });
try {
  const acme = new CrmClient({ apiKey: handlers.crm.createTenant('Acme').apiKey });
  const globex = new CrmClient({ apiKey: handlers.crm.createTenant('Globex').apiKey });
  const input: CustomerCreate = { name: 'Dana Whitfield', email: 'dana@whitfield.example' };
  const dana: Customer = await acme.customers.create(input);
  const name: string = dana.name;
  let isolated = false;
  try {
    await globex.customers.get(dana.id);
  } catch (error) {
    isolated = error instanceof NotFoundError && error.status === 404;
  }
  const config: UserConfig = defineConfig({ target: 'http://127.0.0.1:3000' });
  console.log(JSON.stringify({ name, isolated, config }));
} finally {
  server.close();
}

// Never called: proves the types are real (an \`any\` would make each directive unused, an error).
export function typeErrorsAreReal(crm: CrmClient): void {
  // @ts-expect-error: \`emial\` is not a field of CustomerCreate
  void crm.customers.create({ name: 'Typo', emial: 'typo@example.com' });
  // @ts-expect-error: a customer's name is a string
  const n: number = ({} as Customer).name;
  // @ts-expect-error: \`targte\` is not a tenantproof setting
  defineConfig({ targte: 'http://127.0.0.1:3000' });
  void n;
}
`,
  },
};

// b. CommonJS (no "type"), the default tsconfig with module and moduleResolution node16.
const CJS: ConsumerSpec = {
  name: 'cjs-node16',
  type: 'commonjs',
  tsconfigEdits: ['--module', 'node16', '--moduleResolution', 'node16'],
  registryDeps: ['msw'],
  files: {
    'index.ts': `import sdk = require('@tenantproof/sdk');
import testing = require('@tenantproof/sdk/testing');
import mswNode = require('msw/node');
import type { UserConfig } from 'tenantproof' with { 'resolution-mode': 'import' };

async function main(): Promise<void> {
  // tenantproof is ESM only: a CommonJS module reaches it through import().
  const { defineConfig } = await import('tenantproof');
  const handlers = testing.crmHandlers();
  const server = mswNode.setupServer(...handlers);
  server.listen({ onUnhandledRequest: 'error' });
  try {
    const acme = new sdk.CrmClient({ apiKey: handlers.crm.createTenant('Acme').apiKey });
    const globex = new sdk.CrmClient({ apiKey: handlers.crm.createTenant('Globex').apiKey });
    const input: sdk.CustomerCreate = { name: 'Dana Whitfield', email: 'dana@whitfield.example' };
    const dana: sdk.Customer = await acme.customers.create(input);
    const name: string = dana.name;
    let isolated = false;
    try {
      await globex.customers.get(dana.id);
    } catch (error) {
      isolated = error instanceof sdk.NotFoundError && error.status === 404;
    }
    const config: UserConfig = defineConfig({ target: 'http://127.0.0.1:3000' });
    console.log(JSON.stringify({ name, isolated, config }));
  } finally {
    server.close();
  }
}

// Never called: proves the types are real.
function typeErrorsAreReal(crm: sdk.CrmClient): void {
  // @ts-expect-error: \`emial\` is not a field of CustomerCreate
  void crm.customers.create({ name: 'Typo', emial: 'typo@example.com' });
  // @ts-expect-error: a customer's name is a string
  const n: number = ({} as sdk.Customer).name;
  void n;
}
void typeErrorsAreReal;

// A rejection ends node with exit code 1.
void main();
`,
  },
};

// c. moduleResolution bundler (module preserve), and no msw: the SDK's main entry must not need it.
const BUNDLER: ConsumerSpec = {
  name: 'bundler',
  type: 'module',
  tsconfigEdits: ['--module', 'preserve', '--moduleResolution', 'bundler'],
  registryDeps: [],
  files: {
    'index.ts': `import { ConnectionError, CrmClient, type Customer, type CustomerCreate } from '@tenantproof/sdk';
import { defineConfig, type UserConfig } from 'tenantproof';

// Port 9 on loopback: nothing listens, so the call fails fast with a ConnectionError.
const crm = new CrmClient({ apiKey: 'tpk_unused', baseURL: 'http://127.0.0.1:9', maxRetries: 0 });
let unreachable = false;
try {
  const input: CustomerCreate = { name: 'Dana Whitfield', email: 'dana@whitfield.example' };
  const created: Customer = await crm.customers.create(input);
  console.log(created.id);
} catch (error) {
  unreachable = error instanceof ConnectionError;
}
const config: UserConfig = defineConfig({ target: crm.baseURL });
console.log(JSON.stringify({ unreachable, config }));

// Never called: proves the types are real.
export function typeErrorsAreReal(client: CrmClient): void {
  // @ts-expect-error: \`emial\` is not a field of CustomerCreate
  void client.customers.create({ name: 'Typo', emial: 'typo@example.com' });
  // @ts-expect-error: \`targte\` is not a tenantproof setting
  defineConfig({ targte: 'http://127.0.0.1:3000' });
}
`,
  },
};

// d. A Node project: @types/node, and the declarations checked too (skipLibCheck false).
const NODE_TYPES: ConsumerSpec = {
  name: 'esm-node-types',
  type: 'module',
  tsconfigEdits: ['--types', 'node', '--skipLibCheck', 'false'],
  registryDeps: ['msw', '@types/node'],
  files: {
    'index.ts': `import type { Readable } from 'node:stream';
import { setupServer } from 'msw/node';
import { CrmClient, type Customer } from '@tenantproof/sdk';
import { crmHandlers } from '@tenantproof/sdk/testing';
import { defineConfig, type ProvisionFunction, type UserConfig } from 'tenantproof';

// A provisioning module's function: its context's \`env\` is Node's ProcessEnv, \`http\` axios.
export const provision: ProvisionFunction = async (i, ctx) => {
  const adminToken: string | undefined = ctx.env['CRM_ADMIN_TOKEN'];
  const res = await ctx.http.post<{ apiKey: string }>(
    '/admin/tenants',
    { name: \`\${ctx.label}-\${ctx.runTag}\` },
    { headers: { 'x-admin-token': adminToken ?? '' } },
  );
  return { headers: { authorization: \`Bearer \${res.data.apiKey}\` }, id: String(i) };
};

export async function customersCsv(crm: CrmClient): Promise<Readable> {
  return crm.export.stream({ resource: 'customers', format: 'csv' });
}

const handlers = crmHandlers();
const server = setupServer(...handlers);
server.listen({ onUnhandledRequest: 'error' });
try {
  const crm = new CrmClient({ apiKey: handlers.crm.createTenant('Acme').apiKey });
  const dana: Customer = await crm.customers.create({ name: 'Dana', email: 'dana@example.com' });
  let csv = '';
  for await (const chunk of await customersCsv(crm)) csv += String(chunk);
  const config: UserConfig = defineConfig({ target: 'http://127.0.0.1:3000', provision: 'module:./provision.ts' });
  process.stdout.write(\`\${JSON.stringify({ name: dana.name, csvHeader: csv.split(/\\r?\\n/)[0], config })}\\n\`);
} finally {
  server.close();
}

// Never called: proves the Node types reach the packages' declarations.
export function typeErrorsAreReal(ctx: Parameters<ProvisionFunction>[1]): void {
  // @ts-expect-error: the environment holds strings (or undefined), not numbers
  const n: number = ctx.env['X'];
  void n;
}
`,
  },
};

/** The ESM project, installed once and shared by the scenario test and the CLI test. */
let esmProject: Promise<string> | undefined;
const esm = (): Promise<string> => (esmProject ??= createConsumer(ESM));

describe('the packed packages, installed offline into fresh projects', () => {
  beforeAll(async () => {
    const built = [
      ...exportTargets(SDK_PKG).map((f) => path.join(SDK_DIR, f)),
      ...exportTargets(ROOT_PKG).map((f) => path.join(REPO_ROOT, f)),
      path.join(REPO_ROOT, 'dist', 'harness', 'cli', 'main.js'),
    ];
    for (const file of built) {
      if (!existsSync(file)) throw new Error(`${file} is missing: run \`npm run build\` first (npm run test:e2e does)`);
    }
    tmp = mkdtempSync(path.join(os.tmpdir(), 'tenantproof-pack-'));
    packs = { sdk: await pack(['--workspace', SDK_PKG.name]), root: await pack([]) };
  }, STEP);

  afterAll(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('packs two tarballs holding the built code, its declarations and nothing else', () => {
    expect(path.basename(packs.sdk.file)).toBe(`tenantproof-sdk-${SDK_PKG.version}.tgz`);
    expect(path.basename(packs.root.file)).toBe(`tenantproof-${ROOT_PKG.version}.tgz`);

    const sdk = packs.sdk.files;
    expect(sdk.filter((f) => NOT_SHIPPED.some((re) => re.test(f)))).toEqual([]);
    expect(
      sdk.filter(
        (f) => !/^(package\.json|README\.md|dist\/cjs\/package\.json|dist\/(esm|cjs)\/.+\.(js|d\.ts)(\.map)?)$/.test(f),
      ),
    ).toEqual([]);
    for (const target of exportTargets(SDK_PKG)) expect(sdk).toContain(target);
    expect(sdk).toContain('dist/cjs/package.json'); // marks dist/cjs as CommonJS
    for (const flavour of ['esm', 'cjs']) {
      const js = sdk.filter((f) => f.startsWith(`dist/${flavour}/`) && f.endsWith('.js'));
      expect(js.length).toBeGreaterThan(10);
      for (const f of js) expect(sdk, `${f} has no declaration`).toContain(f.replace(/\.js$/, '.d.ts'));
    }

    const root = packs.root.files;
    expect(root.filter((f) => NOT_SHIPPED.some((re) => re.test(f)))).toEqual([]);
    expect(
      root.filter(
        (f) =>
          !/^(package\.json|README\.md|bin\/tenantproof\.mjs|dist\/(harness|crm)\/.+\.(js|d\.ts)(\.map)?|dist\/specs\/crm\.openapi\.yaml|specs\/(crm\.openapi\.yaml|evidence\.schema\.json|oscal_assessment-results_schema-1\.1\.2\.json|README\.md)|dist\/crm\/db\/migrations\/[^/]+\.sql)$/.test(
            f,
          ),
      ),
    ).toEqual([]);
    for (const target of exportTargets(ROOT_PKG)) expect(root).toContain(target);
    for (const f of [
      'bin/tenantproof.mjs',
      'dist/harness/cli/main.js',
      'dist/specs/crm.openapi.yaml',
      'specs/crm.openapi.yaml',
      'specs/evidence.schema.json',
      'specs/oscal_assessment-results_schema-1.1.2.json',
    ]) {
      expect(root).toContain(f);
    }
    expect(root.some((f) => f.startsWith('dist/crm/db/migrations/'))).toBe(true);
    // The SDK reaches tenantproof as its dependency, never as a copy inside it.
    expect(root.filter((f) => f.startsWith('dist/sdk/') || f.startsWith('sdk/'))).toEqual([]);
  });

  it(
    'an ESM project (default tsconfig: nodenext) type-checks and runs the SDK, its msw kit and tenantproof',
    async () => {
      const dir = await esm();
      await compile(dir);
      expect(await node(dir, 'index.js')).toEqual({
        name: 'Dana Whitfield',
        isolated: true,
        config: { target: 'http://127.0.0.1:3000' },
      });
      expect(await node(dir, 'check.mjs')).toEqual(ESM_RESOLUTION);
      expect(await node(dir, 'check.cjs')).toEqual(CJS_RESOLUTION);
      await expectInstalledCli(dir);
    },
    STEP,
  );

  it(
    'a CommonJS project (node16) requires the SDK and imports the ESM-only tenantproof',
    async () => {
      const dir = await createConsumer(CJS);
      await compile(dir);
      // Compiled to CommonJS: require() calls, and a real import() for tenantproof.
      const js = readFileSync(path.join(dir, 'index.js'), 'utf8');
      expect(js).toContain(`require("@tenantproof/sdk")`);
      expect(js).toContain(`import('tenantproof')`);
      expect(await node(dir, 'index.js')).toEqual({
        name: 'Dana Whitfield',
        isolated: true,
        config: { target: 'http://127.0.0.1:3000' },
      });
      expect(await node(dir, 'check.cjs')).toEqual(CJS_RESOLUTION);
      expect(await node(dir, 'check.mjs')).toEqual(ESM_RESOLUTION);
      await expectInstalledCli(dir);
    },
    STEP,
  );

  it(
    'a bundler-resolution project imports both packages, and the SDK works without msw',
    async () => {
      const dir = await createConsumer(BUNDLER);
      expect(existsSync(path.join(dir, 'node_modules', 'msw'))).toBe(false);
      await compile(dir);
      expect(await node(dir, 'index.js')).toEqual({ unreachable: true, config: { target: 'http://127.0.0.1:9' } });
      expect(await node(dir, 'check.mjs')).toEqual(ESM_RESOLUTION);
      expect(await node(dir, 'check.cjs')).toEqual({
        ...CJS_RESOLUTION,
        testing: 'unloadable: MODULE_NOT_FOUND', // the kit needs msw, an optional peer
      });
      await expectInstalledCli(dir);
    },
    STEP,
  );

  it(
    'a Node project with @types/node type-checks the packages’ declarations (skipLibCheck off)',
    async () => {
      const dir = await createConsumer(NODE_TYPES);
      await compile(dir);
      expect(await node(dir, 'index.js')).toEqual({
        name: 'Dana',
        csvHeader: expect.stringMatching(/^id,name,email,/),
        config: { target: 'http://127.0.0.1:3000', provision: 'module:./provision.ts' },
      });
    },
    STEP,
  );

  it(
    'the installed command runs a campaign on the embedded CRM with its defaults, and verifies it',
    async () => {
      const dir = await esm();
      const campaign = await tenantproof(dir, [
        'run',
        '--runs',
        '2',
        '--budget',
        '30m',
        '--min-coverage',
        '0',
        '--seed',
        '1',
      ]);
      expect(campaign.code, explain(campaign)).toBe(0);
      expect(campaign.stdout).toMatch(/CLEAN/);
      const verify = await tenantproof(dir, ['verify', 'reports/latest']);
      expect(verify.code, explain(verify)).toBe(0);
      expect(verify.stdout).toMatch(/^OK: /m);
    },
    STEP,
  );
});
