/**
 * Fresh values for a run that repeats earlier steps (shrinking, replay): the same steps, with every
 * unique-looking value (canaries, the emails and names they are part of, idempotency keys, values of
 * fields the spec marks unique) replaced by a new one. The replacement is consistent within the run,
 * so references stay intact: a victim's email that an attacker reuses is the same new email in
 * both steps. Without it, an API with a unique index refuses the repeated values, and a deterministic
 * bug reproduces 0 times out of 5.
 */
import { randomInt } from 'node:crypto';
import { freshLike } from './missing-id.ts';
import type { CampaignPlan } from './plan.ts';
import type { Step, StepValue } from './step.ts';

const NONCE_FIRST = 'abcdefghijklmnopqrstuvwxyz';
const NONCE_REST = 'abcdefghijklmnopqrstuvwxyz0123456789';
/** A canary `tp<T1><nonce>` in either case (emails are lower-cased), or an idempotency key `tpidem<T1><nonce>`. */
const TOKEN = /tp(?:(idem)(T[0-9]+)([a-z0-9]{12})|([Tt][0-9]+)([a-z][a-z0-9]{9}))/g;

export class ValueFreshener {
  private readonly nonces = new Map<string, string>();
  private readonly values = new Map<string, string>();

  constructor(private readonly plan: CampaignPlan) {}

  /** A copy of `step` with fresh values (references and tenant ids untouched). */
  step(step: Step): Step {
    const copy = structuredClone(step);
    copy.query = this.value(copy.query) as Step['query'];
    copy.headers = this.value(copy.headers) as Step['headers'];
    if (copy.body !== undefined) {
      const unique = new Set(this.plan.byId.get(step.operationId)?.op.uniqueFields ?? []);
      if (copy.body && typeof copy.body === 'object' && !Array.isArray(copy.body) && !isRef(copy.body)) {
        const body = copy.body as Record<string, StepValue>;
        for (const field of unique) {
          const v = body[field];
          if (typeof v === 'string' && v.length >= 8 && !this.hasToken(v))
            body[field] = this.mapped(v, () => freshLike(v));
        }
      }
      copy.body = this.value(copy.body);
    }
    return copy;
  }

  private hasToken(text: string): boolean {
    TOKEN.lastIndex = 0;
    return TOKEN.test(text);
  }

  private value(v: StepValue): StepValue {
    if (typeof v === 'string') return this.text(v);
    if (Array.isArray(v)) return v.map((x) => this.value(x));
    if (v !== null && typeof v === 'object' && !isRef(v))
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, this.value(x)]));
    return v;
  }

  /** Replaces each token's nonce, the same way wherever it appears (case kept). */
  private text(s: string): string {
    const known = this.values.get(s);
    if (known !== undefined) return known;
    return s.replace(
      TOKEN,
      (_m, idem?: string, idemLabel?: string, idemNonce?: string, label?: string, nonce?: string) => {
        const n = (idem ? idemNonce : nonce)!;
        const key = `${idem ?? ''}${n.toLowerCase()}`;
        let fresh = this.nonces.get(key);
        if (!fresh) {
          fresh = NONCE_FIRST[randomInt(NONCE_FIRST.length)]!;
          for (let i = 1; i < n.length; i++) fresh += NONCE_REST[randomInt(NONCE_REST.length)]!;
          this.nonces.set(key, fresh);
        }
        return idem ? `tpidem${idemLabel}${fresh}` : `tp${label}${fresh}`;
      },
    );
  }

  private mapped(v: string, make: () => string): string {
    let out = this.values.get(v);
    if (out === undefined) this.values.set(v, (out = make()));
    return out;
  }
}

function isRef(v: object): boolean {
  return '$from' in v || '$tenantId' in v;
}
