/**
 * The request engine against msw: retries and backoff (Retry-After included), the Idempotency-Key
 * kept across retries, timeouts and abort, one error class per status, strict/warn/off validation,
 * raw responses and hooks that never see the API key in clear.
 */
import { delay, http, HttpResponse } from 'msw';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  AbortError,
  APIError,
  AuthenticationError,
  BadRequestError,
  ConflictError,
  ConnectionError,
  CrmError,
  InternalServerError,
  MethodNotAllowedError,
  NotFoundError,
  PayloadTooLargeError,
  PermissionDeniedError,
  RateLimitError,
  RequestTimeoutError,
  ResponseValidationError,
  TimeoutError,
  UnprocessableEntityError,
  UnsupportedMediaTypeError,
} from './errors.ts';
import type { RequestEvent, ResponseEvent, RetryEvent, ValidationWarningEvent } from './hooks.ts';
import { API_KEY, BASE, createTestServer, customer, problem, problemHeaders, testClient } from './test-support.ts';

const server = createTestServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

/** Responds with each of `responses` in turn (the last one repeats), recording the requests. */
function sequence(method: 'get' | 'post', path: string, responses: Array<() => Response | Promise<Response>>) {
  const requests: Request[] = [];
  server.use(
    http[method](`${BASE}${path}`, async ({ request }) => {
      requests.push(request.clone());
      const next = responses[Math.min(requests.length - 1, responses.length - 1)]!;
      return next();
    }),
  );
  return requests;
}

const fail =
  (status: number, headers: Record<string, string> = {}) =>
  () =>
    HttpResponse.json(problem(status), { status, headers: { ...problemHeaders, ...headers } });
const okCustomer = () => HttpResponse.json(customer(1), { status: 201, headers: { 'X-Request-Id': 'req_ok' } });

