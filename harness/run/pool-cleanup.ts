/**
 * `--cleanup` at the end of a campaign for the pool tenants still serving: each deletes what its
 * model holds (children first, as after a run). A pool tenant that retired during the campaign was
 * cleaned up by the run it retired in (campaign-state.ts).
 */
import { Coverage } from './coverage.ts';
import { HealthMonitor } from './health.ts';
import { RunContext, type CleanupCounts, type RunContextOptions } from './run-context.ts';
import type { TenantPool } from './tenant-pool.ts';

export async function cleanupPool(
  pool: TenantPool,
  options: RunContextOptions,
  nextSeq: () => number,
): Promise<CleanupCounts> {
  const total: CleanupCounts = { deleted: 0, failed: 0, undeletable: 0 };
  for (const member of pool.live()) {
    if (member.leased || options.signal.aborted) continue;
    const ctx = new RunContext(options, [member.tenant], new Coverage(), nextSeq, new HealthMonitor(), [member]);
    const c = await ctx.cleanup();
    total.deleted += c.deleted;
    total.failed += c.failed;
    total.undeletable += c.undeletable;
  }
  return total;
}
