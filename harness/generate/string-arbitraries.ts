/**
 * Strings for JSON Schema `type: string`: formats, patterns, and free text that carries the
 * record's canary. Every value respects minLength/maxLength, and formats use conservative shapes
 * that common validators (ajv-formats, zod) accept: `fc.emailAddress()` does not, so emails here
 * look like `tpt1x7f3k9q2ab.3@t1.example`.
 *
 * These arbitraries are built once per schema (see canary-scope.ts): the record's canary is not
 * known when they are built, only its length; leaves that carry it read it when a value is drawn.
 */
import fc from 'fast-check';
import { uuidFromCanary } from './canary.ts';
import { canaryBound, canaryMapped } from './canary-scope.ts';

export interface StringContext {
  /**
   * Length of the record's canary, when values carry one (read from the canary scope at generation,
   * see canary-scope.ts); undefined for none.
   */
  canaryLength?: number;
  /** Lower-case tenant tag for hosts and emails (`t1`). */
  tag: string;
  /** Dotted path of the field, to derive distinct values per field. */
  field: string;
  /** Name of the property holding the string, for hints such as `email`. */
  propertyName?: string;
  /** `false` when `x-tenantproof-canary: false` is set on the schema. */
  allowCanary: boolean;
  /** Dates and date-times fall in `[min, max]` (epoch ms). Default 2000-01-01 .. 2099-12-31. */
  timeRange?: TimeRange;
}

export interface TimeRange {
  min: number;
  max: number;
}

export interface StringBounds {
  minLength: number;
  maxLength: number;
}

const WORDS = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliet'];

/** Low-entropy filler made of words, exactly within bounds. */
function fillerArbitrary(bounds: StringBounds): fc.Arbitrary<string> {
  return fc
    .array(fc.constantFrom(...WORDS), { minLength: 1, maxLength: 4 })
    .map((words) => fitLength(words.join(' '), bounds));
}

/** Whether values carry the canary here: one is given, allowed, and fits. */
function carriesCanary(ctx: StringContext, bounds?: StringBounds): boolean {
  return ctx.canaryLength !== undefined && ctx.allowCanary && (!bounds || ctx.canaryLength <= bounds.maxLength);
}

/** Pads with filler or cuts to fit `[minLength, maxLength]`, never ending in a space. */
export function fitLength(text: string, { minLength, maxLength }: StringBounds): string {
  let out = text;
  let i = 0;
  while (out.length < minLength) out += (out.length ? ' ' : '') + WORDS[i++ % WORDS.length];
  if (out.length > maxLength) out = out.slice(0, maxLength);
  if (out.length > minLength) out = out.replace(/\s+$/, '');
  while (out.length < minLength) out += 'x';
  return out;
}

/** Free text: the canary, optionally followed by words, or plain words when it cannot fit. */
export function freeTextArbitrary(ctx: StringContext, bounds: StringBounds): fc.Arbitrary<string> {
  if (!carriesCanary(ctx, bounds)) return fillerArbitrary(bounds);
  // The canary alone, or followed by a few words (`null`: the canary alone).
  const words = fc.oneof(fc.constant(null), fc.array(fc.constantFrom(...WORDS), { minLength: 1, maxLength: 3 }));
  return canaryMapped(words, (w, canary) =>
    w === null ? fitLength(canary, bounds) : fitLength(`${canary} ${w.join(' ')}`, bounds),
  );
}

export function emailArbitrary(ctx: StringContext, bounds: StringBounds): fc.Arbitrary<string> {
  const host = `${ctx.tag || 'tenant'}.example`;
  const email = (local: string, n: number): string => {
    let out = `${local}@${host}`;
    if (out.length > bounds.maxLength) out = `u${n}@x.example`.slice(0, Math.max(bounds.maxLength, 0));
    while (out.length < bounds.minLength) out = 'a' + out;
    return out;
  };
  const n = fc.integer({ min: 0, max: 99 });
  if (!carriesCanary(ctx)) return n.map((k) => email(`user${k}`, k));
  return canaryMapped(n, (k, canary) => email(`${canary.toLowerCase()}.${k}`, k));
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

const DATE_MIN = Date.UTC(2000, 0, 1);
const DATE_MAX = Date.UTC(2099, 11, 31);

export function dateTimeArbitrary(range: TimeRange = { min: DATE_MIN, max: DATE_MAX }): fc.Arbitrary<string> {
  const lo = Math.ceil(range.min / 1000);
  return fc
    .integer({ min: lo, max: Math.max(lo, Math.floor(range.max / 1000)) })
    .map((s) => new Date(s * 1000).toISOString().replace('.000Z', 'Z'));
}

export function dateArbitrary(range: TimeRange = { min: DATE_MIN, max: DATE_MAX }): fc.Arbitrary<string> {
  const lo = Math.ceil(range.min / 86_400_000);
  return fc
    .integer({ min: lo, max: Math.max(lo, Math.floor(range.max / 86_400_000)) })
    .map((d) => new Date(d * 86_400_000).toISOString().slice(0, 10));
}

export function timeArbitrary(): fc.Arbitrary<string> {
  return fc
    .tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }), fc.integer({ min: 0, max: 59 }))
    .map(([h, m, s]) => `${pad2(h)}:${pad2(m)}:${pad2(s)}Z`);
}

