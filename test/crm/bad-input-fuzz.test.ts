/**
 * Malformed requests over real sockets, as raw bytes (fetch/undici refuse to send most of them),
 * against one CRM on embedded PGlite. Every answer must be a complete 4xx problem+json response
 * whose `requestId` is its X-Request-Id: never a 5xx, a reset, a bare body or a hang. Variants
 * come from fast-check with a fixed seed (`FC_SEED=<n>` to replay another).
 */
import http from 'node:http';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCrm, type RunningCrm } from '../../crm/server.ts';
import { createTenant } from '../support/crm-fixture.ts';
import {
  bodyPieces,
  exchange,
  header,
  rawTarget,
  requestBytes,
  type RawResponse,
  type RawTarget,
} from './support/raw-http.ts';

const SEED = Number(process.env.FC_SEED ?? 42);
const FILE = 'test/crm/bad-input-fuzz.test.ts';
const MB = 1024 * 1024;

interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  requestId: string;
  errors?: { path: string; message: string }[];
}

/** Asserts the problem+json contract on `response` and returns the parsed problem. */
function expectProblem(response: RawResponse, status?: number): Problem {
  if (status !== undefined) expect(response.status).toBe(status);
  expect(response.status).toBeGreaterThanOrEqual(400);
  expect(response.status).toBeLessThan(500);
  expect(header(response, 'content-type')).toMatch(/^application\/problem\+json(;|$)/);
  const problem = JSON.parse(response.body.toString('utf8')) as Problem;
  expect(problem).toMatchObject({ type: expect.any(String), title: expect.any(String), status: response.status });
  expect(problem.requestId).toMatch(/^req_[0-9a-f-]{36}$/);
  expect(header(response, 'x-request-id')).toBe(problem.requestId);
  return problem;
}

/** fc.assert with the file's seed; names the seed when it fails. */
async function check<T>(arbitrary: fc.Arbitrary<T>, numRuns: number, run: (value: T) => Promise<void>) {
  try {
    await fc.assert(fc.asyncProperty(arbitrary, run), { seed: SEED, numRuns });
  } catch (error) {
    console.error(`fast-check failed with FC_SEED=${SEED} (replay: FC_SEED=${SEED} npx vitest run ${FILE})`);
    throw error;
  }
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);
/** Bytes llhttp refuses in a header value: controls other than HTAB, and DEL. */
const BAD_VALUE_BYTES = [...range(0x00, 0x08), ...range(0x0a, 0x1f), 0x7f];
/** Bytes outside the token alphabet of a header name (':' ends the name, so it is left out). */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]$/;
const BAD_NAME_BYTES = range(0x00, 0xff).filter((b) => b !== 0x3a && !TOKEN.test(String.fromCharCode(b)));

