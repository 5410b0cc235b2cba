/**
 * A finding's minimal repro as an inline SVG sequence diagram: a lifeline per tenant plus one for
 * the API; per step, a request arrow labelled with its number, method and path, and a dashed return
 * arrow labelled with the response status (or `no response: CODE`). The answer the finding fired on
 * says so in words and shows the other tenant's bytes it carried, the match bold and underlined.
 * Concurrent steps are grouped in a dashed box marked "concurrent". Attacker arrows are red, victim
 * arrows blue, others grey; every arrow also carries text, so colour is never the only cue.
 */
import type { ReproStep } from '../evidence-schema.ts';
import { clip, esc } from './escape.ts';
import { recordedReplies, type Excerpt, type StepReply } from './step-replies.ts';
import { showStepRefs } from './step-refs.ts';

export interface DiagramRoles {
  attacker: string;
  victim?: string;
  /** Makes the arrow-head marker ids unique when several diagrams share a page. */
  idPrefix?: string;
}

const W = 760;
const TOP = 52;
const API_X = W - 70;
/** Per step: request label and arrow, reply label and arrow; the leaking answer adds an excerpt line. */
const ROW = 56;
const EXCERPT_ROW = 18;
/** Average advance of the 12px monospace font, to clip labels to the room left of the viewBox edge. */
const CHAR_W = 7.3;

const STYLE =
  `.ll{stroke:#8c959f;stroke-dasharray:4 3}.hd{fill:#f6f8fa;stroke:#57606a}.hn{font:600 13px system-ui,sans-serif;fill:#1b1f24}` +
  `.lb,.st,.ex{font:12px ui-monospace,'DejaVu Sans Mono',monospace;fill:#1b1f24;paint-order:stroke;stroke:#fff;stroke-width:4px;stroke-linejoin:round}` +
  `.st{fill:#57606a}.st.leak{fill:#b3261e;font-weight:700}.ex .hit{fill:#b3261e;font-weight:700;text-decoration:underline}` +
  `.a-att{stroke:#b3261e;stroke-width:2}.a-vic{stroke:#0550ae;stroke-width:2}.a-oth{stroke:#57606a;stroke-width:1.5}` +
  `.reply line{stroke-dasharray:5 3}.ah-att{fill:#b3261e}.ah-vic{fill:#0550ae}.ah-oth{fill:#57606a}` +
  `.cc{fill:none;stroke:#9a6700;stroke-dasharray:6 3}.ct{font:600 11px system-ui,sans-serif;fill:#9a6700}` +
  `.rl{font:italic 11px system-ui,sans-serif;fill:#57606a;paint-order:stroke;stroke:#fff;stroke-width:4px}`;

function stepLabel(s: ReproStep, i: number, count: number): string {
  const injected = s.headers ? Object.keys(s.headers).filter((h) => /tenant/i.test(h)) : [];
  return `${i + 1}. ${s.method} ${showStepRefs(s.path, count)}${injected.length > 0 ? `  [${injected.join(', ')}]` : ''}`;
}

/** Groups of step indices that ran concurrently (connected through `concurrentWith`). */
export function concurrentGroups(steps: readonly ReproStep[]): number[][] {
  const parent = steps.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i]!)));
  steps.forEach((s, i) => {
    for (const j of s.concurrentWith ?? []) if (j >= 0 && j < steps.length) parent[find(i)] = find(j);
  });
  const groups = new Map<number, number[]>();
  steps.forEach((_, i) => {
    const r = find(i);
    groups.set(r, [...(groups.get(r) ?? []), i]);
  });
  return [...groups.values()].filter((g) => g.length > 1);
}

const oneLine = (s: string) => s.replace(/\s+/g, ' ');

/** The excerpt as SVG text: context clipped to fit `maxChars`, the match in a bold, underlined tspan. */
export function excerptText(e: Excerpt, x: number, y: number, maxChars: number): string {
  const match = clip(oneLine(e.match), Math.max(8, Math.min(48, maxChars - 10)));
  const room = Math.max(0, maxChars - match.length - 2);
  const before = oneLine(e.before).slice(-Math.floor(room / 2));
  const after = oneLine(e.after).slice(0, room - before.length);
  return `<text class="ex" x="${x}" y="${y}">…${esc(before)}<tspan class="hit">${esc(match)}</tspan>${esc(after)}…</text>`;
}

function replyText(r: StepReply, victim: string | undefined): string {
  if (!r.finding) return r.label;
  return `${r.label} · ${r.excerpt ? `carries ${victim ?? 'another tenant'}’s data` : 'the finding fired on this answer'}`;
}