export function uuidArbitrary(ctx: StringContext): fc.Arbitrary<string> {
  if (ctx.canaryLength !== undefined) {
    const field = ctx.field;
    return canaryMapped(fc.constant(null), (_, canary) => uuidFromCanary(canary, field));
  }
  return fc.noShrink(fc.noBias(fc.uuid({ version: 4 })));
}

export function uriArbitrary(ctx: StringContext, bounds: StringBounds): fc.Arbitrary<string> {
  const host = `${ctx.tag || 'tenant'}.example`;
  const uri = (tail: string, n: number): string => {
    const out = `https://${host}/${tail}/${n}`;
    return out.length <= bounds.maxLength ? out : `https://x.example`.slice(0, bounds.maxLength);
  };
  const n = fc.integer({ min: 0, max: 99 });
  if (!carriesCanary(ctx)) return n.map((k) => uri('page', k));
  return canaryMapped(n, (k, canary) => uri(canary, k));
}

/** Formats we know how to produce; others fall back to free text (and are reported by `unsupportedFormats`). */
export function formatArbitrary(
  format: string,
  ctx: StringContext,
  bounds: StringBounds,
): fc.Arbitrary<string> | undefined {
  switch (format) {
    case 'email':
    case 'idn-email':
      return emailArbitrary(ctx, bounds);
    case 'uuid':
      return uuidArbitrary(ctx);
    case 'date':
      return dateArbitrary(ctx.timeRange);
    case 'date-time':
      return dateTimeArbitrary(ctx.timeRange);
    case 'time':
      return timeArbitrary();
    case 'uri':
    case 'url':
    case 'iri':
    case 'uri-reference':
    case 'iri-reference':
      return uriArbitrary(ctx, bounds);
    case 'hostname':
    case 'idn-hostname':
      return fc.constant(`${ctx.tag || 'tenant'}.example`);
    case 'ipv4':
      return fc.integer({ min: 1, max: 254 }).map((n) => `192.0.2.${n}`);
    case 'ipv6':
      return fc.integer({ min: 1, max: 0xfffe }).map((n) => `2001:db8::${n.toString(16)}`);
    case 'byte':
      return fc.constantFrom('dHA=', 'dGVuYW50cHJvb2Y=');
    case 'password':
      return ctx.canaryLength !== undefined
        ? canaryMapped(fc.constant(null), (_, canary) => fitLength(`${canary}Aa1!`, bounds))
        : fillerArbitrary(bounds);
    case 'duration':
      return fc.integer({ min: 1, max: 59 }).map((n) => `PT${n}M`);
    default:
      return undefined;
  }
}

/**
 * Strings matching a pattern (via fast-check's regex support), within length bounds; the record's
 * canary itself where it matches. The regex generator is built once (it is the costly part).
 */
export function patternArbitrary(
  pattern: RegExp,
  ctx: StringContext,
  bounds: StringBounds,
  /** What to draw instead when the pattern is beyond the regex generator; without it, that throws. */
  otherwise?: (error: Error) => fc.Arbitrary<string>,
): fc.Arbitrary<string> {
  let matching: fc.Arbitrary<string>;
  try {
    matching = fc
      .stringMatching(pattern, { maxLength: bounds.maxLength })
      .filter((s) => s.length >= bounds.minLength && s.length <= bounds.maxLength);
  } catch (err) {
    if (!otherwise) throw err;
    matching = otherwise(err as Error);
  }
  if (!carriesCanary(ctx, bounds) || ctx.canaryLength! < bounds.minLength) return matching;
  return canaryBound((canary) => (pattern.test(canary) ? fc.constant(canary) : matching));
}
