/**
 * An isolation campaign inside an ordinary vitest suite (runs in `npm test` against the embedded
 * reference CRM). In your own suite, point `target` at your API and `provision` at your tenants:
 *
 *   isolationSuite({ spec: 'openapi.yaml', target: 'http://127.0.0.1:3000', provision: 'module:./test/login.ts' });
 */
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isolationSuite } from 'tenantproof/vitest';

isolationSuite({
  name: 'reference CRM: tenant isolation',
  budget: '12s',
  shrinkBudget: '5s',
  seed: 1,
  tenants: 3,
  replays: 1,
  out: path.join(tmpdir(), 'tenantproof-vitest-example'),
});
