import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSigningKey, type SigningKey } from '../evidence/attestation.ts';
import { checkMergeable, loadMergeInput, writeMergedRun } from '../evidence/merge.ts';
import { addRuns } from './add-runs.ts';
import { splitLedger } from './chain.ts';
import type { LedgerEntry, RunEntry } from './entry.ts';
import { LedgerRefusedError, LedgerTamperedError } from './errors.ts';
import { computeIncidents } from './incidents.ts';
import {
  scratchDir,
  sealedRun,
  VICTIM_CANARY,
  VICTIM_EMAIL,
  VICTIM_ID,
  type RunSpec,
} from './ledger-fixtures.test-support.ts';
import { rotateKey } from './rotate.ts';
import { TARGET_VERSION_ENV } from './target-version.ts';
import { verifyLedgerFile } from './verify-ledger.ts';

const newKey = (): SigningKey =>
  parseSigningKey(generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());

const entries = (file: string): LedgerEntry[] =>
  splitLedger(readFileSync(file)).lines.map((l) => JSON.parse(l.toString()) as LedgerEntry);
const runsOf = (file: string): RunEntry[] => entries(file).filter((e): e is RunEntry => e.kind === 'run');

function setup() {
  const root = scratchDir('add-');
  const key = newKey();
  const run = (spec: Omit<RunSpec, 'startedAt'> & { startedAt?: string }, k: SigningKey = key): string =>
    sealedRun(join(root, 'runs'), { startedAt: '2026-11-01T02:00:00.000Z', ...spec }, k);
  return { root, key, ledger: join(root, 'ledger', 'tenantproof-ledger.ndjson'), run };
}

