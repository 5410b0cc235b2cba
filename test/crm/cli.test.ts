/** `tenantproof crm`: the fault listing, usage errors, and a real server process. */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../crm/cli.ts';
import { FAULT_CATALOGUE } from '../../crm/faults/catalogue.ts';

const BIN = fileURLToPath(new URL('../../bin/tenantproof.mjs', import.meta.url));

function captureStdout(): { text: () => string } {
  const chunks: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    chunks.push(String(chunk));
    return true;
  });
  return { text: () => chunks.join('') };
}

describe('tenantproof crm', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('--list-faults prints every fault with a one-line description', async () => {
    const out = captureStdout();
    expect(await main(['--list-faults'])).toBe(0);
    const lines = out.text().trim().split('\n');
    expect(lines).toHaveLength(FAULT_CATALOGUE.length);
    for (const fault of FAULT_CATALOGUE)
      expect(lines.some((line) => line.startsWith(fault.name) && line.includes(fault.description))).toBe(true);
  });

  it('--help prints usage, and bad usage exits 2', async () => {
    const out = captureStdout();
    expect(await main(['--help'])).toBe(0);
    expect(out.text()).toMatch(/--fault NAME/);
    expect(out.text()).toMatch(/Exit codes:\n {4}0 {2}stopped by SIGINT or SIGTERM/);
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    expect(await main(['--no-such-flag'])).toBe(2);
    expect(await main(['--fault', 'no-such-fault'])).toBe(2);
    expect(await main(['--port', 'eighty'])).toBe(2);
  });

  it('starts a server that prints its URL first, then the admin token, and stops on SIGTERM', async () => {
    const child = spawn(
      process.execPath,
      [BIN, 'crm', '--port', '0', '--admin-token', 'cli-test-token', '--fault', 'get-unscoped'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, CRM_FAULTS: '' },
      },
    );
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const url = (await lines.next()).value as string;
    const token = (await lines.next()).value as string;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(token).toBe('admin token: cli-test-token');
    const created = await fetch(`${url}/v1/tenants`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-admin-token': 'cli-test-token' },
      body: JSON.stringify({ name: 'CLI' }),
    });
    expect(created.status).toBe(201);
    const unauthorized = await fetch(`${url}/v1/me`);
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('stops cleanly (exit 0) on a SIGINT sent the moment its URL appears', async () => {
    const child = spawn(process.execPath, [BIN, 'crm', '--port', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, CRM_FAULTS: '' },
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on('exit', (code, signal) => resolve({ code, signal })),
    );
    child.stdout.once('data', () => child.kill('SIGINT'));
    expect(await exited).toEqual({ code: 0, signal: null });
  });
});
