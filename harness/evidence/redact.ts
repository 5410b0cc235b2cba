/**
 * Secret redaction for everything written to disk: header values (Authorization, cookies, admin
 * tokens, API keys) and any configured secret string, wherever it appears (URL, bodies, errors), are
 * replaced by a keyed hash `hmac-sha256:<first 16 hex>`. The key is per run and never written, so
 * equal secrets hash equally within a run (a reviewer can see that the same key was used twice) and
 * nothing can be guessed back from the transcript.
 *
 * A secret is also found in its encoded forms (`secret-encodings.ts`: base64 of either alphabet, at
 * any alignment inside a longer blob such as a JWT segment; percent-encoded; hex; JSON-escaped),
 * each replaced by the tag of the secret. Generated data that happens to equal a form of a secret
 * is redacted too: losing a coincidental value is the price of never writing a credential.
 *
 * Cost: every string written is searched once for all needles at a time (string-needles.ts: an index
 * of the needles by their first characters, to which a learned secret's forms are added without
 * rebuilding anything), so a string without secrets (nearly all of them) costs one pass whatever
 * the number of tenants; each secret's tag is computed once.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { StringNeedles } from '../oracles/scan/string-needles.ts';
import { encodedForms } from './secret-encodings.ts';

export const SECRET_HEADERS: readonly string[] = [
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-admin-token',
  'x-api-key',
];

/** JSON keys whose string values are secrets (e.g. a provisioning response's `apiKey`). */
export const SECRET_KEY_RE =
  /^(api[-_]?key|apikey|token|access[-_]?token|refresh[-_]?token|id[-_]?token|secret|client[-_]?secret|password|admin[-_]?token|private[-_]?key)$/i;

/**
 * Every key SECRET_KEY_RE accepts ends in one of these words: JSON text in which none of them ends a
 * quoted string (and that has no `\u` escape, which could spell one) has no secret-looking key.
 */
const SECRET_KEY_HINT = /(?:key|token|secret|password)"|\\u/i;

/**
 * The same for a query string: a parameter name that decodes to a secret-looking key ends in one of
 * those words in the raw text too, unless it is percent-encoded.
 */