describe('bad input over raw sockets', () => {
  let crm: RunningCrm;
  let target: RawTarget;
  let apiKey: string;

  beforeAll(async () => {
    // A rate limit out of the way: a few hundred failed requests from one IP must not turn into 429s.
    crm = await startCrm({ rateLimit: { requestsPerSecond: 100_000, burst: 100_000 } });
    target = rawTarget(crm.url);
    apiKey = (await createTenant(crm)).apiKey;
  });
  afterAll(async () => {
    await crm?.close();
  });

  const send = (head: string | Buffer, body?: Buffer | string): Promise<RawResponse> =>
    exchange(target, requestBytes(head, body));
  const auth = (): string => `Authorization: Bearer ${apiKey}`;
  const json = (path: string, body: Buffer | string, extra = ''): Promise<RawResponse> => {
    const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
    const head = `POST ${path} HTTP/1.1\r\nHost: crm\r\n${auth()}\r\nContent-Type: application/json\r\nContent-Length: ${bytes.length}${extra}`;
    return send(head, bytes);
  };

  it('refuses invalid bytes in header names and values with a 400 problem', async () => {
    const arbitrary = fc.record({
      where: fc.constantFrom('name', 'value', 'authorization'),
      byte: fc.constantFrom(...BAD_VALUE_BYTES),
      nameByte: fc.constantFrom(...BAD_NAME_BYTES),
      at: fc.nat(),
    });
    await check(arbitrary, 45, async ({ where, byte, nameByte, at }) => {
      const splice = (text: string, inserted: number): Buffer => {
        const cut = at % (text.length + 1);
        return Buffer.concat([Buffer.from(text.slice(0, cut)), Buffer.from([inserted]), Buffer.from(text.slice(cut))]);
      };
      const line =
        where === 'name'
          ? Buffer.concat([splice('X-Fuzz', nameByte), Buffer.from(': 1')])
          : where === 'value'
            ? Buffer.concat([Buffer.from('X-Fuzz: '), splice('some value', byte)])
            : Buffer.concat([Buffer.from('Authorization: '), splice(`Bearer ${apiKey}`, byte)]);
      // With valid credentials elsewhere, a request that got through would be a 200.
      const credentials = where === 'authorization' ? '' : `${auth()}\r\n`;
      const head = Buffer.concat([Buffer.from(`GET /v1/me HTTP/1.1\r\nHost: crm\r\n${credentials}`), line]);
      expectProblem(await send(head), 400);
    });
  });

  it('refuses a NUL after the API key with a 400 problem', async () => {
    expectProblem(await send(`GET /v1/me HTTP/1.1\r\nHost: crm\r\nAuthorization: Bearer ${apiKey}\0`), 400);
  });

  it('answers unknown, lower-case and unrouted methods with a problem', async () => {
    expectProblem(await send('FOO /v1/me HTTP/1.1\r\nHost: crm'), 400);
    expectProblem(await send('get /v1/me HTTP/1.1\r\nHost: crm'), 400);
    expectProblem(await send('PROPFIND /v1/me HTTP/1.1\r\nHost: crm'), 405);
    expectProblem(await send('PRI /v1/me HTTP/1.1\r\nHost: crm'), 400);
    expectProblem(await send('CONNECT crm:443 HTTP/1.1\r\nHost: crm:443'), 400);
    // HEAD has no body to check; CONNECT is above (authority form).
    const known = http.METHODS.filter((m) => m !== 'HEAD' && m !== 'CONNECT');
    const method = fc
      .oneof(fc.constantFrom(...known), fc.stringMatching(/^[A-Za-z]{1,12}$/))
      .filter((name) => name !== 'HEAD' && name !== 'CONNECT');
    await check(method, 40, async (name) => {
      expectProblem(await send(`${name} /v1/customers HTTP/1.1\r\nHost: crm`));
    });
  });

  it('refuses raw non-ASCII bytes in the path with a 400 problem', async () => {
    const arbitrary = fc.record({
      bytes: fc.uint8Array({ minLength: 1, maxLength: 6, min: 0x80, max: 0xff }),
      path: fc.constantFrom('/v1/customers/', '/v1/', '/', '/v1/me'),
    });
    await check(arbitrary, 30, async ({ bytes, path }) => {
      const head = Buffer.concat([
        Buffer.from(`GET ${path}`),
        bytes,
        Buffer.from(` HTTP/1.1\r\nHost: crm\r\n${auth()}`),
      ]);
      expectProblem(await send(head), 400);
    });
  });

  it('refuses percent-encoding errors in the path with a 400 problem', async () => {
    const hex = fc.constantFrom(...'0123456789abcdefABCDEF');
    const notHex = fc.constantFrom(...'gGzZ-_.~!xX%');
    const badEscape = fc.oneof(
      fc.constant('%'),
      hex.map((h) => `%${h}`),
      fc.tuple(notHex, hex).map(([a, b]) => `%${a}${b}`),
      fc.tuple(hex, notHex).map(([a, b]) => `%${a}${b}`),
      // Escapes of bytes that are not UTF-8: a lone continuation, an overlong form, a surrogate,
      // a truncated sequence, a byte that never occurs.
      fc.constantFrom('%80', '%C0%AF', '%ED%A0%80', '%E0%A4', '%F4%90%80%80', '%FF', '%C3%28'),
    );
    await check(fc.tuple(badEscape, fc.constantFrom('', 'x')), 25, async ([escape, tail]) => {
      expectProblem(await send(`GET /v1/customers/${escape}${tail} HTTP/1.1\r\nHost: crm\r\n${auth()}`), 400);
    });
  });

  it('answers oversized headers with a 431 problem', async () => {
    const arbitrary = fc.record({ size: fc.integer({ min: 17_000, max: 200_000 }), split: fc.boolean() });
    await check(arbitrary, 8, async ({ size, split }) => {
      const headers = split
        ? Array.from({ length: Math.ceil(size / 1000) }, (_, i) => `X-Pad-${i}: ${'p'.repeat(990)}`).join('\r\n')
        : `X-Big: ${'b'.repeat(size)}`;
      expectProblem(await send(`GET /v1/me HTTP/1.1\r\nHost: crm\r\n${auth()}\r\n${headers}`), 431);
    });
  });

  describe('a 20 MB upload is answered, and read to the end, before the connection closes', () => {
    const SIZE = 20 * MB;
    const upload = (framing: 'length' | 'chunked', headers: string): Promise<RawResponse> => {
      const length = framing === 'chunked' ? 'Transfer-Encoding: chunked' : `Content-Length: ${SIZE}`;
      const head = Buffer.from(`POST /v1/customers HTTP/1.1\r\nHost: crm\r\n${headers}${length}\r\n\r\n`);
      return exchange(target, [head, ...bodyPieces(SIZE, framing === 'chunked')]);
    };

    for (const framing of ['length', 'chunked'] as const) {
      it(`with ${framing === 'length' ? 'Content-Length' : 'chunked encoding'}: 413, three times`, async () => {
        for (let round = 0; round < 3; round++) {
          expectProblem(await upload(framing, `${auth()}\r\nContent-Type: application/json\r\n`), 413);
        }
      });
    }

    it('without credentials (401) and with the wrong content type (415)', async () => {
      expectProblem(await upload('length', 'Content-Type: application/json\r\n'), 401);
      expectProblem(await upload('chunked', `${auth()}\r\nContent-Type: text/plain\r\n`), 415);
    });
  });

  it('refuses repeated credential headers with a 400 problem', async () => {
    const cases = [
      `${auth()}\r\n${auth()}`,
      `authorization: Bearer ${apiKey}\r\nAUTHORIZATION: Bearer tp_not_a_key`,
      `Authorization: Bearer tp_not_a_key\r\n${auth()}`,
    ];
    for (const credentials of cases) {
      const problem = expectProblem(await send(`GET /v1/me HTTP/1.1\r\nHost: crm\r\n${credentials}`), 400);
      expect(problem.errors).toEqual([{ path: '/headers/authorization', message: 'is repeated' }]);
    }
    const body = JSON.stringify({ name: 'twice' });
    const head =
      `POST /v1/tenants HTTP/1.1\r\nHost: crm\r\nX-Admin-Token: ${crm.adminToken}\r\n` +
      `x-admin-token: ${crm.adminToken}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}`;
    expect(expectProblem(await send(head, body), 400).errors).toEqual([
      { path: '/headers/x-admin-token', message: 'is repeated' },
    ]);
  });

  it('accepts only decimal digits for integer query parameters', async () => {
    const get = (path: string): Promise<RawResponse> => send(`GET ${path} HTTP/1.1\r\nHost: crm\r\n${auth()}`);
    // Leading zeros are decimal too.
    for (const limit of ['5', '05', '100']) expect((await get(`/v1/customers?limit=${limit}`)).status).toBe(200);
    const structured = fc.oneof(
      fc.nat({ max: 99 }).map((n) => `0x${n.toString(16)}`),
      fc.integer({ min: 1, max: 9 }).map((n) => `${n}e${n % 3}`),
      fc.integer({ min: 1, max: 50 }).map((n) => ` ${n}`),
      fc.integer({ min: 1, max: 50 }).map((n) => `${n} `),
      fc.integer({ min: 1, max: 50 }).map((n) => `+${n}`),
      fc.integer({ min: 1, max: 50 }).map((n) => `-${n}`),
      fc.integer({ min: 1, max: 50 }).map((n) => `${n}.0`),
      fc.integer({ min: 1, max: 50 }).map((n) => `${n}_0`),
      fc.constantFrom('', '0b11', '0o7', 'Infinity', 'NaN', '1n', '٣', '５'),
    );
    const anyText = fc.string({ maxLength: 8 }).filter((s) => !/^\d+$/.test(s));
    const arbitrary = fc.record({
      limit: fc.oneof(structured, anyText),
      path: fc.constantFrom('/v1/customers?', '/v1/jobs?', '/v1/search?q=a&', '/v1/audit-events?'),
    });
    await check(arbitrary, 60, async ({ limit, path }) => {
      const problem = expectProblem(await get(`${path}limit=${encodeURIComponent(limit)}`), 400);
      expect(problem.errors?.map((e) => e.path)).toContain('/limit');
    });
  });

  it('refuses a JSON body that is not valid UTF-8 with a 400 problem', async () => {
    const cont = fc.integer({ min: 0x80, max: 0xbf });
    const invalid = fc.oneof(
      cont.map((b) => [b]), // a continuation byte with no lead
      fc.tuple(fc.constantFrom(0xc0, 0xc1), cont).map((s) => [...s]), // overlong 2-byte
      fc.integer({ min: 0xc2, max: 0xdf }).map((b) => [b]), // truncated 2-byte
      fc.tuple(fc.integer({ min: 0xe1, max: 0xec }), cont).map((s) => [...s]), // truncated 3-byte
      fc.tuple(fc.integer({ min: 0xa0, max: 0xbf }), cont).map(([b, c]) => [0xed, b, c]), // a surrogate
      fc.tuple(fc.integer({ min: 0x90, max: 0xbf }), cont, cont).map(([b, c, d]) => [0xf4, b, c, d]), // > U+10FFFF
      fc.integer({ min: 0xf5, max: 0xff }).map((b) => [b]), // never valid
    );
    const arbitrary = fc.record({ bytes: invalid, inKey: fc.boolean() });
    await check(arbitrary, 40, async ({ bytes, inKey }) => {
      const bad = Buffer.from(bytes);
      const body = inKey
        ? Buffer.concat([Buffer.from('{"name":"Dana","email":"d@example.com","'), bad, Buffer.from('x":1}')])
        : Buffer.concat([Buffer.from('{"name":"Da'), bad, Buffer.from('na","email":"d@example.com"}')]);
      expect(() => new TextDecoder('utf-8', { fatal: true }).decode(body)).toThrow(); // the generator's premise
      const problem = expectProblem(await json('/v1/customers', body), 400);
      expect(problem.detail).toMatch(/UTF-8/);
    });
  });

  it('refuses lone surrogates in any string of a JSON body with a 400 problem', async () => {
    const arbitrary = fc.record({
      unit: fc.integer({ min: 0xd800, max: 0xdfff }),
      where: fc.constantFrom('value', 'key', 'nested'),
    });
    await check(arbitrary, 30, async ({ unit, where }) => {
      // High surrogates are followed by 'z' and low ones preceded by 'a': lone either way.
      const escape = `\\u${unit.toString(16)}`;
      const lone = unit < 0xdc00 ? `${escape}z` : `a${escape}`;
      const bodies = {
        value: [`{"name":"${lone}","email":"d@example.com"}`, '/name'],
        key: [`{"name":"Dana","email":"d@example.com","${lone}":1}`, `/${JSON.parse(`"${lone}"`) as string}`],
        nested: [`{"name":"Dana","email":"d@example.com","address":{"lines":["${lone}"]}}`, '/address/lines/0'],
      } as const;
      const [body, pointer] = bodies[where];
      const problem = expectProblem(await json('/v1/customers', body), 400);
      expect(problem.errors?.[0]?.path).toBe(pointer);
    });
  });

  it('answers malformed JSON, wrong content types, unknown routes and wrong methods with problems', async () => {
    for (const body of ['{"name":', '{name:1}', '[1,]', '{"a":1}}', '\u00ff']) {
      expectProblem(await json('/v1/customers', body), 400);
    }
    const plain = 'name=Dana';
    const typed = (type: string) =>
      `POST /v1/customers HTTP/1.1\r\nHost: crm\r\n${auth()}\r\nContent-Type: ${type}\r\nContent-Length: ${plain.length}`;
    expectProblem(await send(typed('text/plain'), plain), 415);
    expectProblem(await send(typed('application/x-www-form-urlencoded'), plain), 415);
    expectProblem(await send(`GET /v1/nowhere HTTP/1.1\r\nHost: crm\r\n${auth()}`), 404);
    expectProblem(await send(`DELETE /v1/me HTTP/1.1\r\nHost: crm\r\n${auth()}`), 405);
  });

  it('answers what Node would answer bare (no Host, an unknown Expect) with problems', async () => {
    expectProblem(await send(`GET /v1/me HTTP/1.1\r\n${auth()}`), 400);
    expectProblem(await send(`GET /v1/me HTTP/1.1\r\nHost: a\r\nHost: b\r\n${auth()}`), 400);
    expectProblem(await json('/v1/customers', '{}', '\r\nExpect: 200-ok'), 417);
  });

  it('still answers a normal authenticated request afterwards', async () => {
    const response = await send(`GET /v1/me HTTP/1.1\r\nHost: crm\r\n${auth()}`);
    expect(response.status).toBe(200);
    expect(header(response, 'content-type')).toMatch(/^application\/json/);
  });
});
