/**
 * A finding's minimal repro as an inline SVG sequence diagram: a lifeline per tenant plus one for
 * the API, an arrow per step labelled with its number, method and path, and concurrent steps
 * grouped in a dashed box marked "concurrent". Attacker arrows are red, victim arrows blue, others
 * grey, and each arrow also carries the tenant label, so colour is never the only cue.
 */
import type { ReproStep } from '../evidence-schema.ts';
import { clip, esc } from './escape.ts';

export interface DiagramRoles {
  attacker: string;
  victim?: string;
  /** Makes the arrow-head marker ids unique when several diagrams share a page. */
  idPrefix?: string;
}

const W = 760;
const TOP = 52;
const ROW = 44;
const API_X = W - 70;

function stepLabel(s: ReproStep, i: number): string {
  const injected = s.headers ? Object.keys(s.headers).filter((h) => /tenant/i.test(h)) : [];
  return `${i + 1}. ${s.method} ${s.path}${injected.length > 0 ? `  [${injected.join(', ')}]` : ''}`;
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

export function renderSequenceDiagram(steps: readonly ReproStep[], roles: DiagramRoles): string {
  const tenants: string[] = [];
  for (const t of [roles.attacker, roles.victim, ...steps.map((s) => s.tenant)])
    if (t && !tenants.includes(t)) tenants.push(t);
  // Only tenants that act or are named get a lifeline; spread them over the left part.
  const left = 60;
  const span = API_X - 260 - left;
  const xOf = new Map(
    tenants.map((t, i) => [t, tenants.length === 1 ? left : left + (span * i) / (tenants.length - 1)]),
  );
  const height = TOP + 18 + Math.max(1, steps.length) * ROW + 20;
  const id = (k: string) => `${(roles.idPrefix ?? 'seq').replace(/[^A-Za-z0-9_-]/g, '_')}-ah-${k}`;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${height}" role="img" aria-label="sequence diagram of the minimal repro, ${steps.length} step(s)">`,
  );
  out.push(
    `<defs>${['att', 'vic', 'oth'].map((k) => `<marker id="${id(k)}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" class="ah-${k}"/></marker>`).join('')}</defs>`,
  );
  out.push(
    `<style>.ll{stroke:#8c959f;stroke-dasharray:4 3}.hd{fill:#f6f8fa;stroke:#57606a}.hn{font:600 13px system-ui,sans-serif;fill:#1b1f24}.lb{font:12px ui-monospace,'DejaVu Sans Mono',monospace;fill:#1b1f24;paint-order:stroke;stroke:#fff;stroke-width:4px;stroke-linejoin:round}.a-att{stroke:#b3261e;stroke-width:2}.a-vic{stroke:#0550ae;stroke-width:2}.a-oth{stroke:#57606a;stroke-width:1.5}.ah-att{fill:#b3261e}.ah-vic{fill:#0550ae}.ah-oth{fill:#57606a}.cc{fill:none;stroke:#9a6700;stroke-dasharray:6 3}.ct{font:600 11px system-ui,sans-serif;fill:#9a6700}.rl{font:italic 11px system-ui,sans-serif;fill:#57606a;paint-order:stroke;stroke:#fff;stroke-width:4px}</style>`,
  );
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
    const y0 = TOP + lo * ROW + 2;
    const y1 = TOP + (hi + 1) * ROW + 2;
    out.push(
      `<g class="concurrent"><rect class="cc" x="16" y="${y0}" width="${W - 32}" height="${y1 - y0}" rx="6"/><text class="ct" x="${W - 22}" y="${y0 + 13}" text-anchor="end">concurrent ∥ steps ${group.map((i) => i + 1).join(', ')}</text></g>`,
    );
  }
  steps.forEach((s, i) => {
    const x = xOf.get(s.tenant)!;
    const y = TOP + i * ROW + 34;
    const k = s.tenant === roles.attacker ? 'att' : s.tenant === roles.victim ? 'vic' : 'oth';
    const full = stepLabel(s, i);
    const maxChars = Math.floor((W - 40 - x) / 7.3);
    out.push(
      `<g class="step" data-step="${i + 1}"><title>${esc(`${s.tenant}: ${full}`)}</title>` +
        `<text class="lb" x="${x + 6}" y="${y - 7}">${esc(clip(full, maxChars))}</text>` +
        `<line class="a-${k}" x1="${x}" y1="${y}" x2="${API_X - 2}" y2="${y}" marker-end="url(#${id(k)})"/>` +
        (s.concurrentWith && s.concurrentWith.length > 0
          ? `<text class="ct" x="${x - 8}" y="${y + 4}" text-anchor="end">∥</text>`
          : '') +
        `</g>`,
    );
  });
  if (steps.length === 0)
    out.push(`<text class="lb" x="${W / 2}" y="${TOP + 30}" text-anchor="middle">(no repro steps recorded)</text>`);
  out.push('</svg>');
  return out.join('');
}
