/** Search, report summary, export and the audit log. */
import type { SearchResult } from '../domain/types.ts';
import type { ExportResource } from '../repositories/insights.ts';
import { formatExport } from './export-format.ts';
import type { Handler } from './route-context.ts';

export const insightHandlers: Record<string, Handler> = {
  search: async (ctx) => {
    const q = String(ctx.query.q);
    const type = ctx.query.type as SearchResult['type'] | undefined;
    const data = await ctx.components.insights.search(ctx.scope, {
      q,
      limit: Number(ctx.query.limit ?? 20),
      ...(type ? { type } : {}),
    });
    return { status: 200, body: { q, data } };
  },
  getReportSummary: async (ctx) => ({ status: 200, body: await ctx.components.insights.summary(ctx.scope) }),
  exportRecords: async (ctx) => {
    const resource = ctx.query.resource as ExportResource;
    const format = (ctx.query.format as 'ndjson' | 'csv' | undefined) ?? 'ndjson';
    const rows = await ctx.components.insights.exportRows(ctx.scope, resource);
    return { status: 200, raw: formatExport(resource, format, rows), recordIds: rows.map((row) => String(row.id)) };
  },
  listAuditEvents: (ctx) => {
    const requestId = typeof ctx.query.requestId === 'string' ? ctx.query.requestId : undefined;
    return ctx.page(`audit?requestId=${requestId ?? ''}`, (scope, request) =>
      ctx.components.insights.auditEvents(scope, { ...request, ...(requestId ? { requestId } : {}) }),
    );
  },
};
