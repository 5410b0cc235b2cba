/**
 * The doctor's report on the example specs, computed with the plan and scope `run` uses: every
 * tenant-owned operation of each is probe-able, offline the tenant-override column waits for the
 * live check, and provisioning without real tenant ids turns the override-only operations into "no".
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildPlan } from '../model/plan.ts';
import { campaignScope } from '../model/scope.ts';
import { analyzeSpecFile } from '../openapi/analyze.ts';
import { computeHints } from './doctor-hints.ts';
import { formatDoctorReport } from './doctor-format.ts';
import type { ProvisioningCheck } from './doctor-provisioning.ts';
import { buildDoctorReport, doctorReportSchema, type DoctorReport } from './doctor-report.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

async function reportFor(spec: string, provisioning?: ProvisioningCheck): Promise<DoctorReport> {
  const model = await analyzeSpecFile(path.join(ROOT, spec));
  const plan = buildPlan(model);
  const scope = campaignScope(model, plan);
  return buildDoctorReport({
    model,
    plan,
    scope,
    specFile: spec,
    hints: computeHints(model),
    ...(provisioning ? { provisioning } : {}),
  });
}

const row = (report: DoctorReport, operationId: string) => {
  const found = report.operations.find((o) => o.operationId === operationId);
  if (!found) throw new Error(`no row ${operationId}: ${report.operations.map((o) => o.operationId).join(', ')}`);
  return found;
};

describe('doctor report on the example specs (offline)', () => {
  it('the reference CRM: every tenant-owned operation can be probed, no hint, exit 0', async () => {
    const report = await reportFor('specs/crm.openapi.yaml');
    expect(doctorReportSchema.parse(report)).toEqual(report);
    expect(report.summary.tenantOwned).toBeGreaterThan(20);
    expect(report.operations.filter((o) => !o.probeable).map((o) => o.operationId)).toEqual([]);
    expect(report.summary.probeable).toBe(report.summary.tenantOwned);
    expect(report.hints).toEqual([]);
    expect(report.exitCode).toBe(0);
    expect(row(report, 'getCustomer')).toMatchObject({
      create: { value: 'yes' },
      read: { value: 'yes' },
      probe: { value: 'yes' },
      inject: { value: 'unknown' },
    });
    // A nested record needs its parent and itself: both are created by the plan's creates.
    expect(row(report, 'getCustomerNote').create.value).toBe('yes');
    expect(report.summary.verdict).toMatch(
      new RegExp(`^${report.summary.tenantOwned} of ${report.summary.tenantOwned} `),
    );
  });

  it.each([
    ['examples/third-party/openapi.yaml', 11, 'getTask', 'listProjects'],
    ['examples/framework-style/openapi.json', 12, 'TicketsController_findOne', 'TicketsController_findAll'],
    ['examples/org-scoped/openapi.yaml', 12, 'revokeInvite', 'List invites'],
  ])('%s: all %i tenant-owned operations can be probed', async (spec, count, byId, list) => {
    const report = await reportFor(spec);
    expect(report.summary).toMatchObject({ tenantOwned: count, probeable: count });
    expect(report.exitCode).toBe(0);
    expect(row(report, byId).probe.value).toBe('yes');
    // A list gets no probe aimed at another tenant's record: tenant overrides cover it, once provisioning says ids are real.
    expect(row(report, list).probe.value).toBe('n/a');
    expect(row(report, list).inject.value).toBe('unknown');
    expect(report.summary.pendingTenantIds).toBeGreaterThan(0);
    expect(report.summary.verdict).toContain('only if provisioning gives real tenant ids');
  });

  it('Tracklet, provisioning without real tenant ids: the override-only operations cannot be probed (exit 1)', async () => {
    const report = await reportFor('examples/third-party/openapi.yaml', {
      provisioner: 'file:tenants.json',
      target: 'http://127.0.0.1:9',
      status: 'ok',
      tenantIdsKnown: false,
      checks: [{ status: 'gap', detail: 'no real tenant ids', fix: 'return `id`' }],
    });
    expect(row(report, 'listProjects').inject).toMatchObject({
      value: 'no',
      fix: expect.stringContaining("return `id` (the tenant's real id)"),
    });
    expect(row(report, 'listProjects').probeable).toBe(false);
    expect(row(report, 'getProject').probeable).toBe(true);
    expect(report.summary).toMatchObject({ tenantOwned: 11, probeable: 7 });
    expect(report.summary.verdict).toBe('7 of 11 tenant-owned operations can be probed: see the fixes above');
    expect(report.exitCode).toBe(1);
    const text = formatDoctorReport(report);
    expect(text).toContain(
      'listProjects, createProject, getProject, deleteProject, updateProject, listTasks, createTask, getTask, deleteTask, updateTask, getStats · inject: provisioning gives no real tenant ids',
    );
    expect(text).toMatch(/ {2}gap {3}no real tenant ids\n {8}fix: return `id`/);
  });

  it('a failed provisioning check is exit 3 (or 2 for a provisioning config error) whatever the table says', async () => {
    const failed = (failureCode: 2 | 3): ProvisioningCheck => ({
      provisioner: 'module:p.ts',
      target: 'http://127.0.0.1:9',
      status: 'fail',
      failureCode,
      tenantIdsKnown: null,
      checks: [{ status: 'fail', detail: 'provisioning failed: boom', fix: 'fix it' }],
    });
    expect((await reportFor('examples/third-party/openapi.yaml', failed(3))).exitCode).toBe(3);
    const config = await reportFor('examples/third-party/openapi.yaml', failed(2));
    expect(config.exitCode).toBe(2);
    expect(formatDoctorReport(config)).toMatch(/FAIL {2}provisioning failed: boom\n {8}fix: fix it/);
  });
});
