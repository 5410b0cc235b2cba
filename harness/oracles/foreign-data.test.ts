import { describe, expect, it } from 'vitest';
import { FingerprintRegistry } from '../generate/fingerprints.ts';
import { checkForeignData } from './foreign-data.ts';
import { FingerprintScanner } from './scan/fingerprint-scanner.ts';
import { ex, ID_A1, ID_B1 } from './oracle-fixtures.test-support.ts';

function setup() {
  const reg = new FingerprintRegistry();
  reg.register(ID_A1, 'T1', 'id', 'createCustomer.response.id');
  reg.register(ID_B1, 'T2', 'id', 'createCustomer.response.id');
  reg.register('tpT2canary777', 'T2', 'canary', 'createCustomer.body.name');
  return new FingerprintScanner(reg);
}

describe('foreign-data oracle', () => {
  it("raises when a body carries another tenant's id, with its offset", () => {
    const body = { data: [{ id: ID_A1 }, { id: ID_B1 }] };
    const e = ex({ op: 'listCustomers', body });
    const [f, ...rest] = checkForeignData([e], setup());
    expect(rest).toEqual([]);
    expect(f).toMatchObject({
      oracle: 'foreign-data',
      attacker: 'T1',
      victim: 'T2',
      operationId: 'listCustomers',
      exchanges: [e.seq],
      severity: 'critical',
    });
    const hit = (f!.evidence['hits'] as Array<Record<string, unknown>>)[0]!;
    expect(hit).toMatchObject({ value: ID_B1, part: 'body', offset: JSON.stringify(body).indexOf(ID_B1) });
  });

  it('raises on a fingerprint in a header value and in a transport error', () => {
    const scanner = setup();
    const h = checkForeignData([ex({ headers: { location: `/v1/customers/${ID_B1}` }, body: {} })], scanner);
    expect((h[0]!.evidence['hits'] as Array<Record<string, unknown>>)[0]).toMatchObject({
      part: 'header',
      header: 'location',
      offset: '/v1/customers/'.length,
    });
    const e = checkForeignData([ex({ error: { code: 'EPARSE', message: `bad chunk near tpT2canary777` } })], scanner);
    expect(e[0]!.evidence['hits']).toMatchObject([{ part: 'error', kind: 'canary' }]);
  });

  it('is clean when only own values appear', () => {
    expect(checkForeignData([ex({ body: { id: ID_A1, name: 'x' } })], setup())).toEqual([]);
  });

  it('does not count a value the tenant itself sent (a probe path echoed in a 404)', () => {
    const e = ex({
      relation: 'foreign',
      victim: 'T2',
      path: `/v1/customers/${ID_B1}`,
      status: 404,
      body: { title: 'Not Found', instance: `/v1/customers/${ID_B1}` },
    });
    expect(checkForeignData([e], setup())).toEqual([]);
  });

  it("ignores setup exchanges (provisioning is not a tenant's view)", () => {
    expect(checkForeignData([ex({ relation: 'setup', body: { id: ID_B1 } })], setup())).toEqual([]);
  });
});
