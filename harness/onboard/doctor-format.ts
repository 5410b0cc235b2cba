/**
 * The text `tenantproof doctor` prints: one table (each tenant-owned operation: create, read,
 * probe, inject), then each "no" with its fix, the notes, the hints an overlay can apply, the
 * provisioning check, and the one-line verdict.
 */
import { COLUMNS, type Cell, type DoctorReport } from './doctor-report.ts';

const SHOWN: Record<Cell['value'], string> = { yes: 'yes', no: 'NO', 'n/a': '-', unknown: '?' };

function shown(cell: Cell): string {
  return SHOWN[cell.value] + (cell.value === 'yes' && cell.note ? '*' : '');
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd(),
  );
}

export function formatDoctorReport(report: DoctorReport): string {
  const out: string[] = [];
  const spec = report.spec;
  out.push(
    `tenantproof doctor: ${spec.title || '(untitled)'} ${spec.version} (${spec.file}${spec.overlay ? ` + overlay ${spec.overlay}` : ''})`,
    '',
  );
  if (report.operations.length > 0) {
    const rows = [
      ['METHOD', 'PATH', 'OPERATION', 'CREATE', 'READ', 'PROBE', 'INJECT'],
      ...report.operations.map((o) => [
        o.method,
        o.path,
        o.hasOperationId ? o.operationId : '(no operationId)',
        ...COLUMNS.map((c) => shown(o[c])),
      ]),
    ];
    out.push(...table(rows).map((l) => `  ${l}`));
    out.push('', '  yes* = yes, see the note; - = does not apply; ? = known after the live provisioning check', '');
  }

  // Each distinct (reason, fix) once, with the operations and columns it concerns.
  const fixes = new Map<string, { reason: string; fix: string; columns: string; ops: string[] }>();
  for (const o of report.operations) {
    const byCause = new Map<string, { reason: string; fix: string; columns: string[] }>();
    for (const c of COLUMNS) {
      const cell = o[c];
      if (cell.value !== 'no') continue;
      const reason = cell.reason ?? 'no';
      const fix = cell.fix ?? 'no fix tenantproof can name; see `tenantproof inspect`';
      const key = `${reason}\0${fix}`;
      const entry = byCause.get(key) ?? { reason, fix, columns: [] };
      entry.columns.push(c);
      byCause.set(key, entry);
    }
    for (const { reason, fix, columns } of byCause.values()) {
      const key = `${columns.join(',')}\0${reason}\0${fix}`;
      const entry = fixes.get(key) ?? { reason, fix, columns: columns.join(', '), ops: [] };
      entry.ops.push(o.operationId);
      fixes.set(key, entry);
    }
  }
  if (fixes.size > 0) {
    out.push('Fixes:');
    for (const f of fixes.values()) {
      out.push(`  ${f.ops.join(', ')} · ${f.columns}: ${f.reason}`);
      out.push(`      fix: ${f.fix}`);
    }
    out.push('');
  }
  // One line per note, with the operations it concerns (a learned id concerns every user of it).
  const notes = new Map<string, string[]>();
  for (const o of report.operations)
    for (const c of COLUMNS) {
      const note = o[c].note;
      if (note) notes.set(note, [...(notes.get(note) ?? []), o.operationId]);
    }
  if (notes.size > 0) {
    out.push('Notes (yes*):');
    for (const [note, ops] of notes) out.push(`  ${note}`, `      for: ${ops.join(', ')}`);
    out.push('');
  }

  if (report.hints.length > 0) {
    out.push(
      `Hints an overlay can apply (${report.overlayWritten ? 'written, see below' : 'tenantproof doctor --write-overlay writes them'}):`,
    );
    report.hints.forEach((h, i) => {
      out.push(`  ${i + 1}. ${h.snippet}`, `     why: ${h.reason}`);
    });
    out.push('');
  }

  const p = report.provisioning;
  if (p) {
    out.push(`Provisioning (${p.provisioner} on ${p.target}):`);
    for (const c of p.checks) {
      out.push(`  ${(c.status === 'fail' ? 'FAIL' : c.status).padEnd(4)}  ${c.detail}`);
      if (c.fix) out.push(`        fix: ${c.fix}`);
    }
    out.push('');
  } else out.push('Provisioning: not checked (--offline)', '');

  const w = report.overlayWritten;
  if (w && w.added === 0 && w.present === 0)
    out.push(
      `Nothing written to ${w.file}: no hint can be derived without guessing (the fixes above are for you to decide).`,
      '',
    );
  else if (w) {
    out.push(
      w.added > 0
        ? `Wrote ${w.added} hint${w.added === 1 ? '' : 's'} to ${w.file}${w.present ? ` (${w.present} already there)` : ''}.`
        : `${w.file} already holds ${w.present === 1 ? 'this hint' : `these ${w.present} hints`}; nothing added.`,
    );
    if (w.addToConfig)
      out.push(
        `The config does not apply ${w.file} yet: add \`${w.addToConfig}\` to tenantproof.config.ts (or pass --overlay ${w.file}).`,
      );
    out.push('Run `tenantproof doctor` again to see the hints take effect.', '');
  }

  out.push(report.summary.verdict);
  return out.join('\n') + '\n';
}