describe('retries', () => {
  it('retries 5xx then succeeds, with exponential backoff', async () => {
    const requests = sequence('post', '/v1/customers', [fail(503), fail(500), okCustomer]);
    const { crm, delays } = testClient();
    const created = await crm.customers.create({ name: 'A', email: 'a@example.com' });
    expect(created.id).toBe(customer(1).id);
    expect(requests).toHaveLength(3);
    expect(delays).toHaveLength(2);
    expect(delays[0]).toBeGreaterThanOrEqual(375);
    expect(delays[0]).toBeLessThanOrEqual(500);
    expect(delays[1]).toBeGreaterThanOrEqual(750);
    expect(delays[1]).toBeLessThanOrEqual(1000);
  });

  it('sends the same automatic Idempotency-Key on every retry of a POST', async () => {
    const requests = sequence('post', '/v1/customers', [fail(502), () => HttpResponse.error(), okCustomer]);
    const { crm } = testClient();
    const { response } = await crm.customers.create({ name: 'A', email: 'a@example.com' }).withResponse();
    const keys = requests.map((r) => r.headers.get('idempotency-key'));
    expect(keys).toHaveLength(3);
    expect(keys[0]).toMatch(/^tpsdk-[0-9a-f-]{36}$/);
    expect(new Set(keys).size).toBe(1);
    expect(response.idempotencyKey).toBe(keys[0]);
    expect(response.attempts).toBe(3);
  });

  it('uses a new key for each logical POST, and the caller’s key when given', async () => {
    const requests = sequence('post', '/v1/customers', [okCustomer]);
    const { crm } = testClient();
    await crm.customers.create({ name: 'A', email: 'a@example.com' });
    await crm.customers.create({ name: 'B', email: 'b@example.com' });
    await crm.customers.create({ name: 'C', email: 'c@example.com' }, { idempotencyKey: 'my-key-1' });
    const keys = requests.map((r) => r.headers.get('idempotency-key'));
    expect(keys[0]).not.toBe(keys[1]);
    expect(keys[2]).toBe('my-key-1');
  });

  it('sends no Idempotency-Key on GET or PATCH', async () => {
    const requests = sequence('get', '/v1/customers/:id', [() => HttpResponse.json(customer(1))]);
    const { crm } = testClient();
    await crm.customers.get(customer(1).id);
    expect(requests[0]!.headers.get('idempotency-key')).toBeNull();
  });

  it('honours Retry-After in seconds on 429', async () => {
    const requests = sequence('get', '/v1/me', [
      fail(429, { 'Retry-After': '3' }),
      () =>
        HttpResponse.json({ tenantId: customer(1).id, tenantName: 'T', rateLimit: { requestsPerSecond: 1, burst: 1 } }),
    ]);
    const { crm, delays } = testClient();
    await crm.me.get();
    expect(requests).toHaveLength(2);
    expect(delays).toEqual([3000]);
  });

  it('honours Retry-After as an HTTP date on 503', async () => {
    const at = new Date(Date.now() + 30_000).toUTCString();
    sequence('get', '/v1/me', [
      fail(503, { 'Retry-After': at }),
      () =>
        HttpResponse.json({ tenantId: customer(1).id, tenantName: 'T', rateLimit: { requestsPerSecond: 1, burst: 1 } }),
    ]);
    const { crm, delays } = testClient();
    await crm.me.get();
    expect(delays).toHaveLength(1);
    expect(delays[0]).toBeGreaterThan(25_000);
    expect(delays[0]).toBeLessThanOrEqual(30_000);
  });

  it('retries 408 and connection errors', async () => {
    const requests = sequence('get', '/v1/me', [
      fail(408),
      () => HttpResponse.error(),
      () =>
        HttpResponse.json({ tenantId: customer(1).id, tenantName: 'T', rateLimit: { requestsPerSecond: 1, burst: 1 } }),
    ]);
    const { crm } = testClient();
    await crm.me.get();
    expect(requests).toHaveLength(3);
  });

  it('gives up after maxRetries (default 2) and throws the last error', async () => {
    const requests = sequence('get', '/v1/me', [fail(500)]);
    const { crm } = testClient();
    await expect(crm.me.get()).rejects.toBeInstanceOf(InternalServerError);
    expect(requests).toHaveLength(3);
    const { crm: none } = testClient({ maxRetries: 0 });
    const before = requests.length;
    await expect(none.me.get()).rejects.toBeInstanceOf(InternalServerError);
    expect(requests.length - before).toBe(1);
    const after = requests.length;
    await expect(crm.me.get({ maxRetries: 4 })).rejects.toBeInstanceOf(InternalServerError);
    expect(requests.length - after).toBe(5);
  });

  it.each([400, 401, 403, 404, 409, 413, 415, 422])('never retries %i', async (status) => {
    const requests = sequence('post', '/v1/customers', [fail(status)]);
    const { crm, delays } = testClient({ maxRetries: 5 });
    await expect(crm.customers.create({ name: 'A', email: 'a@example.com' })).rejects.toBeInstanceOf(APIError);
    expect(requests).toHaveLength(1);
    expect(delays).toEqual([]);
  });

  it('retries a 409 only when the same Idempotency-Key is still in progress, with the same key', async () => {
    const inProgress = () =>
      HttpResponse.json(
        { ...problem(409), type: 'https://tenantproof.dev/problems/idempotency-in-progress' },
        { status: 409, headers: { ...problemHeaders, 'Retry-After': '1' } },
      );
    const requests = sequence('post', '/v1/customers', [inProgress, okCustomer]);
    const { crm, delays } = testClient({ maxRetries: 3 });
    const created = await crm.customers.create({ name: 'A', email: 'a@example.com' });
    expect(created.id).toBe(customer(1).id);
    expect(requests).toHaveLength(2);
    expect(delays).toEqual([1000]);
    expect(new Set(requests.map((r) => r.headers.get('idempotency-key'))).size).toBe(1);
  });

  it('throws ConnectionError when the network fails every time', async () => {
    sequence('get', '/v1/me', [() => HttpResponse.error()]);
    const { crm } = testClient();
    const error = await crm.me.get().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error).toBeInstanceOf(CrmError);
  });
});

