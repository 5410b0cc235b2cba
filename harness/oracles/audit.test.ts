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
    expect(checkAudit([view('T1', ['a1', 'a2'], ['a1', 'a2', 'a-log']), view('T2', ['b1'], ['b1'])]).findings).toEqual(
      [],
    );
  });

  it("raises when A's request is logged under B (missing from A, foreign in B)", () => {
    const fs = checkAudit([view('T1', ['a1', 'a2'], ['a1']), view('T2', ['b1'], ['b1', 'a2'])]).findings;
    expect(fs).toHaveLength(2);
    // Request ids in another tenant's log are data in that tenant's view: they prove themselves.
    expect(fs.map((f) => f.proof)).toEqual(['victim-data', 'victim-data']);
    const missing = fs.find((f) => f.evidence['kind'] === 'own-event-missing')!;
    expect(missing).toMatchObject({
      attacker: 'T1',
      victim: 'T2',
      evidence: { requestIds: ['a2'], loggedUnder: { T2: ['a2'] } },
    });
    const foreign = fs.find((f) => f.evidence['kind'] === 'foreign-event-in-log')!;
    expect(foreign).toMatchObject({ oracle: 'audit', attacker: 'T2', victim: 'T1', evidence: { requestIds: ['a2'] } });
  });

  it('raises (medium, a difference to confirm by replay) when a request is missing from every log', () => {
    const [f] = checkAudit([view('T1', ['a1'], []), view('T2', [], [])]).findings;
    expect(f).toMatchObject({
      proof: 'difference',
      severity: 'medium',
      evidence: { kind: 'own-event-missing', loggedUnder: {} },
    });
  });

  it('does not judge a log whose page is not JSON (a mislabelled or broken body): a conformance note instead', () => {
    const broken = { ...view('T1', ['a1', 'a2'], []), unreadable: 50 };
    const { findings, observations } = checkAudit([broken, view('T2', ['b1'], ['b1'])]);
    expect(findings).toEqual([]);
    expect(observations).toHaveLength(1);
    expect(observations[0]).toMatchObject({ kind: 'audit-log-not-json', exchanges: [50] });
  });
});
