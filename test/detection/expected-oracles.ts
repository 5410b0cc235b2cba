/**
 * The oracles that may rightly report each fault. A fault usually shows through more than one
 * (a GET on a foreign id that succeeds is both cross-tenant-access and foreign-data), so each
 * entry lists every oracle whose rule the mechanism breaks; anything else fails the case.
 */
export const EXPECTED_ORACLES: Record<string, readonly string[]> = {
  'get-unscoped': ['foreign-data', 'cross-tenant-access', 'existence', 'injection'],
  'list-filter-precedence': ['foreign-data', 'model'],
  'update-unscoped': ['foreign-data', 'cross-tenant-access', 'existence'],
  'delete-unscoped': ['cross-tenant-access', 'existence', 'foreign-data'],
  'foreign-parent': ['foreign-data', 'cross-tenant-access', 'model'],
  'summary-unscoped': ['model', 'non-interference'],
  'export-unscoped': ['foreign-data', 'model'],
  'search-unscoped': ['foreign-data', 'model'],
  'unique-global': ['foreign-data', 'existence'],
  'cache-without-tenant': ['model', 'foreign-data', 'non-interference'],
  // A pooled connection or a global context can run any request as another tenant, so every probe may
  // see it: an override probe answered as the tenant it names (injection), a foreign id found while
  // the context is the victim's (existence). The search goes on after the first finding and collects
  // these too.
  'session-set-pooled': ['foreign-data', 'model', 'non-interference', 'injection'],
  'global-context-race': [
    'foreign-data',
    'model',
    'audit',
    'injection',
    'cross-tenant-access',
    'non-interference',
    'existence',
  ],
  'tenant-header-override': ['injection', 'foreign-data', 'audit', 'model'],
  'mass-assign-tenant': ['injection', 'foreign-data', 'audit', 'model'],
  'cursor-unbound': ['foreign-data', 'model'],
  'idempotency-global': ['foreign-data', 'cross-tenant-access'],
  'audit-misattributed': ['audit', 'foreign-data'],
};
