/**
 * Testing-kit parity: the same scenario suite runs against the real reference CRM (loopback) and
 * against sdk/testing, and must observe the same statuses, error classes, problem types and titles,
 * shapes and visible records per tenant. This keeps the fake honest.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Observer, SCENARIOS } from './scenarios.ts';
import { startFakeTarget, startRealTarget, type Target } from './targets.ts';

describe('sdk/testing behaves like the reference CRM', () => {
  let real: Target;
  let fake: Target;

  beforeAll(async () => {
    real = await startRealTarget();
    fake = startFakeTarget();
  });

  afterAll(async () => {
    await fake?.close();
    await real?.close();
  });

  const errorClasses = new Set<unknown>();

  it.each(SCENARIOS.map((s) => [s.name, s] as const))('%s', async (_name, scenario) => {
    const onReal = new Observer();
    await scenario.run(await real.env(), onReal);
    const onFake = new Observer();
    await scenario.run(await fake.env(), onFake);
    expect(onReal.observations.length).toBeGreaterThan(0);
    expect(onFake.observations).toEqual(onReal.observations);
    for (const o of onReal.observations) if (o.error) errorClasses.add((o.error as { class: unknown }).class);
  });

  it('the suite exercised the error classes it claims to compare', () => {
    expect([...errorClasses].sort()).toEqual([
      'AuthenticationError',
      'BadRequestError',
      'ConflictError',
      'NotFoundError',
      'UnprocessableEntityError',
    ]);
  });
});
