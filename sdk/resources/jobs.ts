/** /v1/jobs and /v1/schedule */
import type { APIPromise } from '../core/api-promise.ts';
import type { PagePromise } from '../core/pagination.ts';
import { encodePath, type RequestOptions } from '../core/transport.ts';
import { JobListSchema, JobSchema, ScheduleSchema } from '../generated/zod.ts';
import type { Job, JobCreate, JobListParams, JobUpdate, Schedule, ScheduleParams } from '../types.ts';
import { APIResource, asQuery } from './resource.ts';

export class Jobs extends APIResource {
  /** Creates a job for one of your customers; 422 if it ends before it starts. */
  create(body: JobCreate, options?: RequestOptions): APIPromise<Job> {
    return this.transport.request(
      { operation: 'createJob', method: 'post', path: '/v1/jobs', body, schema: JobSchema, schemaName: 'Job' },
      options,
    );
  }

  get(jobId: string, options?: RequestOptions): APIPromise<Job> {
    return this.transport.request(
      {
        operation: 'getJob',
        method: 'get',
        path: encodePath('/v1/jobs/{jobId}', { jobId }),
        schema: JobSchema,
        schemaName: 'Job',
      },
      options,
    );
  }

  update(jobId: string, body: JobUpdate, options?: RequestOptions): APIPromise<Job> {
    return this.transport.request(
      {
        operation: 'updateJob',
        method: 'patch',
        path: encodePath('/v1/jobs/{jobId}', { jobId }),
        body,
        schema: JobSchema,
        schemaName: 'Job',
      },
      options,
    );
  }

  delete(jobId: string, options?: RequestOptions): APIPromise<void> {
    return this.transport.request(
      {
        operation: 'deleteJob',
        method: 'delete',
        path: encodePath('/v1/jobs/{jobId}', { jobId }),
        responseType: 'none',
      },
      options,
    );
  }

  list(params?: JobListParams, options?: RequestOptions): PagePromise<Job> {
    return this.paginate<Job>('listJobs', '/v1/jobs', asQuery(params), JobListSchema, 'JobList', options);
  }
}

export class ScheduleResource extends APIResource {
  /** Jobs whose window overlaps [from, to), by start time (at most 92 days). */
  get(params: ScheduleParams, options?: RequestOptions): APIPromise<Schedule> {
    return this.transport.request(
      {
        operation: 'getSchedule',
        method: 'get',
        path: '/v1/schedule',
        query: asQuery(params),
        schema: ScheduleSchema,
        schemaName: 'Schedule',
      },
      options,
    );
  }
}
