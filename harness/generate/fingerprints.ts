/**
 * Fingerprints: values that belong to exactly one tenant. A server-issued id, a canary in free
 * text, a generated email: if any of them shows up in a response to another tenant, data leaked.
 */
import { InternalError } from '../errors.ts';
import type { TenantLabel } from '../model/exchange.ts';

export type FingerprintKind = 'id' | 'canary' | 'generated' | 'token';

export interface Fingerprint {
  value: string;
  owner: TenantLabel;
  kind: FingerprintKind;
  /** Where it came from, e.g. `createCustomer.response.id` or `createCustomer.body.email`. */
  source: string;
}

/** Values shorter than this are too likely to occur by chance to prove anything. */
export const MIN_FINGERPRINT_LENGTH = 8;

export class FingerprintConflictError extends InternalError {
  constructor(
    readonly value: string,
    readonly owners: [TenantLabel, TenantLabel],
  ) {
    super(`fingerprint ${JSON.stringify(value)} is claimed by both ${owners[0]} and ${owners[1]}`);
  }
}

/**
 * Fingerprints by value, and in registration order: an append-only list (nothing is ever removed),
 * so a scanner catches up on what was registered since it last looked by index (`at`), without
 * copying the registry.
 */
export class FingerprintRegistry {
  private readonly byValue = new Map<string, Fingerprint>();
  private readonly inOrder: Fingerprint[] = [];
  /** Bumped on every new registration, so scanners can rebuild lazily. */
  version = 0;

  /**
   * Registers a value as owned by `owner`. Short values and plain integers are ignored (returns false). Registering
   * the same value for the same owner twice is a no-op; for another owner it throws, since
   * ownership would be ambiguous.
   */
  register(value: string, owner: TenantLabel, kind: FingerprintKind, source: string): boolean {
    if (value.length < MIN_FINGERPRINT_LENGTH) return false;
    // A run of digits (an integer id, a timestamp) is low-entropy and repeats across tables and in
    // unrelated numbers: scanning bytes for it would accuse the innocent. Such ids are owned per
    // resource in the World model instead, and judged by the model and access oracles.
    if (/^\d+$/.test(value)) return false;
    const existing = this.byValue.get(value);
    if (existing) {
      if (existing.owner !== owner) throw new FingerprintConflictError(value, [existing.owner, owner]);
      return false;
    }
    const fingerprint = { value, owner, kind, source };
    this.byValue.set(value, fingerprint);
    this.inOrder.push(fingerprint);
    this.version++;
    return true;
  }

  ownerOf(value: string): TenantLabel | undefined {
    return this.byValue.get(value)?.owner;
  }

  get(value: string): Fingerprint | undefined {
    return this.byValue.get(value);
  }

  get size(): number {
    return this.inOrder.length;
  }

  /** The `index`-th fingerprint registered (0-based), or undefined past the last. */
  at(index: number): Fingerprint | undefined {
    return this.inOrder[index];
  }

  entries(): IterableIterator<Fingerprint> {
    return this.byValue.values();
  }

  ownedBy(owner: TenantLabel): Fingerprint[] {
    return [...this.byValue.values()].filter((f) => f.owner === owner);
  }
}
