/**
 * An id that no tenant owns, shaped like a real one (a UUID, a large integer, or random text of the
 * same length), for the twin request a cross-tenant probe is compared with. It comes from crypto
 * randomness, not from the campaign's seed: it must be unguessable and owned by nobody, and a replay
 * needs only its shape.
 */
import { randomInt, randomUUID } from 'node:crypto';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

export function missingIdLike(example: string): string {
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(example)) return randomUUID();
  if (/^\d+$/.test(example)) return String(Number(example) + 9_000_000 + randomInt(1_000_000));
  let out = '';
  for (let i = 0; i < Math.max(example.length, 12); i++) out += ALPHABET[randomInt(ALPHABET.length)];
  return out;
}

/**
 * A fresh value shaped exactly like `example` (for a unique-value twin), so that it passes the same
 * validation: each letter becomes a random letter of the same case, each digit a random digit, and
 * everything else (punctuation, an email's domain) stays. A value of 8 or more characters then
 * collides with nothing.
 */
export function freshLike(example: string): string {
  const at = example.lastIndexOf('@');
  const [local, rest] = at > 0 ? [example.slice(0, at), example.slice(at)] : [example, ''];
  const pick = (chars: string): string => chars[randomInt(chars.length)]!;
  const redraw = (): string =>
    [...local]
      .map((c) =>
        /[a-z]/.test(c)
          ? pick('abcdefghijklmnopqrstuvwxyz')
          : /[A-Z]/.test(c)
            ? pick('ABCDEFGHIJKLMNOPQRSTUVWXYZ')
            : /[0-9]/.test(c)
              ? pick('0123456789')
              : c,
      )
      .join('');
  // With one letter or digit, a redraw gives the same value 1 time in 10 or 26: draw again.
  if (/[A-Za-z0-9]/.test(local))
    for (;;) {
      const fresh = redraw();
      if (fresh !== local) return fresh + rest;
    }
  // Nothing to redraw (all punctuation): one letter more is the smallest change of shape.
  return `${local}x${rest}`;
}