describe('timeouts and abort', () => {
  it('times out per attempt with TimeoutError, and retries timeouts', async () => {
    const requests = sequence('get', '/v1/me', [
      async () => {
        await delay('infinite');
        return HttpResponse.json({});
      },
    ]);
    const { crm } = testClient({ timeout: 50, maxRetries: 1 });
    const error = await crm.me.get().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as TimeoutError).timeoutMs).toBe(50);
    expect(requests).toHaveLength(2);
  });

  it('withOptions() derives a client with other settings', async () => {
    sequence('get', '/v1/me', [
      async () => {
        await delay('infinite');
        return HttpResponse.json({});
      },
    ]);
    const { crm } = testClient({ timeout: 60_000 });
    const impatient = crm.withOptions({ timeout: 20, maxRetries: 0 });
    expect(impatient.baseURL).toBe(crm.baseURL);
    await expect(impatient.me.get()).rejects.toBeInstanceOf(TimeoutError);
  });

  it('a per-request timeout overrides the client’s', async () => {
    sequence('get', '/v1/me', [
      async () => {
        await delay('infinite');
        return HttpResponse.json({});
      },
    ]);
    const { crm } = testClient({ timeout: 60_000, maxRetries: 0 });
    await expect(crm.me.get({ timeout: 20 })).rejects.toBeInstanceOf(TimeoutError);
  });

  it('an AbortSignal fired mid-request rejects with AbortError and is not retried', async () => {
    const controller = new AbortController();
    const requests = sequence('get', '/v1/me', [
      async () => {
        controller.abort();
        await delay('infinite');
        return HttpResponse.json({});
      },
    ]);
    const { crm } = testClient({ maxRetries: 3 });
    const error = await crm.me.get({ signal: controller.signal }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortError);
    expect(error).not.toBeInstanceOf(ConnectionError);
    expect(requests).toHaveLength(1);
  });

  it('an already-aborted signal sends nothing', async () => {
    const requests = sequence('get', '/v1/me', [() => HttpResponse.json({})]);
    const { crm } = testClient();
    await expect(crm.me.get({ signal: AbortSignal.abort() })).rejects.toBeInstanceOf(AbortError);
    expect(requests).toHaveLength(0);
  });

  it('aborting during the backoff sleep stops the retries', async () => {
    const controller = new AbortController();
    const requests = sequence('get', '/v1/me', [fail(503)]);
    const { crm } = testClient({
      sleep: async () => {
        controller.abort();
        throw new Error('aborted');
      },
    });
    await expect(crm.me.get({ signal: controller.signal })).rejects.toBeInstanceOf(AbortError);
    expect(requests).toHaveLength(1);
  });
});

describe('errors', () => {
  const table: Array<[number, new (...args: never[]) => APIError]> = [
    [400, BadRequestError],
    [401, AuthenticationError],
    [403, PermissionDeniedError],
    [404, NotFoundError],
    [405, MethodNotAllowedError],
    [408, RequestTimeoutError],
    [409, ConflictError],
    [413, PayloadTooLargeError],
    [415, UnsupportedMediaTypeError],
    [422, UnprocessableEntityError],
    [429, RateLimitError],
    [500, InternalServerError],
    [503, InternalServerError],
  ];

  it.each(table)('%i → %o, carrying status, problem body, request id and headers', async (status, ErrorClass) => {
    sequence('get', '/v1/customers/:id', [fail(status, { 'Retry-After': '1', 'X-Extra': 'yes' })]);
    const { crm } = testClient({ maxRetries: 0 });
    const error = await crm.customers.get(customer(1).id).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ErrorClass);
    expect(error).toBeInstanceOf(APIError);
    expect(error).toBeInstanceOf(CrmError);
    expect(error).toBeInstanceOf(Error);
    const e = error as APIError;
    expect(e.name).toBe(ErrorClass.name);
    expect(e.status).toBe(status);
    expect(e.problem).toMatchObject({ status, title: 'Problem', detail: `status ${status}` });
    expect(e.requestId).toBe('req_test');
    expect(e.headers['x-extra']).toBe('yes');
    expect(e.message).toContain(String(status));
  });

  it('exposes Retry-After on RateLimitError', async () => {
    sequence('get', '/v1/me', [fail(429, { 'Retry-After': '7' })]);
    const { crm } = testClient({ maxRetries: 0 });
    const error = (await crm.me.get().catch((e: unknown) => e)) as RateLimitError;
    expect(error.retryAfterSeconds).toBe(7);
  });

  it('copes with a non-problem error body', async () => {
    sequence('get', '/v1/me', [
      () => new HttpResponse('upstream exploded', { status: 502, headers: { 'Content-Type': 'text/plain' } }),
    ]);
    const { crm } = testClient({ maxRetries: 0 });
    const error = (await crm.me.get().catch((e: unknown) => e)) as InternalServerError;
    expect(error).toBeInstanceOf(InternalServerError);
    expect(error.problem).toBeUndefined();
    expect(error.body).toBe('upstream exploded');
    expect(error.requestId).toBeUndefined();
  });

  it('requires an API key', () => {
    const saved = process.env.CRM_API_KEY;
    delete process.env.CRM_API_KEY;
    try {
      expect(() => testClient({ apiKey: undefined })).toThrow(CrmError);
    } finally {
      if (saved !== undefined) process.env.CRM_API_KEY = saved;
    }
  });
});

