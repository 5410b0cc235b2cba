/**
 * msw 2 handlers over a FakeCrm: `setupServer(...crmHandlers({ baseURL }))`. Pass your own `crm`
 * to seed tenants, inject faults or assert on state; otherwise one is created and exposed as
 * `handlers.crm`.
 */
import { http, HttpResponse, type HttpHandler } from 'msw';
import { FakeCrm, type FakeCrmOptions } from './fake-crm.ts';

export interface CrmHandlersOptions extends FakeCrmOptions {
  /** Where the SDK points (default http://127.0.0.1:3000, the SDK's default). */
  baseURL?: string;
  /** An existing fake to serve (its adminToken and rateLimit win over the options above). */
  crm?: FakeCrm;
}

export type CrmHandlers = HttpHandler[] & { crm: FakeCrm };

export function crmHandlers(options: CrmHandlersOptions = {}): CrmHandlers {
  const crm = options.crm ?? new FakeCrm(options);
  const base = (options.baseURL ?? 'http://127.0.0.1:3000').replace(/\/+$/, '');
  const handler = http.all(`${base}/*`, async ({ request }) => {
    const headers: Record<string, string> = {};
    request.headers.forEach((value, name) => (headers[name] = value));
    const body = request.method === 'GET' || request.method === 'HEAD' ? '' : await request.text();
    const url = new URL(request.url);
    const response = crm.handle({
      method: request.method,
      url: `${url.pathname.slice(new URL(base).pathname.replace(/\/$/, '').length)}${url.search}`,
      headers,
      body,
    });
    return new HttpResponse(response.body, { status: response.status, headers: response.headers });
  });
  return Object.assign([handler], { crm });
}
