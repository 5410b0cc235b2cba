/** Job operations: scheduling rules and the schedule window. */
import { NotFoundError, UnprocessableError } from '../http/errors.ts';
import { instantMs } from '../domain/instant.ts';
import type { Job } from '../domain/types.ts';
import * as customers from '../repositories/customers.ts';
import * as jobs from '../repositories/jobs.ts';
import type { Page } from '../repositories/rows.ts';
import type { TenantScope } from '../tenancy/tenant-scope.ts';
import { stripSeq, type ListRequest } from './paging.ts';

export interface ScheduleWindow {
  from: string;
  to: string;
  assignedTo?: string;
}

export interface JobOperations {
  create(scope: TenantScope, input: jobs.JobCreate): Promise<Job>;
  get(scope: TenantScope, id: string): Promise<Job>;
  list(scope: TenantScope, request: ListRequest & { status?: string; customerId?: string }): Promise<Page<Job>>;
  update(scope: TenantScope, id: string, patch: jobs.JobPatch): Promise<Job>;
  remove(scope: TenantScope, id: string): Promise<void>;
  schedule(scope: TenantScope, window: ScheduleWindow): Promise<Job[]>;
}

export const MAX_SCHEDULE_WINDOW_DAYS = 92;

export function assertJobWindow(start: string, end: string): void {
  if (instantMs(end) <= instantMs(start)) throw new UnprocessableError('scheduledEnd must be after scheduledStart.');
}

export function assertScheduleWindow(window: ScheduleWindow): void {
  const from = instantMs(window.from);
  const to = instantMs(window.to);
  if (!(from < to)) throw new UnprocessableError('from must be before to.');
  if (to - from > MAX_SCHEDULE_WINDOW_DAYS * 86_400_000)
    throw new UnprocessableError(`The window is at most ${MAX_SCHEDULE_WINDOW_DAYS} days.`);
}

export function createJobOperations(): JobOperations {
  return {
    async create(scope, input) {
      assertJobWindow(input.scheduledStart, input.scheduledEnd);
      return scope.run(async (tx) => {
        if (!(await customers.lockCustomer(tx, input.customerId))) throw new NotFoundError('customer');
        return jobs.insertJob(tx, tx.tenantId, input);
      });
    },
    async get(scope, id) {
      const found = await scope.run((tx) => jobs.findJob(tx, id));
      if (!found) throw new NotFoundError('job');
      return found;
    },
    async list(scope, request) {
      return stripSeq(await scope.run((tx) => jobs.listJobs(tx, request)));
    },
    update: (scope, id, patch) =>
      scope.run(async (tx) => {
        const current = await jobs.findJob(tx, id);
        if (!current) throw new NotFoundError('job');
        assertJobWindow(patch.scheduledStart ?? current.scheduledStart, patch.scheduledEnd ?? current.scheduledEnd);
        const updated = await jobs.updateJob(tx, id, patch);
        if (!updated) throw new NotFoundError('job');
        return updated;
      }),
    async remove(scope, id) {
      if (!(await scope.run((tx) => jobs.deleteJob(tx, id)))) throw new NotFoundError('job');
    },
    async schedule(scope, window) {
      assertScheduleWindow(window);
      return scope.run((tx) => jobs.scheduleJobs(tx, window));
    },
  };
}
