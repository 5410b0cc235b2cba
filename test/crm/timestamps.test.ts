/** Valid RFC 3339 timestamps the validator accepts must never turn into a 500. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCrm, type RunningCrm } from '../../crm/server.ts';
import { api, createTenant } from '../support/crm-fixture.ts';

let crm: RunningCrm;
beforeAll(async () => {
  crm = await startCrm({ port: 0 });
});
afterAll(async () => {
  await crm?.close();
});

describe('timestamps', () => {
  it('a leap second in a schedule window is read as the next second', async () => {
    const t = await createTenant(crm);
    const call = api(crm, t.apiKey);
    const res = await call('GET', '/v1/schedule?from=2016-12-31T23:59:60Z&to=2017-01-02T00:00:00Z');
    expect(res.status).toBe(200);
    expect(res.body.from).toBe('2017-01-01T00:00:00.000Z');
  });

  it('a job may start on a leap second', async () => {
    const t = await createTenant(crm);
    const call = api(crm, t.apiKey);
    const customer = await call('POST', '/v1/customers', { body: { name: 'Leap', email: 'leap@example.com' } });
    expect(customer.status).toBe(201);
    const job = await call('POST', '/v1/jobs', {
      body: {
        customerId: customer.body.id,
        title: 'Midnight call-out',
        scheduledStart: '2016-12-31T23:59:60Z',
        scheduledEnd: '2017-01-01T01:00:00Z',
      },
    });
    expect(job.status).toBe(201);
  });
});
