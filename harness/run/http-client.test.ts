/**
 * The client against a real loopback server that misbehaves on the wire: bodies over the cap,
 * a Content-Length larger than the cap, and a body that drips forever. Nothing here is timed:
 * the drip never ends, so only the deadline can end it.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient, TRUNCATED_KEEP_BYTES } from './http-client.ts';

const CAP = 256 * 1024;
let server: Server;
let base: string;
const sockets = new Set<Socket>();
const timers = new Set<NodeJS.Timeout>();

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/prefix/echo?x=1') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ url: req.url, host: req.headers.host, auth: req.headers.authorization }));
    } else if (req.url === '/small') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    } else if (req.url === '/big') {
      // Chunked (no length): the client learns it is too big only by reading.
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"pad":"');
      res.end(`${'x'.repeat(CAP * 3)}"}`);
    } else if (req.url === '/declared') {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '2147483648' });
      res.write('{"a":1}'); // and never the rest
    } else if (req.url === '/drip') {
      res.writeHead(200, { 'content-type': 'application/json' });
      const t = setInterval(() => res.write(' '), 20);
      timers.add(t);
      res.on('close', () => clearInterval(t));
    }
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const t of timers) clearInterval(t);
  for (const s of sockets) s.destroy();
  await new Promise<void>((r) => server.close(() => r()));
});

const client = (timeoutMs = 60_000) =>
  new HttpClient({ baseURL: base, timeoutMs, maxBodyBytes: CAP, maxThrottleRetries: 0, maxRetryAfterMs: 0 });

describe('HttpClient on a hostile server', () => {
  it('reads a body under the cap whole, and parses it', async () => {
    const r = await client().send({ method: 'GET', path: '/small', headers: {} });
    expect(r.response).toMatchObject({ status: 200, json: { ok: true } });
    expect(r.response!.truncated).toBeUndefined();
  });

  it('cuts a body over the cap, keeps only its first bytes, and notes it as a conformance event', async () => {
    const r = await client().send({ method: 'GET', path: '/big', headers: {} });
    const res = r.response!;
    expect(res.truncated).toBe(true);
    expect(res.receivedBytes).toBeGreaterThan(CAP);
    expect(res.bodyText.length).toBe(TRUNCATED_KEEP_BYTES);
    expect(res.json).toBeUndefined();
    expect(res.notes).toEqual(['body over the response size cap (256 KB, --max-response-size): recorded truncated']);
  });

  it('does not wait for a body whose declared length is over the cap', async () => {
    // The deadline is far: only the declared length can end this exchange early.
    const r = await client(600_000).send({ method: 'GET', path: '/declared', headers: {} });
    expect(r.error).toBeUndefined();
    expect(r.response).toMatchObject({ status: 200, truncated: true, bodyText: '' });
    expect(r.response!.notes![0]).toMatch(/^declares Content-Length 2147483648, over the response size cap/);
  });

  it('ends a body that drips forever at the per-request deadline (headers came in time)', async () => {
    const r = await client(500).send({ method: 'GET', path: '/drip', headers: {} });
    expect(r.response).toBeUndefined();
    expect(r.error).toEqual({
      code: 'TIMEOUT',
      message: 'no complete answer (headers and body) within the 500 ms request deadline',
    });
  });

  it('ends every request in flight when the run signal aborts, and sends later ones', async () => {
    const c = client(600_000);
    const run = new AbortController();
    const pending = [1, 2, 3].map(() => c.send({ method: 'GET', path: '/drip', headers: {}, signal: run.signal }));
    await new Promise((r) => setTimeout(r, 50));
    run.abort();
    for (const r of await Promise.all(pending))
      expect(r.error).toEqual({ code: 'ABORTED', message: 'request aborted' });
    const later = await c.send({ method: 'GET', path: '/small', headers: {}, signal: new AbortController().signal });
    expect(later.response).toMatchObject({ status: 200, json: { ok: true } });
    c.close();
  });

  it('records a request the transport refuses to send (a hop-by-hop header) as a transport error, and goes on', async () => {
    const c = client();
    const refused = await c.send({ method: 'GET', path: '/small', headers: { Upgrade: 'websocket' } });
    expect(refused.response).toBeUndefined();
    expect(refused.error?.code).toMatch(/\S/);
    expect(refused.error?.message).toMatch(/upgrade/i);
    const next = await c.send({ method: 'GET', path: '/small', headers: {} });
    expect(next.response).toMatchObject({ status: 200, json: { ok: true } });
    c.close();
  });

  it('sends to a base URL with a path, with the Host header and the headers given', async () => {
    const c = new HttpClient({
      baseURL: `${base}/prefix/`,
      timeoutMs: 60_000,
      maxBodyBytes: CAP,
      maxThrottleRetries: 0,
      maxRetryAfterMs: 0,
    });
    const r = await c.send({ method: 'get', path: '/echo?x=1', headers: { Authorization: 'Bearer t' } });
    expect(r.request).toMatchObject({
      method: 'GET',
      url: `${base}/prefix/echo?x=1`,
      headers: { authorization: 'Bearer t' },
    });
    expect(r.response!.json).toEqual({ url: '/prefix/echo?x=1', host: base.replace('http://', ''), auth: 'Bearer t' });
    c.close();
  });
});
