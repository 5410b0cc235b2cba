import { likePattern } from '../repositories/rows.ts';
import { toSearchResult } from '../repositories/insights.ts';
import type { Fault } from './fault.ts';

/**
 * Search was pointed at the privileged connection "because the view is expensive under RLS",
 * and the query over the search view has no tenant predicate.
 */
export const searchUnscoped: Fault = {
  name: 'search-unscoped',
  description: 'GET /v1/search queries the search view on the privileged connection without the tenant predicate.',
  install(components, { privileged }) {
    return {
      ...components,
      insights: {
        ...components.insights,
        async search(_scope, query) {
          const rows = await privileged.query(
            `SELECT d.type, d.id, d.title, d.snippet FROM search_documents d
             WHERE d.haystack ILIKE $1 ESCAPE '\\' AND ($2::text IS NULL OR d.type = $2)
             ORDER BY (d.title ILIKE $1 ESCAPE '\\') DESC, d.seq DESC LIMIT $3`,
            [likePattern(query.q), query.type ?? null, query.limit],
          );
          return rows.map(toSearchResult);
        },
      },
    };
  },
};
