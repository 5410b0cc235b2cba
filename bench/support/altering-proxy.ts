/**
 * A reverse proxy on loopback that alters a correct API's answers the way sloppy real servers do,
 * without touching what they mean: every JSON answer is labelled `text/html`, and one in `breakEvery`
 * has its body cut short (invalid JSON, as a server that crashes mid-write sends). Provisioning
 * (`/v1/tenants`) passes unaltered, so tenants can still be made. Nothing about tenant isolation
 * changes, so any LEAK verdict through it is a false one.
 */
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface AlteringProxy {
  url: string;
  /** Answers relabelled, and answers whose body was cut short. */
  stats: { relabelled: number; broken: number };
  close(): Promise<void>;
}

export interface AlteringProxyOptions {
  /** Cut short one JSON answer in this many (0: never). Default 40. */
  breakEvery?: number;
  /** Paths left alone (prefixes). Default `/v1/tenants`. */
  passThrough?: readonly string[];
}

export async function startAlteringProxy(target: string, options: AlteringProxyOptions = {}): Promise<AlteringProxy> {
  const upstream = new URL(target);
  const breakEvery = options.breakEvery ?? 40;
  const passThrough = options.passThrough ?? ['/v1/tenants'];
  const stats = { relabelled: 0, broken: 0 };
  let jsonAnswers = 0;

  const forward = (req: IncomingMessage, res: ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const up = request(
        {
          hostname: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: upstream.host },
        },
        (answer) => {
          const body: Buffer[] = [];
          answer.on('data', (c: Buffer) => body.push(c));
          answer.on('end', () => {
            let bytes = Buffer.concat(body);
            const headers = { ...answer.headers };
            const untouched = passThrough.some((p) => req.url?.startsWith(p));
            if (!untouched && /json/i.test(String(headers['content-type'] ?? '')) && bytes.length > 0) {
              headers['content-type'] = 'text/html; charset=utf-8';
              stats.relabelled++;
              if (breakEvery > 0 && ++jsonAnswers % breakEvery === 0) {
                bytes = bytes.subarray(0, Math.floor(bytes.length / 2));
                stats.broken++;
              }
            }
            delete headers['transfer-encoding'];
            headers['content-length'] = String(bytes.length);
            res.writeHead(answer.statusCode ?? 502, headers);
            res.end(bytes);
          });
        },
      );
      up.on('error', (e) => {
        res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(`proxy: ${e.message}`);
      });
      up.end(Buffer.concat(chunks));
    });
  };

  const server: Server = createServer(forward);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stats,
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}
