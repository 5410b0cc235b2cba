/**
 * `tenantproof ledger <add|verify|report|rotate>`: the vendor's incident ledger, an append-only,
 * hash-chained, signed NDJSON file of verified runs, and the incident report built from it. The
 * library is harness/ledger/ (see its README).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { UsageError } from '../errors.ts';
import { EXIT, exitCodesHelp, type ExitCode } from '../exit-codes.ts';
import { addRuns } from '../ledger/add-runs.ts';
import { DEFAULT_LEDGER_FILE } from '../ledger/entry.ts';
import { LedgerError } from '../ledger/errors.ts';
import { rotateKey } from '../ledger/rotate.ts';
import { loadLedgerSigningKey, publicKeyFromPem, readSigningKeyFile } from '../ledger/signing.ts';
import { TARGET_VERSION_ENV } from '../ledger/target-version.ts';
import { formatLedgerVerification, verifyLedgerFile } from '../ledger/verify-ledger.ts';
import { writeLedgerReport } from '../ledger/write-report.ts';

const HELP = `Usage: tenantproof ledger <command> [options]

The incident ledger: an append-only NDJSON file (default ${DEFAULT_LEDGER_FILE}), one signed,
hash-chained entry per verified run, meant to be committed to a repository or kept as a CI
artifact. From it, \`report\` answers "describe a tenant isolation incident, how it was detected
and fixed": every incident with when it was first seen, fixed (the first later run that covered
it and found nothing) and reopened, in which target version, with links to the evidence.

Commands:
  add DIR…        append verified run folders (single or merged) to the ledger
  verify          check the ledger's hash chain, canonical form, signatures and key rotations
  report          write ledger-report.md, .html and .json: incidents and days since a clean run
  rotate          announce a new signing key (signed by the current one)

Every entry is signed with the vendor's key, the key its runs are signed with: --signing-key FILE
or TENANTPROOF_SIGNING_KEY (make one with \`tenantproof keys generate\`). \`add\` refuses a run
folder that does not verify, or that was signed by any other key.

Common option:
  --ledger FILE   the ledger file (default ${DEFAULT_LEDGER_FILE})

add DIR… [--target-version V] [--target-version-header NAME] [--evidence-url URL] [--signing-key FILE]
  --target-version V          the target's version the runs tested (else ${TARGET_VERSION_ENV},
                              else the response header below, read from each run's transcript)
  --target-version-header NAME  response header carrying the version; the first add records it in
                              the ledger's genesis entry as the default for later adds
  --evidence-url URL          where the evidence is kept (e.g. the CI run's artifacts); {runId} is
                              replaced by the run id
verify [--public-key FILE] [--require-pinned] [--head HASH]
  --public-key FILE           the vendor's public key: origin is verified if it is one of the
                              ledger's keys (or TENANTPROOF_TRUSTED_KEYS=<key id>,…)
  --require-pinned            fail unless a key of the ledger is pinned
  --head HASH                 fail unless the ledger still contains the entry with this hash (a
                              head published earlier: proves nothing up to it was cut off)
report [--out DIR] [--full-coverage RATIO] [--as-of TIME] [--split-by-oracle] [--public-key FILE]
  --out DIR                   where the report goes (default: the ledger's folder)
  --full-coverage RATIO       share of tenant-owned operations probed that counts as full coverage
                              (default 1: all of them)
  --as-of TIME                the time "days since" is counted to (default now; ISO 8601)
  --split-by-oracle           one incident per oracle (default: one per operation, probe and
                              relation, listing every oracle that saw it)
rotate --new-key FILE [--reason TEXT] [--signing-key FILE]
  --new-key FILE              the next private key (from \`tenantproof keys generate\`); the rotation
                              is signed by the current key and proven by the new one, and from then
                              on only the new key is accepted

${exitCodesHelp('ledger')}`;

const FLAGS = {
  ledger: { type: 'string' },
  'signing-key': { type: 'string' },
  'target-version': { type: 'string' },
  'target-version-header': { type: 'string' },
  'evidence-url': { type: 'string' },
  'public-key': { type: 'string' },
  'require-pinned': { type: 'boolean' },
  head: { type: 'string' },
  out: { type: 'string' },
  'full-coverage': { type: 'string' },
  'as-of': { type: 'string' },
  'split-by-oracle': { type: 'boolean' },
  'new-key': { type: 'string' },
  reason: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = { [K in keyof typeof FLAGS]?: (typeof FLAGS)[K]['type'] extends 'string' ? string : boolean };

/** Which flags each subcommand takes (besides --ledger and --help). */
const ACCEPTS: Record<string, ReadonlyArray<keyof typeof FLAGS>> = {
  add: ['signing-key', 'target-version', 'target-version-header', 'evidence-url'],
  verify: ['public-key', 'require-pinned', 'head'],
  report: ['out', 'full-coverage', 'as-of', 'split-by-oracle', 'public-key'],
  rotate: ['new-key', 'reason', 'signing-key'],
};

