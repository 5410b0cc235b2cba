/** The two targets of the parity suite and the e2e test: the real reference CRM and the msw fake. */
import { setupServer } from 'msw/node';
import { startCrm } from '../../crm/server.ts';
import { CrmAdminClient, CrmClient, type CrmClientOptions } from '../../sdk/index.ts';
import { crmHandlers } from '../../sdk/testing/index.ts';
import { createTenant } from '../support/crm-fixture.ts';
import type { ScenarioEnv } from './scenarios.ts';

export interface Target {
  name: 'real' | 'fake';
  /** Fresh tenants A and B, an admin client and a client with an unknown key. */
  env(options?: CrmClientOptions): Promise<ScenarioEnv>;
  close(): Promise<void>;
}

const NO_SLEEP = { sleep: async () => {} };

export async function startRealTarget(): Promise<Target & { url: string; adminToken: string }> {
  const crm = await startCrm({ port: 0 });
  return {
    name: 'real',
    url: crm.url,
    adminToken: crm.adminToken,
    async env(options = {}) {
      const [ta, tb] = [await createTenant(crm, 'Tenant A'), await createTenant(crm, 'Tenant B')];
      const client = (apiKey: string) => new CrmClient({ ...NO_SLEEP, ...options, apiKey, baseURL: crm.url });
      return {
        a: client(ta.apiKey),
        b: client(tb.apiKey),
        stranger: client('tpk_nobody_owns_this_key_000000000'),
        admin: new CrmAdminClient({ adminToken: crm.adminToken, baseURL: crm.url }),
      };
    },
    close: () => crm.close(),
  };
}

export const FAKE_BASE_URL = 'http://fake-crm.test';

export function startFakeTarget(): Target {
  const handlers = crmHandlers({ baseURL: FAKE_BASE_URL });
  const server = setupServer(...handlers);
  // Requests to the real CRM (loopback) pass through untouched.
  server.listen({ onUnhandledRequest: 'bypass' });
  return {
    name: 'fake',
    async env(options = {}) {
      const ta = handlers.crm.createTenant('Tenant A');
      const tb = handlers.crm.createTenant('Tenant B');
      const client = (apiKey: string) => new CrmClient({ ...NO_SLEEP, ...options, apiKey, baseURL: FAKE_BASE_URL });
      return {
        a: client(ta.apiKey),
        b: client(tb.apiKey),
        stranger: client('tpk_nobody_owns_this_key_000000000'),
        admin: new CrmAdminClient({ adminToken: handlers.crm.adminToken, baseURL: FAKE_BASE_URL }),
      };
    },
    async close() {
      server.close();
    },
  };
}