describe('response validation', () => {
  const broken = () =>
    HttpResponse.json({ ...customer(1), email: 42, tags: 'none' }, { headers: { 'X-Request-Id': 'req_bad' } });

  it('strict (default): throws ResponseValidationError with the paths and the raw body', async () => {
    sequence('get', '/v1/customers/:id', [broken]);
    const { crm } = testClient();
    const error = (await crm.customers.get(customer(1).id).catch((e: unknown) => e)) as ResponseValidationError;
    expect(error).toBeInstanceOf(ResponseValidationError);
    expect(error.paths.sort()).toEqual(['email', 'tags']);
    expect(error.schema).toBe('Customer');
    expect(error.operation).toBe('getCustomer');
    expect(JSON.parse(error.rawBody)).toMatchObject({ email: 42 });
    expect(error.requestId).toBe('req_bad');
    expect(error.status).toBe(200);
  });

  it('strict: reports paths inside list pages', async () => {
    sequence('get', '/v1/customers', [
      () => HttpResponse.json({ data: [customer(1), { ...customer(2), id: 'not-a-uuid' }], nextCursor: null }),
    ]);
    const { crm } = testClient();
    const error = (await crm.customers.list().catch((e: unknown) => e)) as ResponseValidationError;
    expect(error).toBeInstanceOf(ResponseValidationError);
    expect(error.paths).toEqual(['data.1.id']);
  });

  it('warn: returns the body and reports through the hook', async () => {
    sequence('get', '/v1/customers/:id', [broken]);
    const warnings: ValidationWarningEvent[] = [];
    const { crm } = testClient({ validation: 'warn', hooks: { onValidationWarning: (e) => warnings.push(e) } });
    const got = await crm.customers.get(customer(1).id);
    expect(got.email).toBe(42);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.issues.map((i) => i.path).sort()).toEqual(['email', 'tags']);
  });

  it('warn without a hook writes to console.warn', async () => {
    sequence('get', '/v1/customers/:id', [broken]);
    const lines: string[] = [];
    const original = console.warn;
    console.warn = (...args: unknown[]) => lines.push(args.join(' '));
    try {
      const { crm } = testClient({ validation: 'warn' });
      await crm.customers.get(customer(1).id);
    } finally {
      console.warn = original;
    }
    expect(lines.join('\n')).toMatch(/getCustomer: response does not match Customer/);
  });

  it('off: skips validation; a per-request mode overrides the client’s', async () => {
    sequence('get', '/v1/customers/:id', [broken]);
    const { crm } = testClient({ validation: 'off' });
    expect((await crm.customers.get(customer(1).id)).email).toBe(42);
    await expect(crm.customers.get(customer(1).id, { validation: 'strict' })).rejects.toBeInstanceOf(
      ResponseValidationError,
    );
  });

  it('keeps unknown response fields (forward compatible) and accepts valid bodies', async () => {
    sequence('get', '/v1/customers/:id', [() => HttpResponse.json({ ...customer(1), loyaltyTier: 'gold' })]);
    const { crm } = testClient();
    const got = await crm.customers.get(customer(1).id);
    expect((got as unknown as Record<string, unknown>).loyaltyTier).toBe('gold');
  });

  it('a body that is not JSON is a validation error in strict mode', async () => {
    sequence('get', '/v1/me', [
      () => new HttpResponse('<html>', { status: 200, headers: { 'Content-Type': 'text/html' } }),
    ]);
    const { crm } = testClient();
    const error = (await crm.me.get().catch((e: unknown) => e)) as ResponseValidationError;
    expect(error).toBeInstanceOf(ResponseValidationError);
    expect(error.rawBody).toBe('<html>');
  });
});

