/**
 * `tenantproof merge DIR… [--out DIR] [--pdf] [--public-key FILE] [--valid-for PERIOD]`: combines
 * the run folders of one sharded campaign (`tenantproof run --shard i/n` on n CI jobs) into one
 * signed evidence folder, `<out>/<runId>/` (and `<out>/latest`). The logic is in
 * `harness/evidence/merge.ts`.
 * Exit codes, as `run`: 0 clean, 1 leak, 2 usage error or refused, 3 inconclusive.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, lstatSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { EXIT, exitCodeForVerdict, exitCodesHelp } from '../exit-codes.ts';
import { loadSigningKey } from '../evidence/attestation.ts';
import { parseCalendarDuration } from '../evidence/calendar-duration.ts';
import { EvidenceError } from '../evidence/errors.ts';
import {
  checkMergeable,
  expandRunFolders,
  loadMergeInput,
  orderInputs,
  writeMergedRun,
  type MergeInput,
} from '../evidence/merge.ts';
import { recordedCommandLine } from './command-line.ts';
import { pointLatest } from '../run/latest-link.ts';

export const MERGE_HELP = `Usage: tenantproof merge DIR… [--out DIR] [--pdf] [--public-key FILE] [--valid-for PERIOD]

Merges the run folders of one sharded campaign (tenantproof run --shard i/n, one folder per
shard; or several unsharded runs of one configuration) into ONE evidence folder with one
manifest and one signed attestation, written to <out>/<runId>/ (<out>/latest points at it).

Each DIR is a run folder, or a folder holding run folders (searched two levels deep, e.g. the
artifacts a CI job downloaded). Every folder must first pass \`tenantproof verify\`. Merge refuses
shards of different specs or campaign settings (method.configDigest), different shard counts,
the same shard twice, and a mix of sharded and unsharded runs. Missing shards are a warning:
the merged evidence then says which, and is partial.

The merged folder holds every input, byte for byte and still signed, under shards/<runId>/;
evidence.json with the sum of their requests and coverage, all their findings (each citing its
shard's transcript), the negative control (passed only if it passed in every shard), the control
mapping and verdict; junit.xml, results.sarif, report.html; and its own manifest.json,
attestation.json and public-key.pem (signed with TENANTPROOF_SIGNING_KEY, or a key made for it).

Options:
  --out DIR            parent folder of the merged folder (default reports)
  --pdf                also print report.pdf with headless Chromium (/usr/bin/chromium)
  --public-key FILE    require every input to be signed by this key
  --allow-partial      merge a run killed after a checkpoint seal, using its sealed part only
                       (without it, such a run is refused; bytes after a seal are never merged)
  --valid-for PERIOD   how long the merged evidence stays valid: validUntil = assessedAt (the
                       latest end of the runs) + PERIOD, e.g. 90d, 6mo, 1y (default 12mo); never
                       later than a merged run's own validUntil
  --help               this text

${exitCodesHelp('merge')}`;

const FLAGS = {
  out: { type: 'string' },
  pdf: { type: 'boolean' },
  'public-key': { type: 'string' },
  'allow-partial': { type: 'boolean' },
  'valid-for': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function mergedRunId(seed: number): string {
  const t = new Date()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')
    .replace('T', '-');
  return `${t}-merged-s${seed}-${randomBytes(2).toString('hex')}`;
}

const within = (child: string, parent: string): boolean => child === parent || child.startsWith(parent + path.sep);

export async function main(argv: string[]): Promise<number> {
  const fail = (m: string): never => {
    throw new EvidenceError(m);
  };
  let values: {
    out?: string;
    pdf?: boolean;
    'public-key'?: string;
    'allow-partial'?: boolean;
    'valid-for'?: string;
    help?: boolean;
  };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args: argv, options: FLAGS, allowPositionals: true, strict: true }));
  } catch (err) {
    return fail(`${(err as Error).message}\n\n${MERGE_HELP}`);
  }
  if (values.help) {
    process.stdout.write(MERGE_HELP + '\n');
    return EXIT.clean;
  }
  if (positionals.length === 0) return fail(`give the run folders to merge.\n\n${MERGE_HELP}`);
  const validFor =
    values['valid-for'] !== undefined ? parseCalendarDuration(values['valid-for'], '--valid-for') : undefined;
  const publicKey = values['public-key'];
  if (publicKey && !existsSync(publicKey)) return fail(`public key file ${publicKey} does not exist.`);

  const key = loadSigningKey();

  // A `latest` link next to the folder it points at (as in `merge reports/*`) is the same run: keep one.
  const folders: string[] = [];
  const byReal = new Map<string, string>();
  for (const dir of expandRunFolders(positionals)) {
    const real = existsSync(dir) ? realpathSync(dir) : dir;
    const prior = byReal.get(real);
    if (prior !== undefined && (lstatSync(dir).isSymbolicLink() || lstatSync(prior).isSymbolicLink())) {
      if (lstatSync(prior).isSymbolicLink()) folders[folders.indexOf(prior)] = dir;
      byReal.set(real, lstatSync(prior).isSymbolicLink() ? dir : prior);
      continue;
    }
    byReal.set(real, dir);
    folders.push(dir);
  }
  const inputs: MergeInput[] = [];
  const errors: string[] = [];
  for (const dir of folders) {
    try {
      inputs.push(
        loadMergeInput(dir, {
          ...(publicKey ? { publicKeyFile: publicKey } : {}),
          allowPartial: values['allow-partial'] === true,
        }),
      );
    } catch (e) {
      if (!(e instanceof EvidenceError)) throw e;
      errors.push((e as Error).message);
    }
  }
  if (errors.length > 0)
    return fail(`refusing to merge:\n${errors.map((m) => `  - ${m.replace(/\n/g, '\n    ')}`).join('\n')}`);

  // The same folder named twice (e.g. a path and a link to it) is a duplicate, not two runs.
  const seen = new Map<string, string>();
  for (const i of inputs) {
    const real = realpathSync(i.dir);
    if (seen.has(real))
      return fail(`refusing to merge: ${i.dir} and ${seen.get(real)} are the same folder; give each run folder once.`);
    seen.set(real, i.dir);
  }

  const check = checkMergeable(inputs);
  if (check.problems.length > 0)
    return fail(
      `refusing to merge ${inputs.length} folder${inputs.length === 1 ? '' : 's'}:\n${check.problems.map((p) => `  - ${p}`).join('\n')}`,
    );
  for (const w of check.warnings) process.stderr.write(`tenantproof merge: warning: ${w}\n`);

  const ordered = orderInputs(inputs);
  const first = ordered[0]!.evidence;
  const runId = mergedRunId(first.method.shard?.baseSeed ?? first.method.seed);
  const outDir = path.resolve(values.out ?? 'reports');
  const dir = path.join(outDir, runId);
  for (const real of seen.keys())
    if (within(dir, real))
      return fail(`--out ${values.out} is inside the run folder ${seen.get(real)}; write the merged folder elsewhere.`);

  const result = await writeMergedRun(ordered, dir, {
    key,
    commandLine: recordedCommandLine(['merge', ...argv]),
    pdf: values.pdf ?? false,
    runId,
    missing: check.missing,
    ...(check.shardCount ? { shardCount: check.shardCount } : {}),
    ...(validFor ? { validFor } : {}),
  });
  if (result.pdfSkipped) process.stderr.write(`tenantproof merge: ${result.pdfSkipped}\n`);
  if (result.reportError)
    process.stderr.write(
      `tenantproof merge: report.html could not be written (${result.reportError}); the evidence is still sealed.\n`,
    );
  pointLatest(outDir, runId);

  const e = result.evidence;
  const code = exitCodeForVerdict(e.verdict);
  const out = process.stdout;
  const verdict = {
    clean: 'CLEAN: no isolation leak found',
    leak: 'LEAK: isolation broken',
    inconclusive: 'INCONCLUSIVE: the merged runs cannot support a verdict',
  }[e.verdict];
  const mg = e.method.merged!;
  out.write(
    `\n${verdict} (merged ${mg.shards.length} run${mg.shards.length === 1 ? '' : 's'}${mg.shardCount ? ` of a campaign sharded ${mg.shardCount} ways` : ''})\n`,
  );
  for (const i of ordered) {
    const m = i.evidence.method;
    const where = path.basename(path.resolve(i.dir)) === i.evidence.runId ? '' : ` (from ${i.dir})`;
    out.write(
      `  ${m.shard ? `shard ${m.shard.index}/${m.shard.count}` : 'run'} ${i.evidence.runId}${where}: seed ${m.seed}, ${m.requestCount} requests, ${m.interleavedBatchCount} batches, ${i.evidence.findings.length} finding(s), ${i.evidence.verdict}${m.partial ? ' (partial)' : ''}\n`,
    );
  }
  out.write(
    `  ${e.method.requestCount} requests, ${e.method.interleavedBatchCount} concurrent batches in all${e.method.partial ? ` (partial: ${e.method.partialReason})` : ''}\n`,
  );
  for (const f of e.findings)
    out.write(`  ${f.id} [${f.oracle}] ${f.severity} ${f.operationId}: ${f.summary} (${f.transcript})\n`);
  out.write(`  negative control: ${e.negativeControl.outcome}\n`);
  out.write(
    `  assessed ${e.assessedAt ?? e.method.endedAt} (the latest end of the runs), valid until ${e.validUntil ?? '?'}\n`,
  );
  const rel = path.relative(process.cwd(), dir) || '.';
  out.write(`  evidence: ${rel}/ (verify with \`npx tenantproof verify ${rel}\`)\n`);
  out.write(`  exit code ${code}\n`);
  return code;
}