export function renderSequenceDiagram(
  steps: readonly ReproStep[],
  roles: DiagramRoles,
  replies: readonly StepReply[] = recordedReplies(steps),
): string {
  const tenants: string[] = [];
  for (const t of [roles.attacker, roles.victim, ...steps.map((s) => s.tenant)])
    if (t && !tenants.includes(t)) tenants.push(t);
  // Only tenants that act or are named get a lifeline; spread them over the left part.
  const left = 60;
  const span = API_X - 260 - left;
  const xOf = new Map(
    tenants.map((t, i) => [t, tenants.length === 1 ? left : left + (span * i) / (tenants.length - 1)]),
  );
  const rowTop: number[] = [];
  let y = TOP + 4;
  steps.forEach((_, i) => {
    rowTop.push(y);
    y += ROW + (replies[i]?.excerpt ? EXCERPT_ROW : 0);
  });
  const height = (steps.length === 0 ? TOP + 44 : y) + 12;
  const id = (k: string) => `${(roles.idPrefix ?? 'seq').replace(/[^A-Za-z0-9_-]/g, '_')}-ah-${k}`;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${height}" role="img" aria-label="sequence diagram of the minimal repro, ${steps.length} step(s), each with its response">`,
  );
  out.push(
    `<defs>${['att', 'vic', 'oth'].map((k) => `<marker id="${id(k)}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" class="ah-${k}"/></marker>`).join('')}</defs>`,
  );
  out.push(`<style>${STYLE}</style>`);
  const bottom = height - 8;
  const head = (x: number, name: string, cls: string) =>
    `<g class="${cls}"><rect class="hd" x="${x - 42}" y="6" width="84" height="26" rx="4"/><text class="hn" x="${x}" y="24" text-anchor="middle">${esc(name)}</text><line class="ll" x1="${x}" y1="32" x2="${x}" y2="${bottom}"/></g>`;
  for (const t of tenants) {
    const role = t === roles.attacker ? 'attacker' : t === roles.victim ? 'victim' : '';
    const x = xOf.get(t)!;
    out.push(
      head(x, t, 'lifeline tenant').replace(
        '</g>',
        role ? `<text class="rl" x="${x}" y="44" text-anchor="middle">${role}</text></g>` : '</g>',
      ),
    );
  }
  out.push(head(API_X, 'API', 'lifeline api'));
  for (const group of concurrentGroups(steps)) {
    const lo = Math.min(...group);
    const hi = Math.max(...group);
    const y0 = rowTop[lo]! - 2;
    const y1 = rowTop[hi]! + ROW + (replies[hi]?.excerpt ? EXCERPT_ROW : 0) - 4;
    out.push(
      `<g class="concurrent"><rect class="cc" x="16" y="${y0}" width="${W - 32}" height="${y1 - y0}" rx="6"/><text class="ct" x="${W - 22}" y="${y0 + 13}" text-anchor="end">concurrent ∥ steps ${group.map((i) => i + 1).join(', ')}</text></g>`,
    );
  }
  steps.forEach((s, i) => {
    const x = xOf.get(s.tenant)!;
    const top = rowTop[i]!;
    const k = s.tenant === roles.attacker ? 'att' : s.tenant === roles.victim ? 'vic' : 'oth';
    const full = stepLabel(s, i, steps.length);
    const r = replies[i] ?? recordedReplies([s])[0]!;
    const said = replyText(r, roles.victim);
    const maxChars = Math.floor((W - 40 - x) / CHAR_W);
    const reqY = top + 20;
    const repY = top + 46;
    out.push(
      `<g class="step" data-step="${i + 1}"><title>${esc(`${s.tenant}: ${full}`)}</title>` +
        `<text class="lb" x="${x + 6}" y="${reqY - 7}">${esc(clip(full, maxChars))}</text>` +
        `<line class="a-${k}" x1="${x}" y1="${reqY}" x2="${API_X - 2}" y2="${reqY}" marker-end="url(#${id(k)})"/>` +
        (s.concurrentWith && s.concurrentWith.length > 0
          ? `<text class="ct" x="${x - 8}" y="${reqY + 4}" text-anchor="end">∥</text>`
          : '') +
        `<g class="reply" data-status="${esc(r.status)}"${r.finding ? ' data-finding="true"' : ''}>` +
        `<title>${esc(`response to step ${i + 1}: ${said} (${r.source})${r.excerpt ? `: …${r.excerpt.before}[${r.excerpt.match}]${r.excerpt.after}…` : ''}`)}</title>` +
        `<text class="st${r.finding ? ' leak' : ''}" x="${x + 6}" y="${repY - 7}">${esc(clip(said, maxChars))}</text>` +
        `<line class="a-${k}" x1="${API_X}" y1="${repY}" x2="${x + 2}" y2="${repY}" marker-end="url(#${id(k)})"/>` +
        (r.excerpt ? excerptText(r.excerpt, x + 6, repY + 16, maxChars) : '') +
        `</g></g>`,
    );
  });
  if (steps.length === 0)
    out.push(`<text class="lb" x="${W / 2}" y="${TOP + 30}" text-anchor="middle">(no repro steps recorded)</text>`);
  out.push('</svg>');
  return out.join('');
}
