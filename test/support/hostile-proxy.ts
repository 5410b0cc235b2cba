/**
 * A hostile server for the harness's own robustness tests: a reverse proxy on loopback in front of
 * a correct API that misbehaves on the wire in one chosen way, the way broken or malicious
 * third-party servers do. Provisioning paths pass through untouched, so tenants can still be made;
 * nothing about tenant isolation changes, so a LEAK verdict through it is always a false one.
 *
 *   slow-drip      the status and headers come at once, then the body drips a byte every 300 ms
 *   length-lie     `Content-Length: 2147483648`, the real body, then the socket stays open
 *   huge-body      the JSON body padded with whitespace to 50 MB (still valid JSON), chunked
 *   invalid-json   labelled `application/json`, but cut in half
 *   mislabelled    valid JSON labelled `text/html`
 *   redirect       `307` to the same path on another port (a trap server that counts requests)
 *   echo-secrets   the request's credential echoed back in response headers, base64, base64url,
 *                  percent-encoded and hex, and as hex inside a JSON error body
 */
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export const HOSTILE_MODES = [
  'slow-drip',
  'length-lie',
  'huge-body',
  'invalid-json',
  'mislabelled',
  'redirect',
  'echo-secrets',
] as const;
export type HostileMode = (typeof HOSTILE_MODES)[number];

export interface HostileProxy {
  url: string;
  /** Requests that reached the redirect trap (a client that follows redirects across ports). */
  trapped: number;
  /** Answers the proxy altered. */
  altered: number;
  /** Every credential it saw go by: Authorization values, their bearer tokens, passwords in request bodies. */
  secrets: Set<string>;
  close(): Promise<void>;
}

const HUGE_BYTES = 50 * 1024 * 1024;
let padding: Buffer | undefined;

interface Upstream {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function forward(target: URL, req: IncomingMessage, body: Buffer): Promise<Upstream> {
  return new Promise((resolve, reject) => {
    const up = request(
      {
        hostname: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: target.host },
      },
      (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (c: Buffer) => chunks.push(c));
        answer.on('end', () =>
          resolve({ status: answer.statusCode ?? 502, headers: { ...answer.headers }, body: Buffer.concat(chunks) }),
        );
        answer.on('error', reject);
      },
    );
    up.on('error', reject);
    up.end(body);
  });
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)),
  );
}

export async function startHostileProxy(
  targetUrl: string,
  mode: HostileMode,
  passThrough: readonly string[] = ['/signup', '/login'],
): Promise<HostileProxy> {
  const target = new URL(targetUrl);
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const state = { trapped: 0, altered: 0 };
  const secrets = new Set<string>();
  const collect = (req: IncomingMessage, body: Buffer): void => {
    const auth = req.headers.authorization;
    if (auth) {
      secrets.add(auth);
      secrets.add(auth.replace(/^Bearer\s+/i, ''));
    }
    try {
      const json = JSON.parse(body.toString('utf8')) as { password?: unknown };
      if (typeof json.password === 'string') secrets.add(json.password);
    } catch {
      // not JSON: no password field to collect
    }
  };

  const trap = createServer((_req, res) => {
    state.trapped++;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"trap":true}');
  });
  const trapUrl = await listen(trap);

  const misbehave = (req: IncomingMessage, res: ServerResponse, up: Upstream): void => {
    const headers = { ...up.headers };
    delete headers['transfer-encoding'];
    delete headers['content-length'];
    state.altered++;
    switch (mode) {
      case 'slow-drip': {
        res.writeHead(up.status, headers);
        let i = 0;
        const drip = setInterval(() => {
          if (i >= up.body.length || res.destroyed) {
            clearInterval(drip);
            timers.delete(drip);
            res.end();
            return;
          }
          res.write(up.body.subarray(i, ++i));
        }, 300);
        timers.add(drip);
        return;
      }
      case 'length-lie':
        res.writeHead(up.status, { ...headers, 'content-length': '2147483648' });
        res.write(up.body);
        return; // never ends: the socket stays open until the client gives up
      case 'huge-body': {
        padding ??= Buffer.alloc(HUGE_BYTES, 0x20);
        res.writeHead(up.status, headers);
        res.write(up.body);
        res.end(padding.subarray(0, Math.max(0, HUGE_BYTES - up.body.length)));
        return;
      }
      case 'invalid-json': {
        const cut = up.body.subarray(0, Math.floor(up.body.length / 2));
        res.writeHead(up.status, { ...headers, 'content-type': 'application/json', 'content-length': cut.length });
        res.end(cut);
        return;
      }
      case 'mislabelled':
        res.writeHead(up.status, {
          ...headers,
          'content-type': 'text/html; charset=utf-8',
          'content-length': up.body.length,
        });
        res.end(up.body);
        return;
      case 'redirect':
        res.writeHead(307, { location: `${trapUrl}${req.url ?? '/'}`, 'content-length': 0 });
        res.end();
        return;
      case 'echo-secrets': {
        const credential = String(req.headers.authorization ?? '');
        const token = credential.replace(/^Bearer\s+/i, '');
        const echo = {
          'x-debug-auth-b64': Buffer.from(credential).toString('base64'),
          'x-debug-token-b64url': Buffer.from(token).toString('base64url'),
          'x-debug-auth-pct': encodeURIComponent(credential),
          'x-debug-token-hex': Buffer.from(token).toString('hex'),
        };
        let body = up.body;
        if (up.status >= 400 && /json/.test(String(headers['content-type'] ?? ''))) {
          const parsed = JSON.parse(up.body.toString('utf8')) as Record<string, unknown>;
          body = Buffer.from(JSON.stringify({ ...parsed, debugCredentialHex: echo['x-debug-token-hex'] }));
        }
        res.writeHead(up.status, { ...headers, ...echo, 'content-length': body.length });
        res.end(body);
        return;
      }
    }
  };

  const proxy = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      collect(req, Buffer.concat(chunks));
      forward(target, req, Buffer.concat(chunks)).then(
        (up) => {
          if (passThrough.some((p) => req.url?.startsWith(p))) {
            res.writeHead(up.status, up.headers);
            res.end(up.body);
          } else misbehave(req, res, up);
        },
        (err: Error) => {
          res.writeHead(502, { 'content-type': 'text/plain' });
          res.end(`hostile proxy: ${err.message}`);
        },
      );
    });
  });
  proxy.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const url = await listen(proxy);

  return {
    url,
    get trapped() {
      return state.trapped;
    },
    get altered() {
      return state.altered;
    },
    secrets,
    close: async () => {
      for (const t of timers) clearInterval(t);
      for (const s of sockets) s.destroy();
      await Promise.all(
        [proxy, trap].map((s) => new Promise<void>((done) => s.close(() => done()).closeAllConnections())),
      );
    },
  };
}
