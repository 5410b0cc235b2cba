/**
 * `tenantproof export-test`'s logic: a sealed run folder's counterexamples, turned into standalone
 * vitest regression tests in a folder of the user's own repository.
 *
 * The run folder is only read. It must verify first (any file changed, added or missing would
 * make its tests untrustworthy), and the tests may not land inside it or any other sealed run
 * folder, since one new file makes `tenantproof verify` fail. Each test's text comes from the same
 * generator as the copy sealed beside its JSON (`regressionTestSource`), so exporting is
 * deterministic: run twice, the second run finds its files unchanged.
 */
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors.ts';
import { ATTESTATION_FILE, MANIFEST_FILE } from '../evidence/manifest.ts';
import { EVIDENCE_FILE } from '../evidence/evidence-schema.ts';
import { SHARDS_DIR } from '../evidence/merge-layout.ts';
import { runFolderNamedBy } from './latest-link.ts';
import { verifyRunDir } from '../evidence/verify.ts';
import {
  describeFinding,
  exportedTestFileName,
  parseCounterexample,
  regressionTestSource,
} from './counterexample-file.ts';

/** A refusal of `export-test`: the folder, the counterexamples or the destination. Exit 2. */
export class ExportTestError extends UsageError {}

export interface ExportTestsOptions {
  /** The run folder (or the `latest` link beside it). */
  dir: string;
  /** Where the test files go; created if missing. */
  out: string;
  /** Overwrite a test file that exists with different content. */
  force?: boolean;
}

export interface ExportedTest {
  /** The test file written (absolute). */
  file: string;
  /** The counterexample it came from, relative to the run folder. */
  counterexample: string;
  /** What it reproduces, e.g. `foreign-data on getCustomer (T1 → T2)`. */
  finding: string;
  /** `written` (new), `overwritten` (--force), `unchanged` (already there, identical). */
  status: 'written' | 'overwritten' | 'unchanged';
}

export interface ExportTestsResult {
  /** The run folder, resolved (a `latest` link followed). */
  runDir: string;
  out: string;
  tests: ExportedTest[];
}

/** Reads, checks and exports; writes nothing unless every check passed and every file may be written. */
export function exportTests(options: ExportTestsOptions): ExportTestsResult {
  const runDir = resolveRunDir(options.dir);
  const report = verifyRunDir(runDir);
  if (!report.ok)
    throw new ExportTestError(
      `${options.dir} does not verify, so its counterexamples cannot be trusted:\n${report.failures
        .slice(0, 5)
        .map((f) => `  ${f.file} [${f.check}]: ${f.detail}`)
        .join('\n')}${report.failures.length > 5 ? `\n  … and ${report.failures.length - 5} more` : ''}`,
      {
        hint:
          `\`tenantproof verify ${options.dir}\` lists every failure. If vitest was run inside the folder, ` +
          'remove what it added there (node_modules/, vitest.config.*) and verify again.',
      },
    );

  const files = counterexampleFiles(runDir);
  if (files.length === 0)
    throw new ExportTestError(
      `${options.dir} holds no counterexamples (its verdict is ${verdictOf(runDir)}): there is no finding to turn into a test.`,
      { hint: 'a run writes counterexamples/<n>.json for each finding; give the folder of a run that found one' },
    );

  const out = path.resolve(options.out);
  const sealed = sealedFolderHolding(out);
  if (sealed !== undefined)
    throw new ExportTestError(
      `--out ${options.out} is inside the sealed run folder ${sealed}; nothing may be added to a sealed folder, since \`tenantproof verify\` would then fail.`,
      { hint: 'give a folder of your own repository, e.g. --out test/isolation/' },
    );
  if (existsSync(out) && !statSync(out).isDirectory())
    throw new ExportTestError(`--out ${options.out} exists and is not a folder.`);

  const planned = files.map((rel) => {
    const ce = parseCounterexample(readFileSync(path.join(runDir, rel), 'utf8'), path.join(options.dir, rel));
    const n = Number(path.basename(rel, '.json'));
    const finding = describeFinding(ce);
    const file = path.join(out, exportedTestFileName(ce.runId, n));
    const text = regressionTestSource(ce, n, { kind: 'exported' });
    return { file, counterexample: rel, finding, text };
  });

  const names = new Set<string>();
  for (const p of planned) {
    if (names.has(p.file))
      throw new ExportTestError(`two counterexamples would both be written to ${p.file}.`, {
        hint: 'export the shards of a merged folder one by one',
      });
    names.add(p.file);
  }

  const notFiles = planned.filter((p) => existsSync(p.file) && !lstatSync(p.file).isFile());
  if (notFiles.length > 0)
    throw new ExportTestError(notFiles.map((p) => `${p.file} exists and is not a file.`).join('\n'));
  const tests: ExportedTest[] = planned.map((p) => ({
    file: p.file,
    counterexample: p.counterexample,
    finding: p.finding,
    status: !existsSync(p.file) ? 'written' : readFileSync(p.file, 'utf8') === p.text ? 'unchanged' : 'overwritten',
  }));
  const conflicts = tests.filter((t) => t.status === 'overwritten');
  if (conflicts.length > 0 && !options.force)
    throw new ExportTestError(
      `refusing to overwrite ${conflicts.length === 1 ? 'a file' : 'files'} with different content:\n${conflicts.map((t) => `  ${t.file}`).join('\n')}`,
      { hint: 'pass --force to replace them (edits made to them by hand would be lost), or choose another --out' },
    );

  mkdirSync(out, { recursive: true });
  planned.forEach((p, i) => {
    if (tests[i]!.status !== 'unchanged') writeFileSync(p.file, p.text);
  });
  return { runDir, out, tests };
}

