/**
 * Canonical JSON: the one byte form of a value that the ledger signs and hashes. Object keys are
 * sorted by UTF-16 code unit order, there is no whitespace, strings and numbers are written as
 * `JSON.stringify` writes them (deterministic in ECMAScript), and properties whose value is
 * `undefined` are left out. Anything JSON cannot represent exactly (non-finite numbers, bigint,
 * functions, symbols, `undefined` in an array) is refused rather than silently changed.
 *
 * A ledger line is valid only if it IS the canonical form of what it parses to, so two different
 * byte strings never carry the same signed meaning.
 */
import { InternalError } from '../errors.ts';

/** A value with no canonical form: the ledger only ever builds entries from JSON data, so a bug. */
export class NotCanonicalError extends InternalError {}

export function canonicalJson(value: unknown): string {
  return write(value, '$');
}

function write(value: unknown, where: string): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new NotCanonicalError(`${where}: ${value} has no JSON form`);
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value))
        return `[${value
          .map((v, i) => {
            if (v === undefined) throw new NotCanonicalError(`${where}[${i}]: undefined has no JSON form`);
            return write(v, `${where}[${i}]`);
          })
          .join(',')}]`;
      const proto = Object.getPrototypeOf(value) as unknown;
      if (proto !== Object.prototype && proto !== null)
        throw new NotCanonicalError(`${where}: only plain objects have a canonical form`);
      const keys = Object.keys(value as Record<string, unknown>)
        .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
        .sort();
      return `{${keys.map((k) => `${JSON.stringify(k)}:${write((value as Record<string, unknown>)[k], `${where}.${k}`)}`).join(',')}}`;
    }
    default:
      throw new NotCanonicalError(`${where}: a ${typeof value} has no JSON form`);
  }
}
