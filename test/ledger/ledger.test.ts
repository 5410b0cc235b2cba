/**
 * The incident ledger end to end, through the real CLI: five nightly runs of the embedded CRM
 * (support.ts: clean at v1, `get-unscoped` at v2 and v3, clean at v4, `get-unscoped` again at v5),
 * signed with a vendor key from `tenantproof keys generate`, each added to a ledger with its target
 * version. The report shows ONE incident, first seen at v2, fixed in v4 and reopened at v5, dated
 * from the runs, with no tenant's data in it. `ledger verify` passes, and fails, naming the entry,
 * after a single-byte edit anywhere we try. Refusals: a folder that does not verify, a run added
 * twice, a run signed by a key the ledger has rotated away from; an unannounced key is rejected.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSigningKey } from '../../harness/evidence/attestation.ts';
import { readEvidenceFile } from '../../harness/evidence/evidence-file.ts';
import type { Evidence } from '../../harness/evidence/evidence-schema.ts';
import { appendEntries, nextEntry, splitLedger } from '../../harness/ledger/chain.ts';
import type { LedgerEntry, RunEntry } from '../../harness/ledger/entry.ts';
import type { LedgerReportModel } from '../../harness/ledger/report-model.ts';
import { verifyLedgerBytes } from '../../harness/ledger/verify-ledger.ts';
import { REPO_ROOT, runCli, type CliResult } from '../support/cli.ts';
import { buildNightlyChain, chainEnv, NIGHTLY_CHAIN_DIR, type NightlyChain } from './support.ts';

let chain: NightlyChain;
let evidence: Evidence[];
let work: string;
let ledger: string;
let adds: CliResult[];

const entriesOf = (file: string): LedgerEntry[] =>
  splitLedger(readFileSync(file)).lines.map((l) => JSON.parse(l.toString()) as LedgerEntry);
const out = (r: CliResult): string => `exit ${r.code}\n${r.stdout}\n${r.stderr}`;

beforeAll(async () => {
  chain = await buildNightlyChain(NIGHTLY_CHAIN_DIR);
  evidence = chain.runs.map((r) => readEvidenceFile(r.dir));
  mkdirSync(path.join(REPO_ROOT, '.tmp'), { recursive: true });
  work = mkdtempSync(path.join(REPO_ROOT, '.tmp', 'ledger-e2e-'));
  ledger = path.join(work, 'repo', 'tenantproof-ledger.ndjson');
  // One add per night, as a nightly job would; the version by flag or by environment.
  adds = [];
  for (const [i, run] of chain.runs.entries()) {
    const byEnv = i % 2 === 1;
    adds.push(
      await runCli(
        ['ledger', 'add', run.dir, '--ledger', ledger, ...(byEnv ? [] : ['--target-version', run.version])],
        { env: chainEnv(chain, byEnv ? { TENANTPROOF_TARGET_VERSION: run.version } : {}) },
      ),
    );
  }
});

afterAll(() => {
  // The chain in NIGHTLY_CHAIN_DIR is kept for other tests; this test's ledgers and copies are not.
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the nightly chain', () => {
  it('was signed with the vendor key `keys generate` made (private key 0600), seeds differing, in night order', () => {
    expect(statSync(chain.privateKeyFile).mode & 0o777).toBe(0o600);
    const key = parseSigningKey(readFileSync(chain.privateKeyFile, 'utf8'));
    expect(key.fingerprint).toBe(chain.keyId);
    expect(evidence.map((e) => e.signing?.keyFingerprint)).toEqual(chain.runs.map(() => chain.keyId));
    expect(evidence.map((e) => e.verdict)).toEqual(['clean', 'leak', 'leak', 'clean', 'leak']);
    expect(new Set(evidence.map((e) => e.method.seed)).size).toBe(5);
    const starts = chain.runs.map((r) => r.startedAt);
    expect([...starts].sort()).toEqual(starts);
    expect(new Set(starts).size).toBe(5);
  });
});

describe('tenantproof ledger', () => {
  it('adds each night, creating the ledger with a genesis entry on the first add', () => {
    for (const r of adds) expect(r.code, out(r)).toBe(0);
    expect(adds[0]!.stdout).toMatch(new RegExp(`created ledger .* key ${chain.keyId}`));
    const entries = entriesOf(ledger);
    expect(entries.map((e) => e.kind)).toEqual(['genesis', 'run', 'run', 'run', 'run', 'run']);
    const runs = entries.filter((e): e is RunEntry => e.kind === 'run');
    expect(runs.map((e) => [e.body.runId, e.body.targetVersion, e.body.targetVersionSource, e.keyId])).toEqual(
      chain.runs.map((r, i) => [r.runId, r.version, i % 2 === 1 ? 'env' : 'flag', chain.keyId]),
    );
    expect(runs.map((e) => e.body.startedAt)).toEqual(chain.runs.map((r) => r.startedAt));
  });

  it('verify passes, and with the vendor public key pinned verifies origin too', async () => {
    const r = await runCli(
      ['ledger', 'verify', '--ledger', ledger, '--public-key', chain.publicKeyFile, '--require-pinned'],
      {
        env: chainEnv(chain),
      },
    );
    expect(r.code, out(r)).toBe(0);
    expect(r.stdout).toMatch(/integrity and origin verified/);
    expect(r.stdout).toMatch(/OK: 6 entries \(5 runs, 0 key rotations\)/);
    const head = /head ([0-9a-f]{64})/.exec(r.stdout)![1]!;
    const again = await runCli(['ledger', 'verify', '--ledger', ledger, '--head', head], { env: chainEnv(chain) });
    expect(again.code, out(again)).toBe(0);
    expect(again.stdout).toMatch(/--head is entry 6 of 6/);
  });

  it('report: one incident, first seen at v2, fixed in v4, reopened at v5, dated from the runs, no tenant data', async () => {
    const dir = path.join(work, 'report');
    const r = await runCli(
      [
        'ledger',
        'report',
        '--ledger',
        ledger,
        '--out',
        dir,
        '--full-coverage',
        '0.5',
        '--public-key',
        chain.publicKeyFile,
      ],
      { env: chainEnv(chain) },
    );
    expect(r.code, out(r)).toBe(0);
    const model = JSON.parse(readFileSync(path.join(dir, 'ledger-report.json'), 'utf8')) as LedgerReportModel;
    const at = (v: string) => chain.runs.find((x) => x.version === v)!;
    expect(model.incidents).toHaveLength(1);
    const inc = model.incidents[0]!;
    expect(inc).toMatchObject({
      operationId: 'getCustomer',
      probe: 'cross-tenant-read',
      relation: 'foreign',
      status: 'open',
      firstSeen: { targetVersion: 'v2', date: at('v2').startedAt, runId: at('v2').runId },
      lastSeen: { targetVersion: 'v5', date: at('v5').startedAt },
      fixes: [{ targetVersion: 'v4', date: at('v4').startedAt, runId: at('v4').runId }],
      reopened: [{ targetVersion: 'v5', date: at('v5').startedAt, runId: at('v5').runId }],
    });
    expect(inc.oracles).toContain('foreign-data');
    expect(inc.events.map((e) => `${e.type}@${e.run.targetVersion}`)).toEqual([
      'first-seen@v2',
      'seen-again@v3',
      'fixed@v4',
      'reopened@v5',
    ]);
    expect(inc.episodes[0]!.timeToFixMs).toBe(Date.parse(at('v4').startedAt) - Date.parse(at('v2').startedAt));
    expect(inc.detection.finding.repro.at(-1)).toMatchObject({
      method: 'GET',
      path: '/v1/customers/{customerId}',
      finding: true,
    });
    expect(inc.leaked.length).toBeGreaterThan(0);
    expect(model.lastCleanFullCoverage).toMatchObject({ days: 0, run: { targetVersion: 'v4' } });
    expect(model.ledger.pinned).toBe(true);

    const md = readFileSync(path.join(dir, 'ledger-report.md'), 'utf8');
    const when = (v: string) =>
      at(v)
        .startedAt.replace('T', ' ')
        .replace(/\.\d+Z$/, ' UTC');
    expect(md).toContain(`| First seen | v2 · ${when('v2')} · run ${at('v2').runId} |`);
    expect(md).toMatch(
      new RegExp(`\\| Fixed in \\| v4 · ${when('v4')} · run ${at('v4').runId} \\(time to fix .+\\) \\|`),
    );
    expect(md).toContain(`| Reopened | v5 · ${when('v5')} · run ${at('v5').runId} |`);
    expect(md).toMatch(
      /\*\*Days since the last run that was clean with coverage of at least 50% .*:\*\* 0 days \(v4 · /,
    );
    const html = readFileSync(path.join(dir, 'ledger-report.html'), 'utf8');
    expect(html.match(/<section class="incident"/g)).toHaveLength(1);
    expect(html).toContain(`data-event="fixed" data-run="${at('v4').runId}" data-version="v4"`);
    expect(html).not.toMatch(/<script|<link|src=/i);

    // What any tenant owns (the values the findings rest on, ids the server issued) is in no output.
    const secret = new Set<string>();
    for (const e of evidence)
      for (const f of e.findings) {
        for (const h of (f.evidence['hits'] as Array<{ value: string }> | undefined) ?? []) secret.add(h.value);
        for (const v of (f.evidence['values'] as unknown[] | undefined) ?? []) if (typeof v === 'string') secret.add(v);
      }
    expect(secret.size).toBeGreaterThan(0);
    const uuid = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;
    for (const text of [
      readFileSync(ledger, 'utf8'),
      md,
      html,
      readFileSync(path.join(dir, 'ledger-report.json'), 'utf8'),
    ]) {
      expect(text).not.toMatch(uuid);
      for (const s of secret) expect(text).not.toContain(s);
    }
  });

  it('verify fails after a single-byte edit, naming the entry: each entry’s first byte, a signature, a prev, the last newline', async () => {
    const bytes = readFileSync(ledger);
    const { lines } = splitLedger(bytes);
    const starts = lines.map((_, i) => lines.slice(0, i).reduce((n, l) => n + l.length + 1, 0));
    const positions: Array<[number, number]> = starts.map((s, i) => [s, i + 1]);
    const sig = lines[2]!.toString().indexOf('"sig":"') + 12;
    positions.push([starts[2]! + sig, 3]);
    const prev = lines[4]!.toString().indexOf('"prev":"') + 20;
    positions.push([starts[4]! + prev, 5]);
    positions.push([bytes.length - 1, 6]);
    for (const [p, entry] of positions) {
      for (const replacement of [bytes[p]! ^ 0x01, 0x20]) {
        if (replacement === bytes[p]) continue;
        const edited = Buffer.from(bytes);
        edited[p] = replacement;
        const v = verifyLedgerBytes(edited);
        expect(v.ok, `byte ${p} → ${replacement}`).toBe(false);
        expect(v.failure!.entry, `byte ${p} → ${replacement}: ${v.failure!.detail}`).toBe(entry);
      }
    }
    // And through the CLI: exit 1, the entry named.
    const copy = path.join(work, 'edited.ndjson');
    const edited = Buffer.from(bytes);
    const at = positions[6]![0];
    edited[at] = edited[at]! ^ 0x01;
    writeFileSync(copy, edited);
    const r = await runCli(['ledger', 'verify', '--ledger', copy], { env: chainEnv(chain) });
    expect(r.code, out(r)).toBe(1);
    expect(r.stdout).toMatch(/^FAIL .*: entry 3 \(line 3\): /m);
    const report = await runCli(['ledger', 'report', '--ledger', copy, '--out', path.join(work, 'no-report')], {
      env: chainEnv(chain),
    });
    expect(report.code, out(report)).toBe(1);
    expect(report.stderr).toMatch(/does not verify: entry 3/);
  });

  it('add refuses a folder that does not verify and a run already in the ledger, appending nothing', async () => {
    const before = readFileSync(ledger);
    const tampered = path.join(work, 'tampered', path.basename(chain.runs[3]!.dir));
    cpSync(chain.runs[3]!.dir, tampered, { recursive: true });
    const t = path.join(tampered, 'transcript.ndjson');
    const text = readFileSync(t);
    const mid = Math.floor(text.length / 2);
    text[mid] = text[mid]! ^ 0x01;
    writeFileSync(t, text);
    const r = await runCli(
      ['ledger', 'add', tampered, chain.runs[0]!.dir, '--ledger', ledger, '--target-version', 'v6'],
      {
        env: chainEnv(chain),
      },
    );
    expect(r.code, out(r)).toBe(2);
    expect(r.stderr).toMatch(/does not verify, so it cannot be added/);
    expect(r.stderr).toMatch(new RegExp(`run ${chain.runs[0]!.runId} is already in the ledger \\(entry 2\\)`));
    expect(readFileSync(ledger).equals(before)).toBe(true);
  });

  it('rotate: the new key is announced by the old one; runs of the old key are then refused; an unannounced key is rejected', async () => {
    const rotated = path.join(work, 'rotated.ndjson');
    cpSync(ledger, rotated);
    const keys = await runCli(['keys', 'generate', '--out', path.join(work, 'next-key')]);
    expect(keys.code, out(keys)).toBe(0);
    const nextKey = path.join(work, 'next-key', 'tenantproof-signing-key.pem');
    const rot = await runCli(['ledger', 'rotate', '--ledger', rotated, '--new-key', nextKey, '--reason', 'yearly'], {
      env: chainEnv(chain),
    });
    expect(rot.code, out(rot)).toBe(0);
    const v = await runCli(['ledger', 'verify', '--ledger', rotated], { env: chainEnv(chain) });
    expect(v.code, out(v)).toBe(0);
    expect(v.stdout).toMatch(/7 entries \(5 runs, 1 key rotation\)/);
    expect(v.stdout).toMatch(/\(current\)/);

    // A run the old key signed is no longer accepted (the signing key must be the new one, and the run's key too).
    const stale = await runCli(['ledger', 'add', chain.runs[4]!.dir, '--ledger', rotated], {
      env: chainEnv({ privateKeyFile: nextKey }),
    });
    expect(stale.code, out(stale)).toBe(2);
    expect(stale.stderr).toMatch(/was signed with the key [0-9a-f]{16}…, not with the ledger's key/);

    // An entry signed by a key no rotation announced: verify names it.
    const third = await runCli(['keys', 'generate', '--out', path.join(work, 'third-key')]);
    expect(third.code, out(third)).toBe(0);
    const unannounced = parseSigningKey(
      readFileSync(path.join(work, 'third-key', 'tenantproof-signing-key.pem'), 'utf8'),
    );
    const forged = path.join(work, 'forged.ndjson');
    cpSync(rotated, forged);
    const { lines } = splitLedger(readFileSync(forged));
    const last = entriesOf(ledger).at(-1) as RunEntry;
    appendEntries(forged, [
      nextEntry(lines, {
        kind: 'run',
        body: { ...last.body, runKeyId: unannounced.fingerprint },
        key: unannounced,
        at: new Date(),
      }),
    ]);
    const bad = await runCli(['ledger', 'verify', '--ledger', forged], { env: chainEnv(chain) });
    expect(bad.code, out(bad)).toBe(1);
    expect(bad.stdout).toMatch(
      new RegExp(`entry 8 \\(line 8\\): signed by key ${unannounced.fingerprint}, which this ledger has not announced`),
    );
  });
});
