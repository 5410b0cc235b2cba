/** Human-readable `tenantproof inspect` output, built from the stable InspectReport. */
import type { InspectReport } from './inspect-report.ts';

type Op = InspectReport['operations'][number];

function describeKind(op: Op): string {
  let kind: string = op.kind;
  if (op.itemAction) kind += `:${op.itemAction}`;
  if (op.parent) kind += ` (child of ${op.parent.resource})`;
  return kind;
}

export function formatInspectReport(report: InspectReport): string {
  const lines: string[] = [];
  const { spec, summary } = report;
  lines.push(`${spec.title || '(untitled)'} ${spec.version} — OpenAPI ${spec.openapi}`);
  lines.push(`spec: ${spec.file}  sha256: ${spec.sha256.slice(0, 16)}…`);
  lines.push(
    `${summary.operations} operations, ${summary.resources} resources, ${summary.tenantOwned} tenant-owned, ${summary.unclassified} unclassified`,
  );

  lines.push('', 'Resources (producers → consumers)');
  for (const r of report.resources) {
    const id = r.idField ? ` id=${r.idField}` : '';
    const parent = r.parent ? ` parent=${r.parent}` : '';
    lines.push(`  ${r.name}${id}${parent}`);
    lines.push(`    produced by: ${r.producers.length ? r.producers.join(', ') : '—'}`);
    const uses = report.operations.flatMap((o) =>
      o.consumes.filter((u) => u.resource === r.name).map((u) => `${o.operationId} (${u.in} ${u.name})`),
    );
    lines.push(`    consumed by: ${uses.length ? uses.join(', ') : '—'}`);
  }

  lines.push('', 'Tenant-owned operations (kind, probes → oracles)');
  for (const op of report.operations.filter((o) => o.tenantOwned)) {
    lines.push(
      `  ${op.method.toUpperCase().padEnd(6)} ${op.path}  ${op.operationId}  [${describeKind(op)}${op.resource ? ` ${op.resource}` : ''}]`,
    );
    if (op.probes.length) lines.push(`         probes: ${op.probes.join(', ')}`);
    if (op.oracles.length) lines.push(`         oracles: ${op.oracles.join(', ')}`);
  }

  const { scope } = report;
  lines.push(
    '',
    `Scope: ${scope.crossTenant} of ${scope.tenantOwned} tenant-owned operations will be probed cross-tenant (tenantproof run sends the probes below)`,
  );
  for (const o of scope.operations) {
    if (o.crossTenantProbes.length > 0) {
      lines.push(`  ${o.operationId}: ${o.crossTenantProbes.join(', ')}`);
      continue;
    }
    lines.push(`  ${o.operationId}: NOT PROBED: ${o.reason ?? 'left out'}`);
    if (o.fix) lines.push(`      fix: ${o.fix}`);
  }

  lines.push('', 'Probes (→ the oracles that judge them)');
  for (const p of report.probes) lines.push(`  ${p.name.padEnd(24)} → ${p.oracles.join(', ') || '—'}`);

  const others = report.operations.filter((o) => !o.tenantOwned);
  if (others.length) {
    lines.push('', 'Not tenant-owned (not probed)');
    for (const op of others)
      lines.push(`  ${op.method.toUpperCase().padEnd(6)} ${op.path}  ${op.operationId}  — ${op.tenantOwnedReason}`);
  }

  lines.push('', 'Unclassified operations');
  if (report.unclassified.length === 0) lines.push('  (none)');
  for (const u of report.unclassified)
    lines.push(`  ${u.method.toUpperCase().padEnd(6)} ${u.path}  ${u.operationId}  — ${u.reason}`);

  if (report.warnings.length) {
    lines.push('', 'Warnings');
    for (const w of report.warnings)
      lines.push(`  ${w.file}${w.line ? `:${w.line}` : ''}${w.pointer ? ` (at #${w.pointer})` : ''}: ${w.message}`);
  }
  return lines.join('\n') + '\n';
}
