import { describe, expect, it } from 'vitest';
import type { Exchange } from '../model/exchange.ts';
import { HealthMonitor } from './health.ts';

let seq = 0;
function exchange(outcome: number | 'refused'): Exchange {
  const ex: Exchange = {
    seq: ++seq,
    tenant: 'T1',
    relation: 'own',
    operationId: 'op',
    request: { method: 'GET', url: 'http://127.0.0.1:1/x', path: '/x', headers: {} },
  };
  if (outcome === 'refused') ex.error = { code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:1' };
  else ex.response = { status: outcome, headers: {}, bodyText: '', durationMs: 1 };
  return ex;
}

describe('HealthMonitor', () => {
  it('stays usable with the odd error among good answers', () => {
    const h = new HealthMonitor();
    for (let i = 0; i < 200; i++) h.observe(exchange(i % 10 === 0 ? 500 : 200));
    expect(h.usable).toBe(true);
  });

  it('gives up after consecutive transport failures, naming the error', () => {
    const h = new HealthMonitor();
    for (let i = 0; i < 5; i++) h.observe(exchange('refused'));
    expect(h.usable).toBe(false);
    expect(h.reason).toMatch(/ECONNREFUSED/);
  });

  it('gives up in a 5xx storm, naming the status', () => {
    const h = new HealthMonitor({ window: 20 });
    for (let i = 0; i < 20; i++) h.observe(exchange(503));
    expect(h.usable).toBe(false);
    expect(h.reason).toMatch(/HTTP 503/);
  });

  it('does not judge before the window is full', () => {
    const h = new HealthMonitor({ window: 20 });
    for (let i = 0; i < 10; i++) h.observe(exchange(500));
    expect(h.usable).toBe(true);
  });
});