const SECRET_PARAM_HINT = /(?:key|token|secret|password)(?:[=&#]|$)|%/i;

/** Shortest string registered as a secret: shorter ones would mangle ordinary text. */
export const MIN_SECRET_LENGTH = 6;

export class Redactor {
  private readonly key: Buffer;
  /** Each secret with its tag. */
  private readonly secrets = new Map<string, string>();
  /** Every needle (a secret or one of its encoded forms) with the tag it becomes and the order it was learnt in. */
  private readonly tags = new Map<string, { tag: string; rank: number }>();
  /** The same needles, indexed for one pass per string. */
  private readonly matcher = new StringNeedles();

  constructor(options: { key?: Buffer; secrets?: Iterable<string> } = {}) {
    this.key = options.key ?? randomBytes(32);
    for (const s of options.secrets ?? []) this.addSecret(s);
  }

  /** `hmac-sha256:<first 16 hex>` of a value under the run key. */
  tag(value: string): string {
    return this.secrets.get(value) ?? this.hmac(value);
  }

  private hmac(value: string): string {
    return `hmac-sha256:${createHmac('sha256', this.key).update(value).digest('hex').slice(0, 16)}`;
  }

  addSecret(value: string): void {
    if (value.length < MIN_SECRET_LENGTH || this.secrets.has(value)) return;
    const tag = this.hmac(value);
    this.secrets.set(value, tag);
    for (const n of [value, ...encodedForms(value)]) {
      // A form another secret already claimed keeps that secret's tag.
      if (this.matcher.has(n)) continue;
      this.tags.set(n, { tag, rank: this.tags.size });
      this.matcher.add(n);
    }
  }

  get secretCount(): number {
    return this.secrets.size;
  }

  /**
   * Replaces every known secret inside a string: needle by needle, longest first, each replaced
   * wherever it occurs in the text as the previous replacements left it. The index says which
   * needles occur; it is asked again after each replacement (the text changed), so the cost
   * follows the needles present, not the number of secrets known.
   */
  redactString(s: string): string {
    let present = this.matcher.presentIn(s);
    if (!present) return s;
    let out = s;
    // Each needle once (a tag that happened to contain one must not be replaced again).
    const done = new Set<string>();
    while (present) {
      // The longest needle present goes first (a shorter one may be a part of it); of equal
      // lengths, the one learnt first.
      let needle = '';
      let rank = Infinity;
      for (const n of present) {
        if (done.has(n) || n.length < needle.length) continue;
        const r = this.tags.get(n)!.rank;
        if (n.length > needle.length || r < rank) [needle, rank] = [n, r];
      }
      if (!needle) break;
      done.add(needle);
      out = out.split(needle).join(this.tags.get(needle)!.tag);
      present = this.matcher.presentIn(out);
    }
    return out;
  }

  /**
   * A header value: the credential part is hashed, an auth scheme (`Bearer`, `Basic`) is kept so a
   * reader can tell what kind of credential it was. Cookies hash each value, keeping names.
   */
  redactHeader(name: string, value: string): string {
    const n = name.toLowerCase();
    if (!SECRET_HEADERS.includes(n)) return this.redactString(value);
    if (n === 'authorization' || n === 'proxy-authorization') {
      const m = /^(\w+)\s+(.+)$/.exec(value);
      if (m) {
        this.addSecret(m[2]!);
        return `${m[1]} ${this.tag(m[2]!)}`;
      }
    }
    if (n === 'cookie' || n === 'set-cookie') {
      return value.replace(/(^|;\s*)([^=;\s]+)=([^;]*)/g, (all, sep: string, k: string, v: string) => {
        if (n === 'set-cookie' && sep !== '') return all; // attributes (Path, Expires, …) after the first pair
        this.addSecret(v);
        return `${sep}${k}=${this.tag(v)}`;
      });
    }
    this.addSecret(value);
    return this.tag(value);
  }

  /** Learns secrets from JSON: string values under secret-looking keys. */
  learnFromJson(value: unknown): void {
    if (Array.isArray(value)) for (const v of value) this.learnFromJson(v);
    else if (value && typeof value === 'object') {
      const record = value as Record<string, unknown>;
      for (const k in record) {
        const v = record[k];
        if (typeof v === 'string') {
          if (this.isSecretKey(k)) this.addSecret(v);
        } else if (v !== null && typeof v === 'object') this.learnFromJson(v);
      }
    }
  }

  /** SECRET_KEY_RE, remembered per key (a transcript repeats the same few keys endlessly). */
  private readonly secretKeys = new Map<string, boolean>();

  private isSecretKey(key: string): boolean {
    let secret = this.secretKeys.get(key);
    if (secret === undefined) {
      secret = SECRET_KEY_RE.test(key);
      if (this.secretKeys.size < 4096) this.secretKeys.set(key, secret);
    }
    return secret;
  }

  /** Learns from a body that may be JSON text. */
  learnFromText(text: string | undefined): void {
    if (!text) return;
    const t = text.trimStart();
    if (t[0] !== '{' && t[0] !== '[') return;
    if (!SECRET_KEY_HINT.test(text)) return;
    try {
      this.learnFromJson(JSON.parse(text));
    } catch {
      // Not JSON: nothing to learn; configured secrets still apply.
    }
  }

  /** Learns query parameters with secret-looking names (`?api_key=…`) from a URL or path. */
  learnFromUrl(url: string): void {
    const q = url.indexOf('?');
    if (q < 0) return;
    const query = url.slice(q + 1);
    if (!SECRET_PARAM_HINT.test(query)) return;
    for (const [k, v] of new URLSearchParams(query)) if (SECRET_KEY_RE.test(k)) this.addSecret(v);
  }

  /** Deep copy with every string redacted. */
  redactValue(value: unknown): unknown {
    if (typeof value === 'string') return this.redactString(value);
    if (Array.isArray(value)) return value.map((v) => this.redactValue(v));
    if (value && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = this.redactValue(v);
      return out;
    }
    return value;
  }

  redactHeaders(headers: Record<string, string>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(headers)) out[k] = this.redactHeader(k, v);
    return out;
  }
}
