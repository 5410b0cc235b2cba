import { describe, expect, it } from 'vitest';
import { checkAudit, type TenantAuditView } from './audit.ts';

const view = (tenant: string, made: string[], logged: string[]): TenantAuditView => ({
  tenant,
  made: made.map((requestId, i) => ({
    requestId,
    seq: i + (tenant === 'T1' ? 1 : 100),
    operationId: 'createCustomer',
  })),
  logged,
  logExchanges: [tenant === 'T1' ? 50 : 150],
  logOperationId: 'listAuditEvents',
});

describe('audit oracle', () => {
  it('is clean when every request is logged under its own tenant only', () => {
    expect(checkAudit([view('T1', ['a1', 'a2'], ['a1', 'a2', 'a-log']), view('T2', ['b1'], ['b1'])])).toEqual([]);
  });

  it("raises when A's request is logged under B (missing from A, foreign in B)", () => {
    const fs = checkAudit([view('T1', ['a1', 'a2'], ['a1']), view('T2', ['b1'], ['b1', 'a2'])]);
    expect(fs).toHaveLength(2);
    const missing = fs.find((f) => f.evidence['kind'] === 'own-event-missing')!;
    expect(missing).toMatchObject({
      attacker: 'T1',
      victim: 'T2',
      evidence: { requestIds: ['a2'], loggedUnder: { T2: ['a2'] } },
    });
    const foreign = fs.find((f) => f.evidence['kind'] === 'foreign-event-in-log')!;
    expect(foreign).toMatchObject({ oracle: 'audit', attacker: 'T2', victim: 'T1', evidence: { requestIds: ['a2'] } });
  });

  it('raises (medium) when a request is missing from every log', () => {
    const [f] = checkAudit([view('T1', ['a1'], []), view('T2', [], [])]);
    expect(f).toMatchObject({ severity: 'medium', evidence: { kind: 'own-event-missing', loggedUnder: {} } });
  });
});
