/** `tenantproof inspect --overlay FILE`: the overlay's hints show in the report; a bad overlay is exit 2. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../test/support/paths.ts';
import { operationTarget, overlayAction, writeOverlay } from '../openapi/overlay.ts';
import { main } from './inspect.ts';
import { inspectReportSchema } from './inspect-report.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'tp-inspect-overlay-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const TRACKLET = path.join(REPO_ROOT, 'examples', 'third-party', 'openapi.yaml');

async function inspect(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { stdout: (t) => (out += t), stderr: (t) => (err += t) });
  return { code, out, err };
}

describe('tenantproof inspect --overlay', () => {
  it('applies the overlay: an ignored operation is unclassified, and the sha256 differs', async () => {
    const overlay = path.join(dir, 'tenantproof.overlay.yaml');
    writeOverlay(
      overlay,
      [overlayAction(operationTarget('/stats', 'get'), { 'x-tenantproof-ignore': true }, 'not tenant data')],
      { title: 'Tracklet hints' },
    );
    const plain = await inspect(['--spec', TRACKLET, '--json']);
    const hinted = await inspect(['--spec', TRACKLET, '--overlay', overlay, '--json']);
    expect(hinted.err).toBe('');
    expect(hinted.code).toBe(0);
    const before = inspectReportSchema.parse(JSON.parse(plain.out));
    const after = inspectReportSchema.parse(JSON.parse(hinted.out));
    const stats = (r: typeof before) => r.operations.find((o) => o.operationId === 'getStats')!;
    expect(stats(before)).toMatchObject({ kind: 'aggregate', tenantOwned: true });
    expect(stats(after)).toMatchObject({ kind: 'unclassified', tenantOwned: false, probes: [] });
    expect(after.unclassified.map((u) => u.operationId)).toContain('getStats');
    expect(after.spec.sha256).not.toBe(before.spec.sha256);

    const text = await inspect(['--spec', TRACKLET, '--overlay', overlay]);
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/getStats.*ignored \(x-tenantproof-ignore\)/);
  });

  it('exits 2 naming the overlay, the action and the missing node', async () => {
    const overlay = path.join(dir, 'wrong.overlay.yaml');
    writeOverlay(overlay, [overlayAction(operationTarget('/projects', 'put'), { 'x-tenantproof-ignore': true }, 'x')], {
      title: 't',
    });
    const r = await inspect(['--spec', TRACKLET, '--overlay', overlay]);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toContain(`tenantproof inspect: ${overlay}:`);
    expect(r.err).toContain("actions[0] (x): paths['/projects'].put does not exist in the spec");

    const missing = await inspect(['--spec', TRACKLET, '--overlay', path.join(dir, 'absent.yaml')]);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('cannot read the overlay (no such file)');
  });

  it('documents the flag in --help', async () => {
    const r = await inspect(['--help']);
    expect(r.out).toContain('--overlay FILE');
  });
});
