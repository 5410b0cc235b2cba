/** Search, report summary, export and the audit log. */
import type { AuditEvent, ReportSummary, SearchResult } from '../domain/types.ts';
import * as insights from '../repositories/insights.ts';
import type { Page } from '../repositories/rows.ts';
import type { TenantScope } from '../tenancy/tenant-scope.ts';
import { stripSeq, type ListRequest } from './paging.ts';

export interface InsightOperations {
  search(scope: TenantScope, query: insights.SearchQuery): Promise<SearchResult[]>;
  summary(scope: TenantScope): Promise<ReportSummary>;
  /** Raw rows of one resource, oldest first; the route maps them to the resource's schema. */
  exportRows(scope: TenantScope, resource: insights.ExportResource): Promise<Record<string, unknown>[]>;
  auditEvents(scope: TenantScope, request: ListRequest & { requestId?: string }): Promise<Page<AuditEvent>>;
}

export function createInsightOperations(): InsightOperations {
  return {
    search: (scope, query) => scope.run((tx) => insights.search(tx, query)),
    summary: (scope) => scope.run((tx) => insights.summary(tx)),
    exportRows: (scope, resource) =>
      scope.run((tx) =>
        insights.exportRows(tx, resource, { predicate: (alias) => tx.tenantFilter(alias), params: [tx.tenantId] }),
      ),
    auditEvents: async (scope, request) => stripSeq(await scope.run((tx) => insights.listAuditEvents(tx, request))),
  };
}
