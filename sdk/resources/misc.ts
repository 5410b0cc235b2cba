/** Single-operation namespaces: search, reports, audit events and me. */
import type { APIPromise } from '../core/api-promise.ts';
import type { PagePromise } from '../core/pagination.ts';
import type { RequestOptions } from '../core/transport.ts';
import { AuditEventListSchema, MeSchema, ReportSummarySchema, SearchResultsSchema } from '../generated/zod.ts';
import type { AuditEvent, AuditEventListParams, Me, ReportSummary, SearchParams, SearchResults } from '../types.ts';
import { APIResource, asQuery } from './resource.ts';

export class Search extends APIResource {
  /** Case-insensitive search over customers, jobs, quotes and invoices, best match first. */
  query(params: SearchParams, options?: RequestOptions): APIPromise<SearchResults> {
    return this.transport.request(
      {
        operation: 'search',
        method: 'get',
        path: '/v1/search',
        query: asQuery(params),
        schema: SearchResultsSchema,
        schemaName: 'SearchResults',
      },
      options,
    );
  }
}

export class Reports extends APIResource {
  /** Counts and money totals (integer cents) for your tenant. */
  summary(options?: RequestOptions): APIPromise<ReportSummary> {
    return this.transport.request(
      {
        operation: 'getReportSummary',
        method: 'get',
        path: '/v1/reports/summary',
        schema: ReportSummarySchema,
        schemaName: 'ReportSummary',
      },
      options,
    );
  }
}

export class AuditEvents extends APIResource {
  /** Your tenant's audit log, newest first; filter by `requestId` to find one request's event. */
  list(params?: AuditEventListParams, options?: RequestOptions): PagePromise<AuditEvent> {
    return this.paginate<AuditEvent>(
      'listAuditEvents',
      '/v1/audit-events',
      asQuery(params),
      AuditEventListSchema,
      'AuditEventList',
      options,
    );
  }
}

export class MeResource extends APIResource {
  /** The tenant behind the API key. */
  get(options?: RequestOptions): APIPromise<Me> {
    return this.transport.request(
      { operation: 'getMe', method: 'get', path: '/v1/me', schema: MeSchema, schemaName: 'Me' },
      options,
    );
  }
}
