/**
 * `ledger rotate --new-key FILE`: appends a rotation entry announcing the next key. It is signed by
 * the CURRENT key (so only the holder of the old key can hand over) and carries a proof signature by
 * the new key (so nobody can announce a key they do not hold). From the next entry on, the ledger
 * accepts only the new key; `ledger verify` rejects an entry signed by any key not announced so.
 */
import type { SigningKey } from '../evidence/attestation.ts';
import { appendEntries, nextEntry } from './chain.ts';
import type { RotateEntry } from './entry.ts';
import { LedgerRefusedError } from './errors.ts';
import { openLedger, withLedgerLock } from './ledger-state.ts';

export interface RotateOptions {
  ledgerFile: string;
  /** The current key, which signs the rotation. */
  key: SigningKey;
  /** The key to announce, which signs the proof. */
  newKey: SigningKey;
  reason?: string;
  now?: () => Date;
}

export async function rotateKey(options: RotateOptions): Promise<RotateEntry> {
  return withLedgerLock(options.ledgerFile, () => {
    const state = openLedger(options.ledgerFile, { mustExist: true });
    const current = state.currentKeyId!;
    const problems: string[] = [];
    if (options.key.fingerprint !== current)
      problems.push(
        `the rotation must be signed by the ledger's current key ${current}; the signing key given is ${options.key.fingerprint}`,
      );
    if (options.newKey.fingerprint === current) problems.push('the new key is the current key');
    else if (state.verification!.keys.some((k) => k.keyId === options.newKey.fingerprint))
      problems.push(
        `the new key ${options.newKey.fingerprint} was used by this ledger before; a retired key does not come back`,
      );
    if (problems.length > 0) throw new LedgerRefusedError(problems);
    const reason = options.reason?.trim();
    const entry = nextEntry(state.lines, {
      kind: 'rotate',
      body: {
        previousKeyId: current,
        newKeyId: options.newKey.fingerprint,
        publicKey: options.newKey.publicKeyPem,
        ...(reason ? { reason: reason.slice(0, 500) } : {}),
      },
      key: options.key,
      announced: options.newKey,
      at: (options.now ?? (() => new Date()))(),
    }) as RotateEntry;
    appendEntries(options.ledgerFile, [entry]);
    return entry;
  });
}
