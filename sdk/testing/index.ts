/**
 * @tenantproof/sdk/testing: an offline, tenant-aware fake of the CRM for integrators' tests.
 *
 *   const handlers = crmHandlers();
 *   const server = setupServer(...handlers);
 *   const { apiKey } = handlers.crm.createTenant('Acme');
 */
export { crmHandlers, type CrmHandlers, type CrmHandlersOptions } from './handlers.ts';
export {
  FakeCrm,
  DEFAULT_FAKE_ADMIN_TOKEN,
  BODY_LIMIT_BYTES,
  type FakeCrmOptions,
  type FakeTenant,
  type InjectedFault,
  type FakeRequest,
  type FakeResponse,
} from './fake-crm.ts';
export { TenantData } from './tenant-data.ts';
export { problems, FakeProblem } from './problems.ts';
