import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSigningKey, type SigningKey } from '../evidence/attestation.ts';
import { appendEntries, nextEntry, splitLedger } from './chain.ts';
import { canonicalJson } from './canonical-json.ts';
import { LEDGER_FORMAT, type LedgerEntry } from './entry.ts';
import { runBody, scratchDir } from './ledger-fixtures.test-support.ts';
import { verifyLedgerBytes } from './verify-ledger.ts';

const newKey = (): SigningKey =>
  parseSigningKey(generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());

const at = new Date('2026-12-01T00:00:00Z');

/** Entries chained in memory: returns the file bytes. */
function ledgerOf(build: (append: (e: Omit<Parameters<typeof nextEntry>[1], 'at'>) => LedgerEntry) => void): Buffer {
  const lines: Buffer[] = [];
  const entries: LedgerEntry[] = [];
  build((input) => {
    const e = nextEntry(lines, { ...input, at });
    entries.push(e);
    lines.push(Buffer.from(canonicalJson(e)));
    return e;
  });
  const file = join(scratchDir('verify-'), 'ledger.ndjson');
  appendEntries(file, entries);
  return readFileSync(file);
}

const k1 = newKey();
const k2 = newKey();
const k3 = newKey();
const run = (id: string, key: SigningKey) => ({
  ...runBody(id, '2026-11-30T00:00:00.000Z', {
    findings: [{ repro: [] }],
    covered: [['getCustomer', 'foreign-data', 'foreign']],
  }),
  runKeyId: key.fingerprint,
});

const good = ledgerOf((append) => {
  append({ kind: 'genesis', body: { format: LEDGER_FORMAT, publicKey: k1.publicKeyPem }, key: k1 });
  append({ kind: 'run', body: run('r1', k1), key: k1 });
  append({
    kind: 'rotate',
    body: { previousKeyId: k1.fingerprint, newKeyId: k2.fingerprint, publicKey: k2.publicKeyPem, reason: 'yearly' },
    key: k1,
    announced: k2,
  });
  append({ kind: 'run', body: run('r2', k2), key: k2 });
});

describe('verifyLedgerBytes', () => {
  it('is tested on a ledger of every kind of entry', () => {
    expect(splitLedger(good).lines.map((l) => (JSON.parse(l.toString()) as LedgerEntry).kind)).toEqual([
      'genesis',
      'run',
      'rotate',
      'run',
    ]);
  });

  it('accepts a ledger whose chain, canonical form, signatures and rotation are intact', () => {
    const v = verifyLedgerBytes(good, { trustedKeyIds: [k2.fingerprint] });
    expect(v.failure).toBeUndefined();
    expect(v.ok).toBe(true);
    expect(v.lineCount).toBe(4);
    expect(v.keys.map((k) => [k.keyId, k.fromEntry, k.retiredBy])).toEqual([
      [k1.fingerprint, 1, 3],
      [k2.fingerprint, 4, undefined],
    ]);
    expect(v.currentKeyId).toBe(k2.fingerprint);
    expect(v.pinned).toBe(true);
    expect(verifyLedgerBytes(good, { trustedKeyIds: [k3.fingerprint] }).pinned).toBe(false);
  });

  it('fails after ANY single-byte edit, naming the entry the byte belongs to', () => {
    const lineOf: number[] = [];
    let line = 1;
    for (const b of good) {
      lineOf.push(line);
      if (b === 10) line++;
    }
    const missed: number[] = [];
    const misnamed: string[] = [];
    // Every byte with its lowest bit flipped; every 5th also with its case bit (0x20) flipped.
    for (let p = 0; p < good.length; p++) {
      for (const mask of p % 5 === 0 ? [0x01, 0x20] : [0x01]) {
        const edited = Buffer.from(good);
        edited[p] = edited[p]! ^ mask;
        const v = verifyLedgerBytes(edited);
        if (v.ok) missed.push(p);
        else if (v.failure!.entry !== lineOf[p])
          misnamed.push(`byte ${p} (entry ${lineOf[p]}) named entry ${v.failure!.entry}`);
      }
    }
    expect(missed).toEqual([]);
    expect(misnamed).toEqual([]);
  });

  it('rejects an entry signed by a key no rotation announced', () => {
    const forged = ledgerOf((append) => {
      append({ kind: 'genesis', body: { format: LEDGER_FORMAT, publicKey: k1.publicKeyPem }, key: k1 });
      append({ kind: 'run', body: run('r1', k1), key: k1 });
      append({ kind: 'run', body: run('r2', k3), key: k3 });
    });
    const v = verifyLedgerBytes(forged);
    expect(v.ok).toBe(false);
    expect(v.failure!.entry).toBe(3);
    expect(v.failure!.detail).toMatch(
      new RegExp(`signed by key ${k3.fingerprint}, which this ledger has not announced`),
    );
    expect(v.entries).toHaveLength(2);
  });

  it('rejects a rotation signed by the new key instead of the previous one, or without the new key’s proof', () => {
    const selfAnnounced = ledgerOf((append) => {
      append({ kind: 'genesis', body: { format: LEDGER_FORMAT, publicKey: k1.publicKeyPem }, key: k1 });
      append({
        kind: 'rotate',
        body: { previousKeyId: k1.fingerprint, newKeyId: k3.fingerprint, publicKey: k3.publicKeyPem },
        key: k3,
        announced: k3,
      });
    });
    expect(verifyLedgerBytes(selfAnnounced).failure).toMatchObject({
      entry: 2,
      detail: expect.stringMatching(/not announced/),
    });

    const unproven = ledgerOf((append) => {
      append({ kind: 'genesis', body: { format: LEDGER_FORMAT, publicKey: k1.publicKeyPem }, key: k1 });
      append({
        kind: 'rotate',
        body: { previousKeyId: k1.fingerprint, newKeyId: k3.fingerprint, publicKey: k3.publicKeyPem },
        key: k1,
        announced: k2, // someone else's signature where the new key's proof belongs
      });
    });
    expect(verifyLedgerBytes(unproven).failure).toMatchObject({
      entry: 2,
      detail: expect.stringMatching(/proof does not verify/),
    });
  });

  it('names the entry after a removed or reordered one, and an unterminated last entry', () => {
    const { lines } = splitLedger(good);
    const without2 = Buffer.from([lines[0], lines[2], lines[3]].map((l) => l!.toString() + '\n').join(''));
    expect(verifyLedgerBytes(without2).failure).toMatchObject({ entry: 2, detail: expect.stringMatching(/seq is 3/) });
    const cut = good.subarray(0, good.length - 1);
    expect(verifyLedgerBytes(cut).failure).toMatchObject({ entry: 4, detail: expect.stringMatching(/incomplete/) });
    expect(verifyLedgerBytes(Buffer.alloc(0)).failure).toMatchObject({
      entry: 1,
      detail: expect.stringMatching(/empty/),
    });
  });

  it('a ledger cut after an entry still verifies, and still holds the hashes of what it kept (for --head)', () => {
    const { lines } = splitLedger(good);
    const full = verifyLedgerBytes(good);
    const cut = verifyLedgerBytes(
      Buffer.from(
        lines
          .slice(0, 2)
          .map((l) => l.toString() + '\n')
          .join(''),
      ),
    );
    expect(cut.ok).toBe(true);
    expect(cut.hashes).toEqual(full.hashes.slice(0, 2));
    expect(cut.hashes).not.toContain(full.head);
  });
});
