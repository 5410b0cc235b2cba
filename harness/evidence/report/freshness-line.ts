/**
 * The header's line on the evidence's age: when the target was assessed, how long ago that was as of
 * rendering, and until when the evidence is valid, in a warning style once it has expired. The age
 * is relative to the time the report is rendered (at the end of the run, or by `tenantproof report`
 * later), and the line says so.
 */
import type { Evidence } from '../evidence-schema.ts';
import { ageText, freshnessOf } from '../freshness.ts';
import { esc } from './escape.ts';

const day = (iso: string): string => iso.slice(0, 10);
const minute = (d: Date): string => `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;

export function renderFreshness(e: Evidence, now?: Date): string {
  const assessed = e.assessedAt ?? e.method.endedAt;
  const when = e.assessedAt ? '' : ' (when the run ended)';
  const validity = e.validUntil
    ? `valid until ${esc(day(e.validUntil))}`
    : `validity not recorded (evidence schema ${esc(e.schemaVersion)})`;
  const attrs =
    `id="freshness" data-assessed-at="${esc(assessed)}"` +
    (e.validUntil ? ` data-valid-until="${esc(e.validUntil)}"` : '');
  if (!now) return `<p class="freshness" ${attrs}>Assessed ${esc(day(assessed))}${when}; ${validity}.</p>`;
  const f = freshnessOf(e, now);
  const asOf = `<span class="as-of">The age is as of when this report was rendered, ${esc(minute(now))}; <code>tenantproof report</code> renders it again.</span>`;
  if (f.expired)
    return (
      `<p class="freshness expired" ${attrs} data-expired="true" role="alert"><b>Expired:</b> assessed ${esc(day(assessed))}${when}, ${esc(ageText(f))}; ` +
      `${validity}, ${esc(ageText({ ageDays: f.expiredDays ?? 0, ageMonths: 0 }))}. Ask for a fresh run. ${asOf}</p>`
    );
  return `<p class="freshness" ${attrs} data-expired="false">Assessed ${esc(day(assessed))}${when}, ${esc(ageText(f))}; ${validity}. ${asOf}</p>`;
}
