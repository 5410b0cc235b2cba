/** The report's only stylesheet, inlined in a `<style>` element (the CSP allows inline styles only). */
export const REPORT_CSS = `
:root { --ink:#1b1f24; --muted:#57606a; --line:#d0d7de; --soft:#f6f8fa;
  --clean:#1a7f37; --clean-bg:#dafbe1; --leak:#b3261e; --leak-bg:#ffebe9; --inc:#9a6700; --inc-bg:#fff8c5; }
* { box-sizing: border-box; }
html { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", Arial, sans-serif; color: var(--ink); background: #fff; }
body { margin: 0 auto; max-width: 1100px; padding: 24px 28px 48px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 32px 0 10px; padding-bottom: 4px; border-bottom: 2px solid var(--line); }
h3 { font-size: 15px; margin: 18px 0 6px; }
code, pre, .mono { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 0.88em; }
.muted { color: var(--muted); }
.subtitle { color: var(--muted); margin: 0 0 16px; }
.freshness { margin: -8px 0 16px; }
.freshness .as-of { color: var(--muted); font-size: 12px; font-weight: 400; }
.freshness.expired { color: var(--leak); background: var(--leak-bg); border-left: 4px solid var(--leak); padding: 6px 10px; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 12px; }
th, td { border: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: var(--soft); font-weight: 600; }
dl.kv { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 6px 0 12px; }
dl.kv dt { color: var(--muted); }
dl.kv dd { margin: 0; overflow-wrap: anywhere; }

/* Verdict */
.verdict { display: flex; align-items: center; gap: 24px; border: 3px solid; border-radius: 10px; padding: 16px 22px; margin: 8px 0 18px; }
.verdict .word { font-size: 44px; font-weight: 800; letter-spacing: 2px; line-height: 1; }
.verdict .icon { font-size: 44px; font-weight: 800; line-height: 1; }
.verdict .meaning { font-size: 16px; font-weight: 600; }
.verdict-clean { color: var(--clean); background: var(--clean-bg); border-color: var(--clean); }
.verdict-leak { color: var(--leak); background: var(--leak-bg); border-color: var(--leak); }
.verdict-inconclusive { color: var(--inc); background: var(--inc-bg); border-color: var(--inc); }
.numbers { display: grid; grid-template-columns: repeat(auto-fit, minmax(118px, 1fr)); gap: 8px; margin: 0 0 8px; }
.numbers div { border: 1px solid var(--line); border-radius: 6px; padding: 6px 10px; min-width: 0; overflow-wrap: anywhere; }
.numbers b { display: block; font-size: 22px; }
.numbers span { color: var(--muted); font-size: 12px; }
.numbers .bad b { color: var(--leak); }
.warn { border-left: 4px solid var(--inc); background: var(--inc-bg); padding: 6px 10px; margin: 8px 0; }

/* Badges */
.badge { display: inline-block; border-radius: 10px; padding: 0 8px; font-size: 12px; font-weight: 600; border: 1px solid currentColor; white-space: nowrap; }
.sev-critical, .st-violated, .st-failed { color: var(--leak); }
.sev-high { color: #bc4c00; }
.sev-medium, .st-inconclusive, .st-skipped { color: var(--inc); }
.sev-low, .st-not-tested, .st-not-applicable { color: var(--muted); }
.st-supported, .st-tested-not-violated, .st-passed { color: var(--clean); }

/* Heat map */
.heat-wrap { overflow-x: auto; }
table.heat { width: auto; font-size: 11px; }
table.heat th, table.heat td { padding: 1px 2px; text-align: center; }
table.heat th.op, table.heat td.op { text-align: left; white-space: nowrap; padding: 1px 6px; }
table.heat th.rel { font-weight: 400; color: var(--muted); width: 28px; }
table.heat th.group { border-left: 2px solid #8c959f; }
table.heat td.g0 { border-left: 2px solid #8c959f; }
table.heat td.c { width: 28px; min-width: 28px; height: 18px; font-variant-numeric: tabular-nums; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
td.c.l0 { background: #fff; color: #afb8c1; }
td.c.l1 { background: #ddf4ff; }
td.c.l2 { background: #b6e3ff; }
td.c.l3 { background: #80ccff; }
td.c.l4 { background: #54aeff; }
td.c.l5 { background: #218bff; color: #fff; }
td.c.finding { outline: 3px solid var(--leak); outline-offset: -3px; font-weight: 800; color: var(--leak); background: var(--leak-bg); }
.legend { display: flex; flex-wrap: wrap; gap: 10px; align-items: center; font-size: 12px; color: var(--muted); margin: 4px 0 8px; }
.legend i { display: inline-block; width: 18px; height: 12px; border: 1px solid var(--line); vertical-align: middle; margin-right: 3px; -webkit-print-color-adjust: exact; print-color-adjust: exact; }

/* Findings */
.finding { border: 1px solid var(--line); border-left: 6px solid var(--leak); border-radius: 6px; padding: 10px 14px; margin: 14px 0; break-inside: avoid-page; }
.finding h3 { margin-top: 0; }
.finding .summary { font-size: 15px; margin: 4px 0 10px; overflow-wrap: anywhere; }
pre.excerpt { background: var(--soft); border: 1px solid var(--line); padding: 6px 8px; white-space: pre-wrap; overflow-wrap: anywhere; margin: 4px 0 10px; }
pre.excerpt mark { background: #ffd8d3; color: var(--leak); font-weight: 700; outline: 2px solid var(--leak); -webkit-print-color-adjust: exact; print-color-adjust: exact; }
pre.json { background: var(--soft); border: 1px solid var(--line); padding: 6px 8px; white-space: pre-wrap; overflow-wrap: anywhere; margin: 2px 0; max-height: 320px; overflow: auto; }
.seq { margin: 6px 0 10px; border: 1px solid var(--line); border-radius: 6px; background: #fff; overflow-x: auto; }
.seq svg { display: block; width: 100%; min-width: 620px; height: auto; }
.seq-note { font-size: 12px; margin: -4px 0 10px; }
.none { border: 1px dashed var(--line); padding: 10px 14px; color: var(--muted); }
.verify pre { background: var(--soft); border: 1px solid var(--line); padding: 8px; white-space: pre-wrap; overflow-wrap: anywhere; }
footer { margin-top: 36px; color: var(--muted); font-size: 12px; border-top: 1px solid var(--line); padding-top: 8px; }

/* Narrow screens: nothing wider than the viewport; only the heat map and the diagrams scroll, inside their boxes. */
h1, h2, h3, p, li, td code, td.mono { overflow-wrap: anywhere; }
.table-wrap { overflow-x: auto; max-width: 100%; }
@media screen and (max-width: 640px) {
  body { padding: 14px 12px 32px; }
  .verdict { gap: 12px; padding: 12px 14px; }
  .verdict > div { min-width: 0; overflow-wrap: anywhere; }
  .verdict .word, .verdict .icon { font-size: 32px; letter-spacing: 1px; }
  .verdict .meaning { font-size: 14px; }
  dl.kv { grid-template-columns: minmax(0, max-content) minmax(0, 1fr); gap: 2px 10px; }
  th, td { padding: 3px 5px; }
  .finding { padding: 8px 10px; }
}

@page { size: A4; margin: 14mm 12mm; }
@media print {
  html { font-size: 11px; }
  body { max-width: none; padding: 0; }
  h2 { break-after: avoid-page; }
  section.big { break-before: page; }
  .verdict { background: #fff !important; border-width: 4px; }
  .heat-wrap, .table-wrap, .seq { overflow: visible; }
  .seq svg { min-width: 0; }
  table.heat { font-size: 8px; }
  table.heat td.c { width: 22px; min-width: 22px; height: 14px; }
  table.heat th.rel { width: 22px; }
  pre.json { max-height: none; overflow: visible; }
  tr, .seq, pre.excerpt { break-inside: avoid; }
}
`;
