/**
 * A bug of tenantproof's own in the middle of a campaign (stood in for by a campaign that throws a
 * TypeError after its first snapshot) loses no evidence: the folder is sealed as partial, with the
 * stack in internal-error.log inside it, and the error reaches the CLI as an InternalError (exit 4).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { InternalError } from '../errors.ts';
import { EXIT } from '../exit-codes.ts';
import { readEvidenceFile } from '../evidence/evidence-file.ts';
import { verifyRunDir } from '../evidence/verify.ts';
import type { CampaignOptions, CampaignResult } from './campaign-types.ts';
import { resolveConfig } from './config.ts';
import { Coverage } from './coverage.ts';
import { INTERNAL_ERROR_LOG, runJob } from './job.ts';

vi.mock('./campaign.ts', () => ({
  runCampaign: async (o: CampaignOptions): Promise<CampaignResult> => {
    const now = new Date();
    o.onSnapshot?.(() => ({
      status: 'clean',
      findings: [],
      observations: [],
      runs: 1,
      requests: 0,
      batches: 0,
      coverage: new Coverage(),
      answers: new Map(),
      unusable: new Map(),
      seed: 1,
      startedAt: now,
      endedAt: now,
    }));
    const broken = null as unknown as { steps: number };
    return { steps: broken.steps } as never;
  },
}));

let server: Server;
let url: string;
const root = mkdtempSync(path.join(tmpdir(), 'tp-job-crash-'));
beforeAll(async () => {
  server = createServer((_req, res) => {
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end('{"title":"Not found"}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => server.close());

describe('a run that stops on an internal error', () => {
  it('seals what ran with the stack inside, and throws an InternalError naming the folder', async () => {
    const creds = path.join(root, 'creds.json');
    writeFileSync(
      creds,
      JSON.stringify({
        tenants: [
          { id: 'a', headers: { authorization: 'Bearer secret-one-aaaaaaaa' } },
          { id: 'b', headers: { authorization: 'Bearer secret-two-bbbbbbbb' } },
        ],
      }),
    );
    const config = resolveConfig(
      {},
      { target: url, provision: `file:${creds}`, out: path.join(root, 'out'), budget: '5s' },
    );
    const thrown = await runJob(config, 'tenantproof run (test)', { quiet: true }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(thrown).toBeInstanceOf(InternalError);
    const error = thrown as InternalError;
    expect(error.exitCode).toBe(EXIT.internal);
    expect(error.message).toMatch(/^Cannot read properties of null/);
    const dir = /: (\S+)\)$/.exec(error.message)![1]!;
    expect(readFileSync(path.join(dir, INTERNAL_ERROR_LOG), 'utf8')).toMatch(
      /TypeError: Cannot read properties of null[\s\S]*at /,
    );
    const evidence = readEvidenceFile(dir);
    expect(evidence.method).toMatchObject({
      partial: true,
      partialReason: expect.stringMatching(/^internal error of tenantproof/),
    });
    expect(evidence.verdict).toBe('inconclusive');
    expect(verifyRunDir(dir).failures).toEqual([]);
  });
});
