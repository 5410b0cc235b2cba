import { describe, expect, it } from 'vitest';
import { ex } from '../oracles/oracle-fixtures.test-support.ts';
import { unusableCause } from './unusable-answer.ts';

describe('unusableCause', () => {
  it('names what makes an answer unusable: a transport error, a cut or broken body, a redirect', () => {
    expect(unusableCause(ex({ error: { code: 'TIMEOUT', message: 'slow' } }))).toBe('TIMEOUT');
    const cut = ex({ body: { id: 1 } });
    cut.response!.truncated = true;
    expect(unusableCause(cut)).toBe('truncated');
    expect(unusableCause(ex({ bodyText: '{"id": 1, "na' }))).toBe('unparseable body');
    expect(unusableCause(ex({ status: 307, headers: { location: 'http://127.0.0.1:9/x' } }))).toBe('redirect 307');
  });

  it('leaves usable answers alone, whatever their status; and our own cancellations are not the target’s', () => {
    expect(unusableCause(ex({ status: 200, body: { id: 1 } }))).toBeUndefined();
    expect(unusableCause(ex({ status: 404, body: { error: 'not found' } }))).toBeUndefined();
    expect(unusableCause(ex({ status: 500, bodyText: '' }))).toBeUndefined();
    expect(unusableCause(ex({ status: 304, bodyText: '' }))).toBeUndefined();
    expect(
      unusableCause(ex({ status: 200, headers: { 'content-type': 'text/html' }, bodyText: '<p>hi</p>' })),
    ).toBeUndefined();
    expect(unusableCause(ex({ error: { code: 'ABORTED', message: 'request aborted' } }))).toBeUndefined();
  });
});