const usage = (message: string): UsageError =>
  new UsageError(message, { hint: 'run `tenantproof ledger --help` for the commands and options' });

function trustedKeyIds(publicKey: string | undefined): string[] {
  const ids = (process.env['TENANTPROOF_TRUSTED_KEYS'] ?? '')
    .split(',')
    .map((k) => k.trim())
    .filter(Boolean);
  if (publicKey) {
    if (!existsSync(publicKey)) throw usage(`public key file ${publicKey} does not exist`);
    try {
      ids.push(publicKeyFromPem(readFileSync(publicKey, 'utf8')).keyId);
    } catch (e) {
      throw new LedgerError(`${publicKey} is not an Ed25519 public key: ${(e as Error).message}`);
    }
  }
  return ids;
}

const warn = (m: string): void => void process.stderr.write(`tenantproof ledger: warning: ${m}\n`);

export async function main(argv: string[]): Promise<number> {
  let values: Values;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args: argv, options: FLAGS, allowPositionals: true, strict: true }));
  } catch (err) {
    throw usage((err as Error).message);
  }
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    process.stdout.write(HELP + '\n');
    return command || values.help ? EXIT.clean : EXIT.usage;
  }
  const accepts = ACCEPTS[command];
  if (!accepts) throw usage(`unknown ledger command "${command}"`);
  const given = (Object.keys(values) as Array<keyof typeof FLAGS>).filter((k) => k !== 'ledger' && k !== 'help');
  const foreign = given.filter((k) => !accepts.includes(k));
  if (foreign.length > 0) throw usage(`ledger ${command} does not take ${foreign.map((f) => `--${f}`).join(', ')}`);
  if (command !== 'add' && rest.length > 0) throw usage(`ledger ${command} takes no folder (got ${rest.join(' ')})`);
  const ledgerFile = values.ledger ?? DEFAULT_LEDGER_FILE;

  switch (command) {
    case 'add':
      return add(ledgerFile, rest, values);
    case 'verify':
      return verify(ledgerFile, values);
    case 'report':
      return report(ledgerFile, values);
    default:
      return rotate(ledgerFile, values);
  }
}

async function add(ledgerFile: string, dirs: string[], values: Values): Promise<number> {
  if (dirs.length === 0) throw usage('give the run folders to add');
  const loaded = loadLedgerSigningKey(values['signing-key']);
  loaded.warnings.forEach(warn);
  const result = await addRuns({
    ledgerFile,
    dirs,
    key: loaded.key,
    ...(values['target-version'] !== undefined ? { targetVersion: values['target-version'] } : {}),
    ...(values['target-version-header'] ? { targetVersionHeader: values['target-version-header'] } : {}),
    ...(values['evidence-url'] ? { evidenceUrl: values['evidence-url'] } : {}),
  });
  result.warnings.forEach(warn);
  const out = process.stdout;
  if (result.created) out.write(`created ledger ${ledgerFile} (entry 1: genesis, key ${loaded.key.fingerprint})\n`);
  for (const e of result.added) {
    const b = e.body;
    out.write(
      `added entry ${e.seq}: run ${b.runId} (${b.targetVersion ?? 'version unknown'}, started ${b.startedAt}): ${b.verdict}, ${b.findings.length} finding(s)\n`,
    );
  }
  out.write(`verify with \`tenantproof ledger verify --ledger ${ledgerFile}\`\n`);
  return EXIT.clean;
}

