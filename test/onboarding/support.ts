/**
 * The onboarding path a new user takes with their own API, through the real CLI in child processes
 * against a real example server on loopback: `tenantproof init --yes` writes the config and the
 * provisioning module (no hand edits after it), `tenantproof doctor` says what blocks a campaign
 * and, where it says so, `doctor --write-overlay` writes the hints that the next `doctor` and `run`
 * apply; then `tenantproof run` on the clean build must exit 0 (coverage gate met) and on a planted
 * bug exit 1 with a finding on the operation the bug is in.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { runCli, type CliResult } from '../support/cli.ts';

export interface Served {
  url: string;
  close(): Promise<void>;
}

export interface Onboarded {
  dir: string;
  init: CliResult;
  /** Every doctor run, in order (a second one after --write-overlay when the first said no). */
  doctors: CliResult[];
}

/** A campaign short enough for CI, long enough to cover a small API. */
export const SHORT_RUN = [
  '--budget',
  '10s',
  '--shrink-budget',
  '5s',
  '--replays',
  '1',
  '--replay-settle',
  '0',
  '--seed',
  '1',
];

const folders: string[] = [];
let keep = false;

/** A fresh working folder, as a user's project; kept (and named) only when a test failed. */
export function workFolder(name: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), `tp-onboarding-${name}-`));
  folders.push(dir);
  onTestFailed(() => {
    keep = true;
    console.log(`onboarding folder kept: ${dir}`);
  });
  return dir;
}

export function removeFolders(): void {
  if (!keep) for (const dir of folders) rmSync(dir, { recursive: true, force: true });
}

function show(r: CliResult): string {
  return `exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
}

/** init --yes, then doctor (and, when it says something blocks, --write-overlay and doctor again). */
export async function onboard(dir: string, target: string, initArgs: string[] = []): Promise<Onboarded> {
  const init = await runCli(['init', '--target', target, '--yes', ...initArgs], { cwd: dir });
  expect(init.code, show(init)).toBe(0);
  for (const file of ['tenantproof.config.ts', 'provision-tenants.ts', 'tenantproof.overlay.yaml'])
    expect(existsSync(path.join(dir, file)), file).toBe(true);
  const doctors = [await runCli(['doctor'], { cwd: dir })];
  if (doctors[0]!.code === 1) {
    const write = await runCli(['doctor', '--write-overlay'], { cwd: dir });
    doctors.push(write, await runCli(['doctor'], { cwd: dir }));
  }
  const last = doctors.at(-1)!;
  expect(last.code, show(last)).toBe(0);
  return { dir, init, doctors };
}

interface EvidenceLite {
  verdict: string;
  findings: { oracle: string; operationId: string; confirmation?: string }[];
  coverageSummary?: { probed: number; tenantOwned: number };
}

/** `tenantproof run` from the onboarded folder (flags over its config), and the run's evidence. */
export async function campaign(dir: string, args: string[]): Promise<{ cli: CliResult; evidence: EvidenceLite }> {
  const out = path.join(dir, 'reports');
  const before = new Set(existsSync(out) ? readdirSync(out) : []);
  const cli = await runCli(['run', ...SHORT_RUN, ...args], { cwd: dir });
  const made = readdirSync(out).filter((d) => d !== 'latest' && !before.has(d));
  expect(made, show(cli)).toHaveLength(1);
  const evidence = JSON.parse(readFileSync(path.join(out, made[0]!, 'evidence.json'), 'utf8')) as EvidenceLite;
  return { cli, evidence };
}

/** Exit 0 and no finding at all. */
export function expectClean(r: { cli: CliResult; evidence: EvidenceLite }): void {
  expect(r.cli.code, show(r.cli)).toBe(0);
  expect(r.evidence.findings).toEqual([]);
}

/**
 * Exit 1, with a confirmed finding; when `operations` are given, every confirmed finding is on one
 * of them (the bug's operation, and those its leaked records can surface through).
 */
export function expectLeakOn(r: { cli: CliResult; evidence: EvidenceLite }, operations?: readonly string[]): void {
  expect(r.cli.code, show(r.cli)).toBe(1);
  const confirmed = r.evidence.findings.filter((f) => f.confirmation !== 'unconfirmed');
  const described = confirmed.map((f) => `${f.oracle} ${f.operationId}`).join('; ');
  expect(confirmed.length, `findings: ${described}`).toBeGreaterThan(0);
  if (operations)
    expect(
      confirmed.every((f) => operations.includes(f.operationId)),
      `findings: ${described}`,
    ).toBe(true);
}

export interface OnboardingCase {
  /** Short name: the work folder's and the describe block's. */
  name: string;
  /** Starts the clean build on loopback. */
  start: () => Promise<Served>;
  /** The planted bug's name, and a server with it switched on. */
  bug: string;
  startBuggy: () => Promise<Served>;
  /** Extra `init` flags (a spec file, for an API that serves none). */
  initArgs?: string[];
  /** Extra `run` flags for both campaigns. */
  runArgs?: string[];
  /** Operations a confirmed finding must be on (absent: any). */
  leakOn?: readonly string[];
  /** More checks on what init wrote or printed. */
  more?: (onboarded: () => Onboarded) => void;
}

/** The whole path for one example API: init and doctor, a clean campaign (exit 0), a planted bug (exit 1). */
export function describeOnboarding(c: OnboardingCase): void {
  const servers: Served[] = [];
  let clean: Served;
  let onboarded: Onboarded | undefined;
  const ready = (): Onboarded => {
    if (!onboarded) throw new Error('init and doctor did not pass (see the first test)');
    return onboarded;
  };
  beforeAll(async () => {
    clean = await c.start();
    servers.push(clean);
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
    removeFolders();
  });

  describe(`${c.name}: init, doctor, run`, () => {
    it('init --yes writes a config and a provisioning module that pass the smoke check; doctor then finds nothing blocking', async () => {
      onboarded = await onboard(workFolder(c.name), clean.url, c.initArgs ?? []);
      expect(onboarded.init.stdout).toMatch(/Smoke check passed/);
      expect(onboarded.doctors.at(-1)!.stdout).toMatch(/(\d+) of \1 tenant-owned operations can be probed/);
    });

    c.more?.(ready);

    it('run on the clean build: CLEAN, exit 0', async () => {
      expectClean(await campaign(ready().dir, c.runArgs ?? []));
    });

    it(`run on the planted ${c.bug} bug: LEAK, exit 1`, async () => {
      const buggy = await c.startBuggy();
      servers.push(buggy);
      const leak = await campaign(ready().dir, ['--target', buggy.url, ...(c.runArgs ?? [])]);
      expectLeakOn(leak, c.leakOn);
    });
  });
}
