/**
 * Puts generated time ranges in order: in one object, `scheduledStart`/`scheduledEnd`,
 * `startDate`/`endDate`, `from`/`to`, `validFrom`/`validUntil`, `since`/`until`, `begin`/`end`.
 * Schemas cannot say "end after start", but servers check it (usually with a 422), and a campaign
 * that gets 422s exercises nothing.
 */
const PAIRS: [RegExp, string[]][] = [
  [/start/i, ['end', 'finish', 'stop']],
  [/from/i, ['to', 'until', 'till']],
  [/since/i, ['until', 'till']],
  [/begin/i, ['end']],
];

function matchCase(template: string, word: string): string {
  if (template === template.toUpperCase()) return word.toUpperCase();
  if (template[0] === template[0]!.toUpperCase()) return word[0]!.toUpperCase() + word.slice(1);
  return word;
}

function timeOf(value: unknown): number | undefined {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}/.test(value)) return undefined;
  const t = Date.parse(value);
  return Number.isNaN(t) ? undefined : t;
}

/** Swaps out-of-order pairs in place (and separates equal date-times by one hour). */
export function orderTimeRanges(obj: Record<string, unknown>): Record<string, unknown> {
  for (const key of Object.keys(obj)) {
    const start = timeOf(obj[key]);
    if (start === undefined) continue;
    for (const [pattern, ends] of PAIRS) {
      const m = pattern.exec(key);
      if (!m) continue;
      for (const end of ends) {
        const partner = key.slice(0, m.index) + matchCase(m[0], end) + key.slice(m.index + m[0].length);
        const stop = timeOf(obj[partner]);
        if (partner === key || stop === undefined) continue;
        if (stop < start) [obj[key], obj[partner]] = [obj[partner], obj[key]];
        else if (stop === start && /T/.test(String(obj[partner])))
          obj[partner] = new Date(stop + 3_600_000).toISOString().replace('.000Z', 'Z');
      }
    }
  }
  return obj;
}
