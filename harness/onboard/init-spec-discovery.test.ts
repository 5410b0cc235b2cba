import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SpecNotFoundError, TargetUnreachableError } from './init-errors.ts';
import { endpointUrl, findSpec, parseOpenApi } from './init-spec-discovery.ts';

const TRACKLET = readFileSync('examples/third-party/openapi.yaml', 'utf8');

/** Serves the Tracklet spec at /api-json (as YAML text, as some frameworks do) and 404 elsewhere; /openapi.json is not a spec. */
let server: Server;
let url: string;
const seen: string[] = [];
beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(req.url ?? '');
    if (req.url === '/api-json') res.writeHead(200, { 'content-type': 'application/yaml' }).end(TRACKLET);
    else if (req.url === '/openapi.json')
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"hello":"world"}');
    else res.writeHead(404).end('not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('findSpec', () => {
  it('tries the framework endpoints in order and takes the first that is an OpenAPI document', async () => {
    seen.length = 0;
    const found = await findSpec({ target: url, cwd: process.cwd() });
    expect(found.kind).toBe('fetched');
    if (found.kind !== 'fetched') return;
    expect(found.url).toBe(`${url}/api-json`);
    expect(found.format).toBe('yaml');
    expect(found.text).toBe(TRACKLET);
    expect(seen).toEqual(['/openapi.json', '/api-json']);
    expect(found.tried).toEqual([`${url}/openapi.json (HTTP 200, not an OpenAPI document)`]);
  });

  it('names every URL it tried, and the fix, when none serves a spec', async () => {
    const err = await findSpec({ target: `${url}/nothing`, cwd: process.cwd() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SpecNotFoundError);
    const e = err as SpecNotFoundError;
    expect(e.exitCode).toBe(2);
    expect(e.tried).toHaveLength(7);
    expect(e.message).toContain(`${url}/nothing/v3/api-docs (HTTP 404)`);
    expect(e.hint).toBe('give the spec with --spec FILE|URL');
  });

  it('fetches --spec URL, and uses --spec FILE where it is', async () => {
    const fetched = await findSpec({ spec: `${url}/api-json`, cwd: process.cwd() });
    expect(fetched).toMatchObject({ kind: 'fetched', url: `${url}/api-json`, format: 'yaml' });
    const file = await findSpec({ spec: 'examples/third-party/openapi.yaml', cwd: '/work' });
    expect(file).toEqual({ kind: 'file', file: '/work/examples/third-party/openapi.yaml' });
    await expect(findSpec({ spec: `${url}/missing`, cwd: process.cwd() })).rejects.toThrow(/answered HTTP 404/);
  });

  it('an unreachable target is exit 3 with the network error', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const err = await findSpec({ target: `http://127.0.0.1:${port}`, cwd: process.cwd() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TargetUnreachableError);
    expect((err as TargetUnreachableError).exitCode).toBe(3);
    expect((err as Error).message).toMatch(/cannot reach .*ECONNREFUSED/);
  });
});

describe('parseOpenApi and endpointUrl', () => {
  it('tells JSON from YAML, and refuses what is not OpenAPI', () => {
    expect(parseOpenApi('{"openapi":"3.1.0"}')).toBe('json');
    expect(parseOpenApi('openapi: 3.0.3\ninfo: {}')).toBe('yaml');
    expect(parseOpenApi('<html>hi</html>')).toBeUndefined();
    expect(parseOpenApi('{"hello":1}')).toBeUndefined();
  });
  it('keeps a path prefix of the target', () => {
    expect(endpointUrl('http://h:1/api', '/openapi.json')).toBe('http://h:1/api/openapi.json');
    expect(endpointUrl('http://h:1/', '/openapi.json')).toBe('http://h:1/openapi.json');
  });
});
