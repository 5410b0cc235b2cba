/**
 * The `tenantproof` package entry: what a `tenantproof.config.ts` or a user's own script imports.
 *
 *   import { defineConfig } from 'tenantproof';
 *   export default defineConfig({ target: 'http://127.0.0.1:3000', provision: 'module:./login.ts' });
 */
export { defineConfig, type UserConfig } from './run/config.ts';
export type { Finding, Exchange, OracleName, TenantLabel } from './model/exchange.ts';
export type { ProvisionContext, ProvisionFunction, ProvisionResult, TenantCredentials } from './tenants/index.ts';
