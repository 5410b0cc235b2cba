/**
 * A replay runs what the recorded run ran: its primary steps, concurrent batches together again,
 * and a checkpoint where the recorded run had one mid-run (a finding may compare a read made at a
 * mid-run checkpoint with one made at the end), then one at the end.
 */
import { describe, expect, it } from 'vitest';
import type { Finding } from '../model/exchange.ts';
import type { Step } from '../model/step.ts';
import { replaySteps } from './replay.ts';

const step = (index: number, batch?: number): Step => ({
  index,
  tenant: 'T1',
  operationId: `op${index}`,
  action: 'read',
  relation: 'own',
  method: 'GET',
  path: `/things/${index}`,
  pathParams: {},
  query: {},
  headers: {},
  ...(batch === undefined ? {} : { batch }),
});

/** A run context that records what the replay asked of it, in order. */
function recorder(findingAtCheckpoint?: number) {
  const calls: string[] = [];
  const findings: Finding[] = [];
  let checkpoints = 0;
  return {
    calls,
    ctx: {
      findings,
      async runStep(s: Step) {
        calls.push(`step ${s.operationId}`);
      },
      async runBatch(steps: Step[]) {
        calls.push(`batch ${steps.map((s) => s.operationId).join('+')}`);
      },
      async checkpoint() {
        checkpoints++;
        calls.push('checkpoint');
        if (checkpoints === findingAtCheckpoint)
          findings.push({ oracle: 'model', operationId: 'summary' } as unknown as Finding);
      },
    },
  };
}

describe('replaySteps', () => {
  it('runs a checkpoint only at the end when none ran mid-run', async () => {
    const { calls, ctx } = recorder();
    await replaySteps(ctx, [step(0), step(1)]);
    expect(calls).toEqual(['step op0', 'step op1', 'checkpoint']);
  });

  it('runs a checkpoint before each recorded position, batches kept whole', async () => {
    const { calls, ctx } = recorder();
    await replaySteps(ctx, [step(0), step(5, 1), step(6, 1), step(9), step(12)], [1, 3]);
    expect(calls).toEqual([
      'step op0',
      'checkpoint',
      'batch op5+op6',
      'checkpoint',
      'step op9',
      'step op12',
      'checkpoint',
    ]);
  });

  it('goes on after another finding at a mid-run checkpoint, since the one it looks for may follow', async () => {
    const { calls, ctx } = recorder(1);
    const findings = await replaySteps(ctx, [step(0), step(1)], [1]);
    expect(calls).toEqual(['step op0', 'checkpoint', 'step op1', 'checkpoint']);
    expect(findings).toHaveLength(1);
  });
});
