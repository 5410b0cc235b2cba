/**
 * Arbitraries built once per schema, whose values carry a canary chosen per record.
 *
 * A record's arbitrary draws a fresh canary, then a value from the schema that carries it. Building
 * the schema's arbitraries anew for each canary (`canary.chain(c => schemaArbitrary(…, c))`) spent
 * most of generation's CPU in construction (regex parsing for patterns above all). Instead the
 * schema's arbitraries are built once, as a template whose canary-dependent leaves read the canary
 * of the record being generated from a scope that `CanaryScopeArbitrary` sets around the template's
 * generation:
 *
 * - `canaryMapped(arb, render)`: a leaf whose randomness does not depend on the canary (an email's
 *   number, free text's words): `arb` draws exactly what it drew before, `render` puts the canary in.
 * - `canaryBound(make)`: a leaf whose shape depends on the canary (a pattern the canary may or may
 *   not match): `make(canary)` builds the arbitrary to draw from.
 *
 * Each leaf keeps its canary in its value's context, so shrinking (which runs later, outside any
 * scope) renders with the canary the value was generated with. Generation is synchronous, so the
 * scope is a plain variable, saved and restored around each record (records may nest).
 */
import fc from 'fast-check';
import { InternalError } from '../errors.ts';

/** A canary-dependent leaf was generated outside the record that gives it its canary. */
export class CanaryScopeError extends InternalError {
  constructor() {
    super('a canary-dependent arbitrary was generated outside a canary scope (use recordArbitrary or schemaArbitrary)');
  }
}

let current: string | undefined;

function scopedCanary(): string {
  if (current === undefined) throw new CanaryScopeError();
  return current;
}

interface LeafContext {
  canary: string;
  inner: fc.Value<unknown>;
}

function isLeafContext(context: unknown): context is LeafContext {
  return typeof context === 'object' && context !== null && 'canary' in context && 'inner' in context;
}

class CanaryMappedArbitrary<T, U> extends fc.Arbitrary<U> {
  constructor(
    private readonly arb: fc.Arbitrary<T>,
    private readonly render: (value: T, canary: string) => U,
  ) {
    super();
  }

  generate(mrng: fc.Random, biasFactor: number | undefined): fc.Value<U> {
    const canary = scopedCanary();
    const inner = this.arb.generate(mrng, biasFactor);
    return new fc.Value(this.render(inner.value_, canary), { canary, inner });
  }

  canShrinkWithoutContext(_value: unknown): _value is U {
    return false;
  }

  shrink(_value: U, context: unknown): fc.Stream<fc.Value<U>> {
    if (!isLeafContext(context)) return fc.Stream.nil();
    const { canary, inner } = context as { canary: string; inner: fc.Value<T> };
    return this.arb
      .shrink(inner.value_, inner.context)
      .map((v) => new fc.Value(this.render(v.value_, canary), { canary, inner: v }));
  }
}

interface BoundContext<T> {
  arb: fc.Arbitrary<T>;
  inner: unknown;
}

class CanaryBoundArbitrary<T> extends fc.Arbitrary<T> {
  /** The arbitrary of the last canary seen: an array's items share their record's canary. */
  private last: { canary: string; arb: fc.Arbitrary<T> } | undefined;

  constructor(private readonly make: (canary: string) => fc.Arbitrary<T>) {
    super();
  }

  generate(mrng: fc.Random, biasFactor: number | undefined): fc.Value<T> {
    const canary = scopedCanary();
    if (this.last?.canary !== canary) this.last = { canary, arb: this.make(canary) };
    const arb = this.last.arb;
    const v = arb.generate(mrng, biasFactor);
    return new fc.Value(v.value_, { arb, inner: v.context } satisfies BoundContext<T>);
  }

  canShrinkWithoutContext(_value: unknown): _value is T {
    return false;
  }

  shrink(value: T, context: unknown): fc.Stream<fc.Value<T>> {
    if (typeof context !== 'object' || context === null || !('arb' in context)) return fc.Stream.nil();
    const { arb, inner } = context as BoundContext<T>;
    return arb.shrink(value, inner).map((v) => new fc.Value(v.value_, { arb, inner: v.context }));
  }
}

/** Draws a canary, then the template's value inside that canary's scope; `combine` makes the result. */
class CanaryScopeArbitrary<V, T> extends fc.Arbitrary<T> {
  constructor(
    private readonly canaries: fc.Arbitrary<string>,
    private readonly template: fc.Arbitrary<V>,
    private readonly combine: (canary: string, value: V) => T,
  ) {
    super();
  }

  generate(mrng: fc.Random, biasFactor: number | undefined): fc.Value<T> {
    const canary = this.canaries.generate(mrng, biasFactor).value_;
    const outer = current;
    current = canary;
    let inner: fc.Value<V>;
    try {
      inner = this.template.generate(mrng, biasFactor);
    } finally {
      current = outer;
    }
    return new fc.Value(this.combine(canary, inner.value_), { canary, inner });
  }

  canShrinkWithoutContext(_value: unknown): _value is T {
    return false;
  }

  /** The canary never shrinks (a shrunk canary would collide with another record's); the value does. */
  shrink(_value: T, context: unknown): fc.Stream<fc.Value<T>> {
    if (!isLeafContext(context)) return fc.Stream.nil();
    const { canary, inner } = context as { canary: string; inner: fc.Value<V> };
    return this.template
      .shrink(inner.value_, inner.context)
      .map((v) => new fc.Value(this.combine(canary, v.value_), { canary, inner: v }));
  }
}

/** A leaf that draws from `arb` and puts the record's canary in with `render`. */
export function canaryMapped<T, U>(arb: fc.Arbitrary<T>, render: (value: T, canary: string) => U): fc.Arbitrary<U> {
  return new CanaryMappedArbitrary(arb, render);
}

/** A leaf whose arbitrary depends on the record's canary. */
export function canaryBound<T>(make: (canary: string) => fc.Arbitrary<T>): fc.Arbitrary<T> {
  return new CanaryBoundArbitrary(make);
}

/**
 * Values of `template` generated in the scope of a canary drawn from `canaries` (a constant for a
 * fixed canary). The canary is drawn first, from the same random stream, as a `chain` would.
 */
export function withCanaryScope<V, T>(
  canaries: fc.Arbitrary<string>,
  template: fc.Arbitrary<V>,
  combine: (canary: string, value: V) => T,
): fc.Arbitrary<T> {
  return new CanaryScopeArbitrary(canaries, template, combine);
}
