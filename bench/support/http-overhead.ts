/**
 * The client side of one HTTP exchange, measured three ways: the harness's own HttpClient
 * (harness/run/http-client.ts, whatever transport it uses; its send() also copies headers and
 * parses JSON bodies), global `fetch` as the harness sent before commit 8d876fe (an
 * `AbortSignal.any` of the run's signal and a per-request timeout, the body read chunk by chunk
 * from the web stream, headers copied out), and bare `node:http` with a keep-alive agent. The
 * server (a ~0.6 KB JSON answer) runs in a child process, so the CPU measured here is the client's
 * alone. Sequential requests, rounds alternating between the variants (in reverse order every
 * other round). With `beforeClient` (the
 * http-client.ts of an older checkout), that client is measured too, in the same rounds.
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import { HttpClient } from '../../harness/run/http-client.ts';
import { round } from './common.ts';

const SERVER = `
const http = require('node:http');
const body = JSON.stringify({ data: Array.from({ length: 3 }, (_, i) => ({ id: '3b7c9f0e-1d2a-4e5b-9c8d-00000000000' + i, name: 'tpT1abcdefghij Whitfield Plumbing', email: 'tpt1abcdefghij.1@t1.example', phone: '+1 555 010 2233', tags: ['residential'], createdAt: '2026-01-05T09:30:00.000Z', updatedAt: '2026-01-06T10:00:00.000Z' })), nextCursor: null });
const s = http.createServer((req, res) => { req.resume(); req.on('end', () => { res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'x-request-id': 'req_' + Math.random().toString(36).slice(2), 'content-length': Buffer.byteLength(body) }); res.end(body); }); });
s.keepAliveTimeout = 60000;
s.listen(0, '127.0.0.1', () => process.stdout.write(String(s.address().port) + '\\n'));
`;

interface Cost {
  cpuUsPerRequest: number;
  wallUsPerRequest: number;
}

export interface ClientOverhead {
  requests: number;
  rounds: number;
  harnessClient: Cost;
  /** The older checkout's HttpClient, when one was given. */
  harnessClientBefore?: Cost & { module: string };
  fetch: Cost;
  nodeHttp: Cost;
  /** fetch ÷ node:http, client CPU. */
  cpuRatio: number;
  /** The harness's HttpClient ÷ bare node:http, client CPU. */
  harnessOverNodeHttp: number;
}

type HttpClientClass = typeof HttpClient;

export async function measureClientOverhead(
  requests: number,
  rounds = 2,
  /** `beforeClient`: the older http-client.ts to load, and how the report names it. */
  options: { beforeClient?: { path: string; label: string } } = {},
): Promise<ClientOverhead> {
  const Before = options.beforeClient
    ? ((await import(options.beforeClient.path)) as { HttpClient: HttpClientClass }).HttpClient
    : undefined;
  const server = spawn(process.execPath, ['-e', SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    server.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim())));
    server.once('exit', (code) => reject(new Error(`test server exited with ${code}`)));
  });
  const url = `http://127.0.0.1:${port}/v1/customers?limit=2`;
  const run = new AbortController();
  const viaFetch = async (): Promise<string> => {
    const timeout = AbortSignal.timeout(10_000);
    const res = await fetch(url, {
      method: 'GET',
      headers: { authorization: 'Bearer tpk_bench' },
      signal: AbortSignal.any([run.signal, timeout]),
      redirect: 'manual',
    });
    const reader = res.body!.getReader();
    const chunks: Uint8Array[] = [];
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
    }
    const headers: Record<string, string> = {};
    res.headers.forEach((v, k) => {
      headers[k] = v;
    });
    return Buffer.concat(chunks).toString('utf8');
  };
  const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  const viaHttp = (): Promise<string> =>
    new Promise((resolve, reject) => {
      const req = http.request(
        url,
        { method: 'GET', headers: { authorization: 'Bearer tpk_bench' }, agent, timeout: 10_000 },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end();
    });
  const clientOptions = {
    baseURL: `http://127.0.0.1:${port}`,
    timeoutMs: 10_000,
    maxBodyBytes: 8 * 1024 * 1024,
    maxThrottleRetries: 5,
    maxRetryAfterMs: 30_000,
  };
  const via = (client: HttpClient) => async (): Promise<string> =>
    (
      await client.send({
        method: 'GET',
        path: '/v1/customers?limit=2',
        headers: { Authorization: 'Bearer tpk_bench' },
        signal: run.signal,
      })
    ).response?.bodyText ?? '';
  const harness = new HttpClient(clientOptions);
  const before = Before ? new Before(clientOptions) : undefined;
  const totals = {
    harnessClient: { cpu: 0, wall: 0 },
    harnessClientBefore: { cpu: 0, wall: 0 },
    fetch: { cpu: 0, wall: 0 },
    nodeHttp: { cpu: 0, wall: 0 },
  };
  const variants: [keyof typeof totals, () => Promise<string>][] = [
    ['harnessClient', via(harness)],
    ...(before ? [['harnessClientBefore', via(before)] as [keyof typeof totals, () => Promise<string>]] : []),
    ['fetch', viaFetch],
    ['nodeHttp', viaHttp],
  ];
  try {
    for (let r = 0; r < rounds; r++) {
      // Every other round in reverse order, so that no variant always follows the same one (fetch
      // leaves garbage that the next variant's collections pay for).
      for (const [name, fn] of r % 2 === 0 ? variants : [...variants].reverse()) {
        for (let i = 0; i < Math.min(300, requests); i++) await fn();
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        for (let i = 0; i < requests; i++) await fn();
        const c = process.cpuUsage(c0);
        totals[name].cpu += c.user + c.system;
        totals[name].wall += (performance.now() - t0) * 1000;
      }
    }
  } finally {
    agent.destroy();
    (harness as { close?: () => void }).close?.();
    (before as { close?: () => void } | undefined)?.close?.();
    server.kill();
  }
  const per = (x: number): number => round(x / (requests * rounds), 0)!;
  return {
    requests,
    rounds,
    harnessClient: { cpuUsPerRequest: per(totals.harnessClient.cpu), wallUsPerRequest: per(totals.harnessClient.wall) },
    ...(options.beforeClient
      ? {
          harnessClientBefore: {
            module: options.beforeClient.label,
            cpuUsPerRequest: per(totals.harnessClientBefore.cpu),
            wallUsPerRequest: per(totals.harnessClientBefore.wall),
          },
        }
      : {}),
    fetch: { cpuUsPerRequest: per(totals.fetch.cpu), wallUsPerRequest: per(totals.fetch.wall) },
    nodeHttp: { cpuUsPerRequest: per(totals.nodeHttp.cpu), wallUsPerRequest: per(totals.nodeHttp.wall) },
    cpuRatio: round(totals.fetch.cpu / Math.max(1, totals.nodeHttp.cpu), 2)!,
    harnessOverNodeHttp: round(totals.harnessClient.cpu / Math.max(1, totals.nodeHttp.cpu), 2)!,
  };
}