/**
 * The run folder `dir` names, with links followed: a folder, a symlink to one, or the file that
 * `reports/latest` is where symlinks are not allowed (it holds the run id of a folder beside it).
 */
function resolveRunDir(dir: string): string {
  if (!existsSync(dir))
    throw new ExportTestError(`${dir} does not exist.`, { hint: 'give a run folder, e.g. reports/latest' });
  let real = realpathSync(dir);
  if (statSync(real).isFile()) {
    const beside = runFolderNamedBy(real);
    if (!beside) throw new ExportTestError(`${dir} is a file, not a run folder (nor a latest link naming one).`);
    real = realpathSync(beside);
  }
  if (!existsSync(path.join(real, EVIDENCE_FILE)))
    throw new ExportTestError(`${dir} is not a run folder (no ${EVIDENCE_FILE}).`, {
      hint: 'give a folder written by `tenantproof run`, e.g. reports/latest',
    });
  return real;
}

/** `counterexamples/<n>.json` of the folder, and of each run a merged folder holds, in order. */
function counterexampleFiles(runDir: string): string[] {
  const inFolder = (prefix: string): string[] => {
    const dir = path.join(runDir, prefix, 'counterexamples');
    if (!existsSync(dir)) return [];
    return readdirSync(dir)
      .filter((f) => /^\d+\.json$/.test(f))
      .sort((a, b) => Number.parseInt(a, 10) - Number.parseInt(b, 10))
      .map((f) => path.posix.join(prefix, 'counterexamples', f));
  };
  const shardsDir = path.join(runDir, SHARDS_DIR);
  const shards = existsSync(shardsDir)
    ? readdirSync(shardsDir)
        .filter((d) => statSync(path.join(shardsDir, d)).isDirectory())
        .sort()
    : [];
  return [...inFolder(''), ...shards.flatMap((d) => inFolder(path.posix.join(SHARDS_DIR, d)))];
}

function verdictOf(runDir: string): string {
  try {
    const v = (JSON.parse(readFileSync(path.join(runDir, EVIDENCE_FILE), 'utf8')) as { verdict?: unknown }).verdict;
    return typeof v === 'string' ? v.toUpperCase() : 'unknown';
  } catch {
    return 'unknown';
  }
}

/**
 * The sealed run folder that `target` (which need not exist yet) would lie in, if any: the nearest
 * enclosing folder, links followed, that holds a manifest with its attestation or evidence.
 */
export function sealedFolderHolding(target: string): string | undefined {
  let existing = path.resolve(target);
  const rest: string[] = [];
  while (!existsSync(existing)) {
    rest.unshift(path.basename(existing));
    const parent = path.dirname(existing);
    if (parent === existing) break;
    existing = parent;
  }
  let dir = path.join(realpathSync(existing), ...rest);
  for (;;) {
    if (
      existsSync(path.join(dir, MANIFEST_FILE)) &&
      (existsSync(path.join(dir, ATTESTATION_FILE)) || existsSync(path.join(dir, EVIDENCE_FILE)))
    )
      return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}
