/**
 * `tenantproof run` on bad input and bad targets: each ends with a clear message and the right
 * exit code, and whatever ran is still written as verifiable evidence.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync, existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';

const out = mkdtempSync(path.join(tmpdir(), 'tp-robust-'));
const CRM_SPEC = 'specs/crm.openapi.yaml';

function latestRun(dir: string): string {
  const runs = readdirSync(dir).filter((d) => d !== 'latest' && statSync(path.join(dir, d)).isDirectory());
  return path.join(dir, runs.sort().at(-1)!);
}

function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<Server> {
  return new Promise((resolve) => {
    const server = createServer(handler);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

function credsFile(): string {
  const file = path.join(out, `creds-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(
    file,
    JSON.stringify({
      tenants: [
        { id: '00000000-0000-4000-8000-000000000001', headers: { authorization: 'Bearer secret-one-aaaaaaaa' } },
        { id: '00000000-0000-4000-8000-000000000002', headers: { authorization: 'Bearer secret-two-bbbbbbbb' } },
      ],
    }),
  );
  return file;
}

describe('tenantproof run: usage and config errors exit 2 with a message that says what to fix', () => {
  it('a malformed spec names the file and the location', async () => {
    const bad = path.join(out, 'bad.yaml');
    writeFileSync(
      bad,
      'openapi: 3.1.0\ninfo: { title: x, version: "1" }\npaths:\n  /a:\n    get:\n      responses:\n        "200": { $ref: "#/components/responses/Nope" }\n',
    );
    const r = await runCli(['run', '--spec', bad, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('bad.yaml');
    expect(r.stderr).toMatch(/Nope/);
  });

  it('an unknown fault lists the real ones', async () => {
    const r = await runCli(['run', '--fault', 'no-such-fault', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no-such-fault');
    expect(r.stderr).toContain('get-unscoped');
  });

  it('a bad flag value says which flag', async () => {
    const r = await runCli(['run', '--budget', 'soon', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/budget/);
    const r2 = await runCli(['run', '--tenants', '1', '--out', out]);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(/tenants/);
  });

  it('an invalid config file names the setting', async () => {
    const cfg = path.join(out, 'bad.config.ts');
    writeFileSync(cfg, "export default { tenants: 'many', colour: 'blue' };\n");
    const r = await runCli(['run', '--config', cfg, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/tenants/);
    expect(r.stderr).toMatch(/colour/);
  });

  it('a missing or malformed credentials file is a config error that names the file', async () => {
    const r = await runCli(['run', '--provision', 'file:/nonexistent/creds.json', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/provisioning failed: .*\/nonexistent\/creds\.json/);
    const bad = path.join(out, 'bad-creds.json');
    writeFileSync(bad, JSON.stringify({ tenants: [{ headers: {} }] }));
    const r2 = await runCli(['run', '--provision', `file:${bad}`, '--out', out]);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toContain('bad-creds.json');
  });
});

describe('tenantproof run: an unusable target exits 3', () => {
  it('an unreachable target is reported before any campaign starts', async () => {
    const r = await runCli([
      'run',
      '--spec',
      CRM_SPEC,
      '--target',
      'http://127.0.0.1:9',
      '--provision',
      `file:${credsFile()}`,
      '--out',
      out,
    ]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/cannot reach the target at http:\/\/127\.0\.0\.1:9/);
  });

  describe('against misbehaving servers', () => {
    let storm: Server;
    let huge: Server;
    beforeAll(async () => {
      storm = await listen((_req, res) => {
        res.writeHead(503, { 'content-type': 'text/html' });
        res.end('<html>upstream overloaded</html>');
      });
      const big = 'x'.repeat(9 * 1024 * 1024);
      huge = await listen((req, res) => {
        // Non-JSON and oversized answers: the harness must cut them, not choke on them.
        if (req.method === 'GET') {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(big);
        } else {
          res.writeHead(201, { 'content-type': 'text/plain' });
          res.end('created, probably');
        }
      });
    });
    afterAll(() => {
      storm.close();
      huge.close();
    });

    it('a 5xx storm ends the campaign with exit 3 and says so, leaving verifiable evidence', async () => {
      const url = `http://127.0.0.1:${(storm.address() as AddressInfo).port}`;
      const dir = mkdtempSync(path.join(out, 'storm-'));
      const r = await runCli([
        'run',
        '--spec',
        CRM_SPEC,
        '--target',
        url,
        '--provision',
        `file:${credsFile()}`,
        '--budget',
        '20s',
        '--seed',
        '1',
        '--out',
        dir,
      ]);
      expect(r.code).toBe(3);
      expect(r.stdout + r.stderr).toMatch(/target is failing|503/);
      const run = latestRun(dir);
      const evidence = JSON.parse(readFileSync(path.join(run, 'evidence.json'), 'utf8')) as {
        verdict: string;
        method: { partial: boolean };
      };
      expect(evidence.verdict).not.toBe('clean');
      const v = await runCli(['verify', run]);
      expect(v.code).toBe(0);
    });

    it('huge and non-JSON bodies are truncated and judged, without a crash', async () => {
      const url = `http://127.0.0.1:${(huge.address() as AddressInfo).port}`;
      const dir = mkdtempSync(path.join(out, 'huge-'));
      const r = await runCli([
        'run',
        '--spec',
        CRM_SPEC,
        '--target',
        url,
        '--provision',
        `file:${credsFile()}`,
        '--budget',
        '5s',
        '--runs',
        '2',
        '--seed',
        '2',
        '--out',
        dir,
      ]);
      expect(r.stderr).not.toMatch(/TypeError|RangeError|at .*\.ts:\d+/);
      expect([0, 3]).toContain(r.code);
      const run = latestRun(dir);
      const transcript = readFileSync(path.join(run, 'transcript.ndjson'), 'utf8');
      expect(transcript).toContain('"truncated":true');
      expect((await runCli(['verify', run])).code).toBe(0);
    });
  });
});

describe('tenantproof run: no evidence is ever deleted', () => {
  let server: Server;
  let made = 0;
  beforeAll(async () => {
    // Provisions the first check's four tenants and the first run's four, then refuses: the failure
    // comes mid-campaign. Every other request gets a JSON 404, so the campaign has answers to record.
    server = await listen((req, res) => {
      if (req.method === 'POST' && req.url === '/v1/tenants') {
        made++;
        if (made > 8) {
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end('{"title":"tenant store unavailable"}');
          return;
        }
        res.writeHead(201, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ tenant: { id: `t-${made}`, name: `t${made}` }, apiKey: `tpk_made_${made}_abcdefgh` }));
        return;
      }
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end('{"title":"Not found"}');
    });
  });
  afterAll(() => server.close());

  it('a provisioning failure mid-campaign seals what ran as inconclusive (exit 3), and latest does not move', async () => {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const dir = mkdtempSync(path.join(out, 'provision-fails-'));
    const r = await runCli([
      'run',
      '--spec',
      CRM_SPEC,
      '--target',
      url,
      '--admin-token',
      'tpa_test_admin_token_0123456789',
      '--budget',
      '20s',
      '--seed',
      '1',
      '--out',
      dir,
    ]);
    expect(r.code, r.stdout + r.stderr).toBe(3);
    expect(r.stderr).toMatch(/tenant provisioning failed during the campaign: .*HTTP 500/);
    const run = latestRun(dir);
    const evidence = JSON.parse(readFileSync(path.join(run, 'evidence.json'), 'utf8')) as {
      verdict: string;
      verdictReason?: string;
      method: { partial: boolean; requestCount: number };
    };
    expect(evidence.verdict).toBe('inconclusive');
    expect(evidence.verdictReason).toMatch(/tenant provisioning failed during the campaign/);
    expect(evidence.method.partial).toBe(true);
    expect(evidence.method.requestCount).toBeGreaterThan(0);
    expect((await runCli(['verify', run])).code).toBe(0);
    // Only a run that reached a verdict moves `latest`.
    expect(existsSync(path.join(dir, 'latest'))).toBe(false);
  });
});

describe('tenantproof run: interruption and secrets', () => {
  it('SIGINT mid-run stops cleanly and writes partial, verifiable evidence with no secret in it', async () => {
    const dir = mkdtempSync(path.join(out, 'sigint-'));
    const adminToken = 'tpa_test_admin_token_must_not_leak_0123456789';
    let sent = false;
    const r = await runCli(['run', '--budget', '5m', '--seed', '3', '--tenants', '2', '--out', dir], {
      env: { CRM_ADMIN_TOKEN: adminToken },
      onSpawn: (child) => {
        let fallback: NodeJS.Timeout | undefined;
        child.stderr?.on('data', (d: Buffer) => {
          const text = d.toString();
          if (!sent && /requests [1-9]\d\d/.test(text)) {
            sent = true;
            child.kill('SIGINT');
          }
          // Progress lines come every 5 s on CI; a fallback so the test cannot hang, armed only once
          // the run has started (its signal handlers are installed by then, however slow the boot).
          if (!fallback && /tenantproof: run /.test(text)) {
            fallback = setTimeout(() => {
              if (!sent) {
                sent = true;
                child.kill('SIGINT');
              }
            }, 30_000);
          }
        });
        child.on('exit', () => clearTimeout(fallback));
      },
    });
    expect(sent).toBe(true);
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/SIGINT received/);
    const run = latestRun(dir);
    const evidence = JSON.parse(readFileSync(path.join(run, 'evidence.json'), 'utf8')) as {
      method: { partial: boolean; partialReason?: string; requestCount: number };
    };
    expect(evidence.method.partial).toBe(true);
    expect(evidence.method.partialReason).toMatch(/SIGINT/);
    expect(evidence.method.requestCount).toBeGreaterThan(0);
    expect((await runCli(['verify', run])).code).toBe(0);
    for (const file of readdirSync(run, { recursive: true }) as string[]) {
      const full = path.join(run, file);
      if (!statSync(full).isFile()) continue;
      const text = readFileSync(full, 'utf8');
      expect(text, file).not.toContain(adminToken);
      expect(text, file).not.toMatch(/tpk_[A-Za-z0-9_-]{20,}/);
    }
    // An interrupted run reached no verdict: `latest` does not move to it.
    expect(existsSync(path.join(dir, 'latest'))).toBe(false);
  });
});

describe('tenantproof run: interrupted before its first run completes', () => {
  it('exits 130 with partial evidence, not as an internal error', async () => {
    const dir = mkdtempSync(path.join(out, 'early-sigint-'));
    let sent = false;
    const r = await runCli(['run', '--budget', '5m', '--seed', '5', '--out', dir], {
      onSpawn: (child) => {
        let stderr = '';
        child.stderr?.on('data', (d: Buffer) => {
          stderr += d.toString();
          // The run's first line: its signal handlers are in place, no search run has completed.
          if (!sent && /tenantproof: run /.test(stderr)) {
            sent = true;
            child.kill('SIGINT');
          }
        });
      },
    });
    expect(sent).toBe(true);
    expect(r.code, r.stdout + r.stderr).toBe(130);
    expect(r.stderr).not.toMatch(/internal-error\.log/);
    const run = latestRun(dir);
    const evidence = JSON.parse(readFileSync(path.join(run, 'evidence.json'), 'utf8')) as {
      method: { partial: boolean; partialReason?: string };
    };
    expect(evidence.method.partial).toBe(true);
    expect(evidence.method.partialReason).toMatch(/SIGINT/);
    expect((await runCli(['verify', run])).code).toBe(0);
  });
});

describe('tenantproof run: a job killed outright (SIGKILL, as a CI timeout does)', () => {
  it('leaves the last checkpoint: partial, verifiable evidence, with the unsealed tail of the transcript named', async () => {
    const dir = mkdtempSync(path.join(out, 'sigkill-'));
    let killed = false;
    const r = await runCli(
      ['run', '--budget', '5m', '--seed', '4', '--tenants', '2', '--checkpoint-every', '2s', '--out', dir],
      {
        onSpawn: (child) => {
          // Kill once a checkpoint has been sealed and the run has gone on past it.
          const poll = setInterval(() => {
            const runs = readdirSync(dir).filter((d) => d !== 'latest');
            const sealed = runs.some((d) => existsSync(path.join(dir, d, 'attestation.json')));
            if (sealed && !killed) {
              killed = true;
              clearInterval(poll);
              setTimeout(() => child.kill('SIGKILL'), 1_500);
            }
          }, 200);
          child.on('exit', () => clearInterval(poll));
        },
      },
    );
    expect(killed).toBe(true);
    expect(r.signal).toBe('SIGKILL');
    const run = latestRun(dir);
    const evidence = JSON.parse(readFileSync(path.join(run, 'evidence.json'), 'utf8')) as {
      verdict: string;
      method: { partial: boolean; partialReason?: string; requestCount: number };
    };
    expect(evidence.method.partial).toBe(true);
    expect(evidence.method.partialReason).toMatch(/did not finish; this checkpoint was sealed at/);
    expect(evidence.method.requestCount).toBeGreaterThan(0);
    // Without a negative control a run cannot be clean: a killed clean run is inconclusive.
    expect(evidence.verdict).toBe('inconclusive');
    expect(readFileSync(path.join(run, 'report.html'), 'utf8')).toMatch(/partial/i);
    // The run went on after its last seal: verify refuses it unless told the run is partial…
    const strict = await runCli(['verify', run]);
    expect(strict.code).toBe(1);
    expect(strict.stdout).toMatch(/FAIL: the run did not finish.*--allow-partial/);
    // …and then accepts the sealed part, saying how much is not sealed.
    const v = await runCli(['verify', run, '--allow-partial']);
    expect(v.stdout + v.stderr).toMatch(/^OK:/m);
    expect(v.code).toBe(0);
    expect(v.stdout).toMatch(/NOTE transcript\.ndjson: \d+ bytes were written after the last checkpoint seal/);
  });
});