describe('addRuns', () => {
  it('creates the ledger with a genesis entry, then appends runs in the order they started, each version recorded', async () => {
    const { key, ledger, run } = setup();
    const clean = run({ runId: 'night-1', startedAt: '2026-11-01T02:00:00.000Z', leaky: false });
    const leak = run({ runId: 'night-2', startedAt: '2026-11-02T02:00:00.000Z', leaky: true });
    const r1 = await addRuns({ ledgerFile: ledger, dirs: [leak, clean], key, targetVersion: '1.0.0', env: {} });
    expect(r1.created).toBe(true);
    expect(r1.added.map((e) => [e.seq, e.body.runId])).toEqual([
      [2, 'night-1'],
      [3, 'night-2'],
    ]);
    const e = entries(ledger);
    expect(e[0]).toMatchObject({ kind: 'genesis', keyId: key.fingerprint, body: { publicKey: key.publicKeyPem } });
    const body = runsOf(ledger)[1]!.body;
    expect(body).toMatchObject({
      runId: 'night-2',
      targetVersion: '1.0.0',
      targetVersionSource: 'flag',
      runKeyId: key.fingerprint,
      verdict: 'leak',
      evidence: { path: '../runs/night-2' },
      startedAt: '2026-11-02T02:00:00.000Z',
    });
    expect(body.findings[0]).toMatchObject({
      oracle: 'foreign-data',
      operationId: 'getCustomer',
      probe: 'cross-tenant-read',
      relation: 'foreign',
      oracleTitle: 'Foreign data',
    });
    expect(verifyLedgerFile(ledger).ok).toBe(true);
    // Nothing any tenant owns is in the ledger: not the id, not the canary, not the email.
    const text = readFileSync(ledger, 'utf8');
    for (const v of [VICTIM_ID, VICTIM_CANARY, VICTIM_EMAIL, 'sk_T1']) expect(text).not.toContain(v);

    const third = run({ runId: 'night-3', startedAt: '2026-11-03T02:00:00.000Z', leaky: false });
    await addRuns({ ledgerFile: ledger, dirs: [third], key, env: { [TARGET_VERSION_ENV]: '1.0.1' } });
    expect(runsOf(ledger).map((r) => [r.body.targetVersion, r.body.targetVersionSource])).toEqual([
      ['1.0.0', 'flag'],
      ['1.0.0', 'flag'],
      ['1.0.1', 'env'],
    ]);
    const [inc] = computeIncidents(runsOf(ledger));
    expect(inc).toMatchObject({
      status: 'fixed',
      firstSeen: { runId: 'night-2' },
      fixes: [{ runId: 'night-3', targetVersion: '1.0.1' }],
    });
  });

  it('reads the version from the response header the genesis entry names, in the run’s transcript', async () => {
    const { key, ledger, run } = setup();
    const a = run({ runId: 'h-1', leaky: false, versionHeader: { 'x-app-version': '2.3.4' } });
    const r = await addRuns({ ledgerFile: ledger, dirs: [a], key, targetVersionHeader: 'X-App-Version', env: {} });
    expect(r.warnings).toEqual([]);
    expect(entries(ledger)[0]!.body).toMatchObject({ targetVersionHeader: 'x-app-version' });
    const b = run({
      runId: 'h-2',
      startedAt: '2026-11-05T00:00:00.000Z',
      leaky: true,
      versionHeader: { 'x-app-version': '2.3.5' },
    });
    await addRuns({ ledgerFile: ledger, dirs: [b], key, env: {} });
    expect(
      runsOf(ledger).map((e) => [e.body.targetVersion, e.body.targetVersionSource, e.body.targetVersionHeader]),
    ).toEqual([
      ['2.3.4', 'header', 'x-app-version'],
      ['2.3.5', 'header', 'x-app-version'],
    ]);
    const c = run({ runId: 'h-3', startedAt: '2026-11-06T00:00:00.000Z', leaky: false });
    const r3 = await addRuns({ ledgerFile: ledger, dirs: [c], key, env: {} });
    expect(r3.warnings.join('\n')).toMatch(/no response in the run's transcript carries the header x-app-version/);
    expect(runsOf(ledger)[2]!.body.targetVersion).toBeNull();
  });

  it('refuses, all or nothing, a folder that does not verify, one signed by another key, and a run already added', async () => {
    const { key, ledger, run, root } = setup();
    const first = run({ runId: 'ok-1', leaky: false });
    await addRuns({ ledgerFile: ledger, dirs: [first], key, targetVersion: 'v1', env: {} });
    const before = readFileSync(ledger);

    const good = run({ runId: 'ok-2', leaky: true });
    const tampered = run({ runId: 'tampered', leaky: true });
    const ev = join(tampered, 'evidence.json');
    writeFileSync(ev, readFileSync(ev, 'utf8').replace('"critical"', '"low"'));
    const foreign = run({ runId: 'foreign-key', leaky: false }, newKey());
    const attempt = addRuns({
      ledgerFile: ledger,
      dirs: [good, tampered, foreign, first, join(root, 'runs')],
      key,
      targetVersion: 'v2',
      env: {},
    });
    await expect(attempt).rejects.toThrow(LedgerRefusedError);
    const message = await attempt.catch((e: Error) => e.message);
    expect(message).toMatch(/tampered does not verify/);
    expect(message).toMatch(/evidence\.json/);
    expect(message).toMatch(/foreign-key was signed with the key [0-9a-f]{16}…, not with the ledger's key/);
    expect(message).toMatch(/run ok-1 is already in the ledger \(entry 2\)/);
    expect(message).toMatch(/runs is not a run folder/);
    expect(message).not.toMatch(/ok-2/);
    expect(readFileSync(ledger).equals(before)).toBe(true);
  });

  it('refuses a signing key that is not the ledger’s current key, and a ledger that does not verify', async () => {
    const { key, ledger, run } = setup();
    await expect(
      addRuns({ ledgerFile: ledger, dirs: [], key, evidenceUrl: 'javascript:alert(1)', env: {} }),
    ).rejects.toThrow(/not an http\(s\) URL/);
    await addRuns({ ledgerFile: ledger, dirs: [run({ runId: 'a', leaky: false })], key, env: {} });
    const other = newKey();
    await expect(
      addRuns({ ledgerFile: ledger, dirs: [run({ runId: 'b', leaky: false }, other)], key: other, env: {} }),
    ).rejects.toThrow(/not the ledger's current key .*ledger rotate/);

    const bytes = readFileSync(ledger);
    const edited = Buffer.from(bytes);
    edited[bytes.indexOf('"verdict":"clean"') + 12] = 'x'.charCodeAt(0);
    writeFileSync(ledger, edited);
    const attempt = addRuns({ ledgerFile: ledger, dirs: [run({ runId: 'c', leaky: false })], key, env: {} });
    await expect(attempt).rejects.toThrow(LedgerTamperedError);
    await expect(attempt).rejects.toThrow(/entry 2: /);
    expect(readFileSync(ledger).equals(edited)).toBe(true);
  });

  it('after a rotation takes runs signed by the new key only', async () => {
    const { key, ledger, run } = setup();
    await addRuns({ ledgerFile: ledger, dirs: [run({ runId: 'r1', leaky: true })], key, env: {} });
    const next = newKey();
    await expect(rotateKey({ ledgerFile: ledger, key: next, newKey: next })).rejects.toThrow(
      /must be signed by the ledger's current key/,
    );
    const rot = await rotateKey({ ledgerFile: ledger, key, newKey: next, reason: 'annual rotation' });
    expect(rot).toMatchObject({ seq: 3, kind: 'rotate', keyId: key.fingerprint, body: { newKeyId: next.fingerprint } });
    await expect(rotateKey({ ledgerFile: ledger, key: next, newKey: key })).rejects.toThrow(
      /used by this ledger before/,
    );

    const old = run({ runId: 'r2', startedAt: '2026-11-02T00:00:00.000Z', leaky: false });
    await expect(addRuns({ ledgerFile: ledger, dirs: [old], key, env: {} })).rejects.toThrow(/current key/);
    await expect(addRuns({ ledgerFile: ledger, dirs: [old], key: next, env: {} })).rejects.toThrow(
      /signed with the key .*, not with the ledger's key/,
    );
    const fresh = run({ runId: 'r3', startedAt: '2026-11-03T00:00:00.000Z', leaky: false }, next);
    await addRuns({ ledgerFile: ledger, dirs: [fresh], key: next, env: {} });
    const v = verifyLedgerFile(ledger, { trustedKeyIds: [key.fingerprint] });
    expect(v.ok).toBe(true);
    expect(v.pinned).toBe(true);
    expect(v.keys.map((k) => k.keyId)).toEqual([key.fingerprint, next.fingerprint]);
    expect(entries(ledger).map((e) => [e.kind, e.keyId === next.fingerprint])).toEqual([
      ['genesis', false],
      ['run', false],
      ['rotate', false],
      ['run', true],
    ]);
  });

  it('adds a merged folder, reading its findings’ relations from the shard transcripts they cite', async () => {
    const { key, ledger, run, root } = setup();
    const shards = [
      run({ runId: 's-1', leaky: true, faults: ['get-unscoped'] }),
      run({ runId: 's-2', leaky: false, faults: ['get-unscoped'] }),
    ];
    const inputs = shards.map((d) => loadMergeInput(d));
    const c = checkMergeable(inputs);
    expect(c.problems).toEqual([]);
    const merged = join(root, 'merged', 'm-1');
    await writeMergedRun(inputs, merged, { key, commandLine: 'tenantproof merge', runId: 'm-1', missing: c.missing });
    await addRuns({ ledgerFile: ledger, dirs: [merged], key, targetVersion: 'v7', env: {} });
    const [entry] = runsOf(ledger);
    expect(entry!.body).toMatchObject({ runId: 'm-1', merged: { runs: 2 }, verdict: 'leak' });
    expect(entry!.body.findings[0]).toMatchObject({ relation: 'foreign', transcript: 'shards/s-1/transcript.ndjson' });
  });
});
