/**
 * A replay runs what the recorded run ran: its primary steps, concurrent batches together again,
 * and a checkpoint where the recorded run had one mid-run (a finding may compare a read made at a
 * mid-run checkpoint with one made at the end), then one at the end.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Finding } from '../model/exchange.ts';
import type { Step } from '../model/step.ts';
import type { CampaignState } from './campaign-state.ts';
import { replayCounterexample, replaySteps } from './replay.ts';

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

describe('replayCounterexample', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  /** A campaign state that counts the runs a replay starts (the parts replayCounterexample uses). */
  function fakeState(settleMs: number, signal: AbortSignal) {
    const started: number[] = [];
    const state = {
      o: { replays: 2, replaySettleMs: settleMs, signal },
      phase: 'shrink',
      deadline: 0,
      stopped: () => signal.aborted,
      newRun: async () => {
        started.push(Date.now());
        return recorder().ctx;
      },
      cleanup: async () => undefined,
    };
    // Only the members above are used; the rest of CampaignState would need a whole campaign.
    return { started, state: state as unknown as CampaignState };
  }

  it('pauses for the settle time before the first replay, not between attempts', async () => {
    vi.useFakeTimers();
    const { started, state } = fakeState(10_000, new AbortController().signal);
    const t0 = Date.now();
    const done = replayCounterexample(
      state,
      { oracle: 'model', steps: [step(0)], findings: [], commands: [] },
      t0 + 60_000,
    );
    await vi.advanceTimersByTimeAsync(9_999);
    expect(started).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(await done).toEqual({ reproduced: 0, attempts: 2 });
    expect(started).toEqual([t0 + 10_000, t0 + 10_000]);
  });

  it('skips the pause for a self-proving finding or when it would pass the deadline; a stop ends it at once', async () => {
    vi.useFakeTimers();
    const t0 = Date.now();
    const proven = fakeState(10_000, new AbortController().signal);
    await replayCounterexample(
      proven.state,
      { oracle: 'foreign-data', steps: [], findings: [], commands: [] },
      t0 + 60_000,
      {
        settle: false,
      },
    );
    expect(proven.started).toEqual([t0, t0]); // a self-proving finding's replays (a rate) do not wait

    const late = fakeState(10_000, new AbortController().signal);
    await replayCounterexample(late.state, { oracle: 'model', steps: [], findings: [], commands: [] }, t0 + 5_000);
    expect(late.started).toEqual([t0, t0]);

    const stop = new AbortController();
    const stopped = fakeState(10_000, stop.signal);
    const done = replayCounterexample(
      stopped.state,
      { oracle: 'model', steps: [], findings: [], commands: [] },
      t0 + 60_000,
    );
    await vi.advanceTimersByTimeAsync(1_000);
    stop.abort();
    expect(await done).toEqual({ reproduced: 0, attempts: 0 });
  });
});
