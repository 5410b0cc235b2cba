/**
 * `verifyLedger`: everything `tenantproof ledger verify` checks, stopping at the first entry that
 * fails and naming it (an entry after a broken one cannot be trusted: its chain starts on bytes
 * nobody signed).
 *
 * For each line n: it is JSON, and exactly the canonical JSON of what it parses to; it matches the
 * entry schema; `seq` is n and `prev` the hash of line n-1 (zeros for line 1); line 1 and only line
 * 1 is the genesis entry, self-signed by the key it names; every later entry is signed by the
 * ledger's CURRENT key (the genesis key, or the key the last rotation announced); a rotation is
 * signed by the current key and carries a `proof` signature by the key it announces, which is
 * current from the next entry on; a run entry names the key it was signed with as the run's key
 * (`ledger add` checks that the run folder was signed by it). The file ends with a newline.
 *
 * A truncated ledger (its last entries cut off) still verifies; publish the head hash it prints and
 * check it later with `ledger verify --head HASH` (the ledger must still contain that entry).
 */
import { readFileSync } from 'node:fs';
import { canonicalJson } from './canonical-json.ts';
import { headHash, lineHash, splitLedger, ZERO_HASH } from './chain.ts';
import { entryIssues, LedgerEntrySchema, type LedgerEntry } from './entry.ts';
import { publicKeyFromPem, signatureValid } from './signing.ts';

export interface LedgerKeyRecord {
  keyId: string;
  publicKeyPem: string;
  /** The entry that introduced it (1 for the genesis key). */
  fromEntry: number;
  /** The rotation entry that retired it, if any. */
  retiredBy?: number;
}

export interface LedgerFailure {
  /** 1-based entry (= line) number. */
  entry: number;
  detail: string;
}

export interface LedgerVerification {
  ok: boolean;
  /** Complete lines in the file. */
  lineCount: number;
  /** The first entry that does not verify. */
  failure?: LedgerFailure;
  /** The entries before the first failure (all of them when ok). */
  entries: LedgerEntry[];
  /** Hash of every line, in order (entry n+1's `prev` is `hashes[n-1]`). */
  hashes: string[];
  /** Hash of the last line. */
  head: string;
  keys: LedgerKeyRecord[];
  currentKeyId?: string;
  /** Whether one of the ledger's keys is one the reviewer trusts (origin, not just integrity). */
  pinned: boolean;
  targetVersionHeader?: string;
}

export interface VerifyLedgerOptions {
  /** Key ids (fingerprints) the reviewer trusts: a pinned public key's, TENANTPROOF_TRUSTED_KEYS. */
  trustedKeyIds?: readonly string[];
}

export function verifyLedgerFile(file: string, options: VerifyLedgerOptions = {}): LedgerVerification {
  return verifyLedgerBytes(readFileSync(file), options);
}

