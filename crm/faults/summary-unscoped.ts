import { SUMMARY_SQL, toSummary } from '../repositories/insights.ts';
import type { Fault } from './fault.ts';

/**
 * The report summary was moved to the "analytics" connection (privileged, no RLS), and the
 * copied query forgot its tenant predicate: the totals cover every tenant.
 */
export const summaryUnscoped: Fault = {
  name: 'summary-unscoped',
  description: 'GET /v1/reports/summary runs on the privileged analytics connection without the tenant predicate.',
  install(components, { privileged }) {
    return {
      ...components,
      insights: {
        ...components.insights,
        async summary() {
          const rows = await privileged.query(SUMMARY_SQL(() => 'true'));
          return toSummary(rows[0]!);
        },
      },
    };
  },
};