describe('raw response, request shape and hooks', () => {
  it('.withResponse() and .asResponse() expose status, headers and request id', async () => {
    sequence('post', '/v1/customers', [
      () =>
        HttpResponse.json(customer(1), {
          status: 201,
          headers: { 'X-Request-Id': 'req_raw', 'Idempotent-Replayed': 'true' },
        }),
    ]);
    const { crm } = testClient();
    const { data, response } = await crm.customers.create({ name: 'A', email: 'a@example.com' }).withResponse();
    expect(data.name).toBe('Customer 1');
    expect(response.status).toBe(201);
    expect(response.requestId).toBe('req_raw');
    expect(response.headers['idempotent-replayed']).toBe('true');
    expect(response.method).toBe('POST');
    expect(response.url).toBe(`${BASE}/v1/customers`);
    const raw = await crm.customers.create({ name: 'A', email: 'a@example.com' }).asResponse();
    expect(raw.status).toBe(201);
  });

  it('sends the bearer key, JSON body, encoded path and query', async () => {
    const requests = sequence('get', '/v1/customers', [() => HttpResponse.json({ data: [], nextCursor: null })]);
    const { crm } = testClient();
    await crm.customers.list({ q: 'a&b c', limit: 5 });
    const url = new URL(requests[0]!.url);
    expect(url.searchParams.get('q')).toBe('a&b c');
    expect(url.searchParams.get('limit')).toBe('5');
    expect(requests[0]!.headers.get('authorization')).toBe(`Bearer ${API_KEY}`);
    expect(requests[0]!.headers.get('user-agent')).toMatch(/^tenantproof-sdk\//);
    const posts = sequence('post', '/v1/customers/:id/notes', [
      () =>
        HttpResponse.json(
          { id: customer(3).id, customerId: customer(1).id, body: 'x', createdAt: '2026-01-05T09:30:00Z' },
          { status: 201 },
        ),
    ]);
    await crm.customers.notes.create(customer(1).id, { body: 'x' });
    expect(posts[0]!.headers.get('content-type')).toBe('application/json');
    expect(await posts[0]!.json()).toEqual({ body: 'x' });
  });

  it('hooks see every attempt and retry, and never the API key in clear', async () => {
    sequence('post', '/v1/customers', [fail(503, { 'Retry-After': '0' }), okCustomer]);
    const events: Array<RequestEvent | ResponseEvent | RetryEvent> = [];
    const { crm } = testClient({
      hooks: { onRequest: (e) => events.push(e), onResponse: (e) => events.push(e), onRetry: (e) => events.push(e) },
    });
    await crm.customers.create({ name: 'A', email: 'a@example.com' });
    const serialised = JSON.stringify(events);
    expect(serialised).not.toContain(API_KEY);
    const requests = events.filter((e): e is RequestEvent => 'headers' in e && !('status' in e));
    expect(requests.map((r) => r.attempt)).toEqual([1, 2]);
    expect(requests[0]!.headers.Authorization).toMatch(/^Bearer tpk_…[0-9a-f]{4}$/);
    expect(requests[0]!.operation).toBe('createCustomer');
    const retries = events.filter((e): e is RetryEvent => 'delayMs' in e);
    expect(retries).toEqual([expect.objectContaining({ retry: 1, delayMs: 0, reason: '503' })]);
  });

  it('a throwing hook does not break the request', async () => {
    sequence('get', '/v1/me', [
      () =>
        HttpResponse.json({ tenantId: customer(1).id, tenantName: 'T', rateLimit: { requestsPerSecond: 1, burst: 1 } }),
    ]);
    const { crm } = testClient({
      hooks: {
        onRequest: () => {
          throw new Error('logger down');
        },
      },
    });
    await expect(crm.me.get()).resolves.toMatchObject({ tenantName: 'T' });
  });

  it('delete resolves to undefined on 204', async () => {
    server.use(http.delete(`${BASE}/v1/customers/:id`, () => new HttpResponse(null, { status: 204 })));
    const { crm } = testClient();
    await expect(crm.customers.delete(customer(1).id)).resolves.toBeUndefined();
  });
});