export function verifyLedgerBytes(buf: Buffer, options: VerifyLedgerOptions = {}): LedgerVerification {
  const { lines, tail } = splitLedger(buf);
  const hashes = lines.map(lineHash);
  const entries: LedgerEntry[] = [];
  const keys: LedgerKeyRecord[] = [];
  let current: { keyId: string; key: ReturnType<typeof publicKeyFromPem>['key'] } | undefined;
  let targetVersionHeader: string | undefined;

  const result = (failure?: LedgerFailure): LedgerVerification => {
    const trusted = new Set(options.trustedKeyIds ?? []);
    return {
      ok: failure === undefined,
      lineCount: lines.length,
      ...(failure ? { failure } : {}),
      entries,
      hashes,
      head: headHash(lines),
      keys,
      ...(current ? { currentKeyId: current.keyId } : {}),
      pinned: failure === undefined && keys.some((k) => trusted.has(k.keyId)),
      ...(targetVersionHeader ? { targetVersionHeader } : {}),
    };
  };

  if (lines.length === 0 && tail.length === 0)
    return result({ entry: 1, detail: 'the ledger is empty: it has no genesis entry' });

  for (let i = 0; i < lines.length; i++) {
    const n = i + 1;
    const fail = (detail: string): LedgerVerification => result({ entry: n, detail });
    const raw = lines[i]!;
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw.toString('utf8'));
    } catch {
      return fail('not valid JSON (the line was edited, or two lines were joined)');
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return fail('not a JSON object');
    if (!Buffer.from(canonicalJson(parsed), 'utf8').equals(raw))
      return fail('not in canonical form: its bytes were edited (the ledger writes canonical JSON only)');
    const checked = LedgerEntrySchema.safeParse(parsed);
    if (!checked.success) return fail(`not a ledger entry: ${entryIssues(parsed).slice(0, 3).join('; ')}`);
    const entry = checked.data;
    if (entry.seq !== n)
      return fail(`seq is ${entry.seq}, expected ${n} (an entry was removed, inserted or reordered)`);
    const expectedPrev = i === 0 ? ZERO_HASH : hashes[i - 1]!;
    if (entry.prev !== expectedPrev)
      return fail(
        i === 0
          ? 'prev must be 64 zeros in the first entry'
          : `prev does not match the hash of entry ${n - 1} (entry ${n - 1} was changed, or entries were removed or reordered)`,
      );

    if (entry.kind === 'genesis') {
      if (i !== 0) return fail('a genesis entry may only be the first entry');
      let pk: ReturnType<typeof publicKeyFromPem>;
      try {
        pk = publicKeyFromPem(entry.body.publicKey);
      } catch (e) {
        return fail(`its public key cannot be read: ${(e as Error).message}`);
      }
      if (pk.keyId !== entry.keyId)
        return fail(`keyId ${entry.keyId} is not the fingerprint ${pk.keyId} of the public key it announces`);
      if (!signatureValid(entry, entry.sig, pk.key))
        return fail(`its signature does not verify with the genesis key ${pk.keyId}`);
      current = { keyId: pk.keyId, key: pk.key };
      keys.push({ keyId: pk.keyId, publicKeyPem: entry.body.publicKey, fromEntry: n });
      targetVersionHeader = entry.body.targetVersionHeader;
      entries.push(entry);
      continue;
    }
    if (!current) return fail('the first entry must be the genesis entry');
    if (entry.keyId !== current.keyId)
      return fail(
        `signed by key ${entry.keyId}, which this ledger has not announced: entries must be signed by the current key ${current.keyId} ` +
          '(a new key is accepted only after a rotation entry signed by the previous key: `tenantproof ledger rotate`)',
      );
    if (!signatureValid(entry, entry.sig, current.key))
      return fail(`its signature does not verify with the current key ${current.keyId}`);

    if (entry.kind === 'rotate') {
      let next: ReturnType<typeof publicKeyFromPem>;
      try {
        next = publicKeyFromPem(entry.body.publicKey);
      } catch (e) {
        return fail(`the announced public key cannot be read: ${(e as Error).message}`);
      }
      if (entry.body.previousKeyId !== current.keyId)
        return fail(
          `the rotation names ${entry.body.previousKeyId} as the previous key, but the current key is ${current.keyId}`,
        );
      if (next.keyId !== entry.body.newKeyId)
        return fail(`newKeyId ${entry.body.newKeyId} is not the fingerprint ${next.keyId} of the announced public key`);
      if (next.keyId === current.keyId) return fail('the rotation announces the key that is already current');
      if (keys.some((k) => k.keyId === next.keyId))
        return fail(`the rotation announces ${next.keyId}, a key this ledger already retired`);
      if (!signatureValid(entry, entry.proof, next.key))
        return fail(
          `its proof does not verify with the announced key ${next.keyId} (the new key's holder did not sign it)`,
        );
      keys.at(-1)!.retiredBy = n;
      keys.push({ keyId: next.keyId, publicKeyPem: entry.body.publicKey, fromEntry: n + 1 });
      current = { keyId: next.keyId, key: next.key };
    } else if (entry.body.runKeyId !== entry.keyId) {
      return fail(
        `the run was signed with ${entry.body.runKeyId}, not with the key ${entry.keyId} that signed this entry`,
      );
    }
    entries.push(entry);
  }
  if (tail.length > 0)
    return result({
      entry: lines.length + 1,
      detail: 'incomplete: the file does not end with a newline (the last entry was cut off, or a byte was edited)',
    });
  return result();
}

/** Human lines for `ledger verify`. */
export function formatLedgerVerification(v: LedgerVerification, file: string): string {
  if (!v.ok) {
    const f = v.failure!;
    return `FAIL ${file}: entry ${f.entry} (line ${f.entry}): ${f.detail}${v.lineCount > f.entry ? `\n  entries ${f.entry + 1}…${v.lineCount} follow it and are not trusted either` : ''}`;
  }
  const runs = v.entries.filter((e) => e.kind === 'run').length;
  const rotations = v.entries.filter((e) => e.kind === 'rotate').length;
  const trust = v.pinned
    ? 'integrity and origin verified (a key of the ledger is pinned)'
    : 'integrity verified; origin NOT verified (pin the vendor key with --public-key FILE or TENANTPROOF_TRUSTED_KEYS=<key id>)';
  const keys = v.keys
    .map(
      (k) => `  key ${k.keyId}: entries ${k.fromEntry}…${k.retiredBy ?? v.lineCount}${k.retiredBy ? '' : ' (current)'}`,
    )
    .join('\n');
  return (
    `${trust}\n` +
    `OK: ${v.lineCount} entries (${runs} run${runs === 1 ? '' : 's'}, ${rotations} key rotation${rotations === 1 ? '' : 's'}): hash chain, canonical form, signatures and key rotations verify.\n` +
    `${keys}\n  head ${v.head}\n  (publish the head; \`ledger verify --head <head>\` later fails if that entry is no longer in the ledger)`
  );
}