async function verify(ledgerFile: string, values: Values): Promise<number> {
  if (!existsSync(ledgerFile)) throw usage(`ledger ${ledgerFile} does not exist`);
  const head = values.head?.trim().toLowerCase();
  if (head !== undefined && !/^[0-9a-f]{64}$/.test(head))
    throw usage('--head takes the 64-hex-digit hash a verify printed');
  const v = verifyLedgerFile(ledgerFile, { trustedKeyIds: trustedKeyIds(values['public-key']) });
  process.stdout.write(formatLedgerVerification(v, ledgerFile) + '\n');
  if (!v.ok) return EXIT.leak;
  if (values['require-pinned'] && !v.pinned) {
    process.stdout.write('FAIL: --require-pinned: no key of the ledger is pinned, so its origin is not verified\n');
    return EXIT.leak;
  }
  if (head !== undefined) {
    const at = v.hashes.indexOf(head);
    if (at === -1) {
      process.stdout.write(
        `FAIL: --head ${head}: no entry of the ledger has this hash (entries were cut off or replaced)\n`,
      );
      return EXIT.leak;
    }
    process.stdout.write(`OK: --head is entry ${at + 1} of ${v.lineCount}\n`);
  }
  return EXIT.clean;
}

async function report(ledgerFile: string, values: Values): Promise<number> {
  let fullCoverage: number | undefined;
  if (values['full-coverage'] !== undefined) {
    fullCoverage = Number(values['full-coverage']);
    if (!Number.isFinite(fullCoverage) || fullCoverage <= 0 || fullCoverage > 1)
      throw usage('--full-coverage takes a ratio above 0 and at most 1, e.g. 0.9');
  }
  let now: Date | undefined;
  if (values['as-of'] !== undefined) {
    now = new Date(values['as-of']);
    if (Number.isNaN(now.getTime()))
      throw usage(`--as-of ${values['as-of']} is not a date (ISO 8601, e.g. 2026-12-03T00:00:00Z)`);
  }
  const r = writeLedgerReport({
    ledgerFile,
    outDir: values.out ?? path.dirname(ledgerFile),
    ...(now ? { now } : {}),
    ...(fullCoverage !== undefined ? { fullCoverage } : {}),
    ...(values['split-by-oracle'] ? { grouping: 'oracle' as const } : {}),
    trustedKeyIds: trustedKeyIds(values['public-key']),
  });
  const m = r.model;
  const open = m.incidents.filter((i) => i.status === 'open').length;
  const out = process.stdout;
  out.write(
    `${m.runs.length} run(s), ${m.incidents.length} incident(s) (${open} open); ` +
      (m.lastCleanFullCoverage
        ? `${m.lastCleanFullCoverage.days} day(s) since the last clean run with full coverage\n`
        : 'no run so far was clean with full coverage\n'),
  );
  for (const f of [r.markdownFile, r.htmlFile, r.jsonFile]) out.write(`  ${path.relative(process.cwd(), f) || f}\n`);
  return EXIT.clean;
}

async function rotate(ledgerFile: string, values: Values): Promise<number> {
  if (!values['new-key']) throw usage('ledger rotate needs --new-key FILE (the new private key)');
  const current = loadLedgerSigningKey(values['signing-key']);
  const next = readSigningKeyFile(values['new-key']);
  [...current.warnings, ...next.warnings].forEach(warn);
  const e = await rotateKey({
    ledgerFile,
    key: current.key,
    newKey: next.key,
    ...(values.reason ? { reason: values.reason } : {}),
  });
  process.stdout.write(
    `rotated: entry ${e.seq} announces key ${e.body.newKeyId}, signed by ${e.body.previousKeyId}.\n` +
      `From now on sign runs and ledger entries with the new key (update the TENANTPROOF_SIGNING_KEY secret).\n`,
  );
  return EXIT.clean;
}
