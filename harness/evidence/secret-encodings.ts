/**
 * The forms a secret takes when a server (or a client) re-encodes it before it lands in a response:
 * base64 (standard and URL-safe, padded or not, and at any byte alignment inside a longer encoded
 * blob, such as a JWT segment or a Basic credential), percent-encoding, hex, and JSON escaping.
 * The redactor replaces every form, so no encoding of a credential reaches the disk.
 *
 * Inside a longer base64 blob a secret's first and last characters share bits with its neighbours,
 * so only the characters the secret alone determines are matched (for each of the three byte
 * alignments); the one or two characters at each edge stay, and carry at most a few bits.
 */

const toUrlSafe = (b64: string): string => b64.replace(/\+/g, '-').replace(/\//g, '_');

/** Base64 characters that depend only on `bytes`, when they start `align` bytes into a 3-byte group. */
function alignedBase64(bytes: Buffer, align: 0 | 1 | 2): string {
  const encoded = Buffer.concat([Buffer.alloc(align), bytes])
    .toString('base64')
    .replace(/=+$/, '');
  const firstBit = 8 * align;
  const endBit = 8 * (align + bytes.length);
  const first = Math.ceil(firstBit / 6);
  const end = Math.floor(endBit / 6);
  return encoded.slice(first, end);
}

/** Every percent-encoding of `text`: as encodeURIComponent writes it (either hex case) and byte by byte. */
function percentForms(text: string): string[] {
  const component = encodeURIComponent(text);
  const lower = component.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase());
  const everyByte = [...Buffer.from(text, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
  return [component, lower, component.replace(/%20/g, '+'), everyByte, everyByte.toUpperCase()];
}

/** The encoded forms of `secret` to redact besides the secret itself (deduplicated, never the secret). */
export function encodedForms(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  const forms = new Set<string>();
  const whole = bytes.toString('base64');
  for (const b64 of [whole, whole.replace(/=+$/, '')]) {
    forms.add(b64);
    forms.add(toUrlSafe(b64));
  }
  for (const align of [0, 1, 2] as const) {
    const part = alignedBase64(bytes, align);
    // Too short a fragment would match ordinary text; a secret of the minimum length gives 6+.
    if (part.length >= 6) {
      forms.add(part);
      forms.add(toUrlSafe(part));
    }
  }
  for (const p of percentForms(secret)) forms.add(p);
  forms.add(bytes.toString('hex'));
  forms.add(bytes.toString('hex').toUpperCase());
  const escaped = JSON.stringify(secret).slice(1, -1);
  forms.add(escaped);
  forms.add(JSON.stringify(escaped).slice(1, -1));
  forms.add([...secret].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join(''));
  forms.delete(secret);
  forms.delete('');
  return [...forms];
}
