/**
 * Escaping for everything taken from evidence: response bodies, paths and summaries are
 * attacker-controlled text. Every interpolation into the report goes through `esc` (text and
 * double-quoted attribute values); nothing from evidence is ever placed in a tag name, an attribute
 * name, a URL, a style or a script.
 */
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML/SVG text content and quoted attribute values. */
export function esc(value: unknown): string {
  const s =
    typeof value === 'string'
      ? value
      : value === undefined
        ? ''
        : typeof value === 'object' && value !== null
          ? JSON.stringify(value)
          : String(value);
  // Control characters (other than tab/newline) become visible escapes rather than raw bytes.
  return s
    .replace(/[&<>"']/g, (c) => ENTITIES[c]!)
    .replace(
      /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    );
}

/** A class-name-safe token (for fixed vocabularies such as oracle names and verdicts). */
export function token(value: string): string {
  return value.replace(/[^a-z0-9-]/gi, '_');
}

/** Truncates for display; the full text stays available in a title attribute. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : text.slice(0, Math.max(1, max - 1)) + '…';
}
