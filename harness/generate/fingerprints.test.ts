import { describe, expect, it } from 'vitest';
import { FingerprintConflictError, FingerprintRegistry } from './fingerprints.ts';
import { World } from '../model/world.ts';

describe('FingerprintRegistry', () => {
  it('registers distinctive values and refuses short ones and plain integers', () => {
    const r = new FingerprintRegistry();
    expect(r.register('3f9c2a71-5b1e-4c0d-9a8e-2f6b7c1d0e9a', 'T1', 'id', 'test')).toBe(true);
    expect(r.register('tpT1abcdefghij', 'T1', 'canary', 'test')).toBe(true);
    expect(r.register('short', 'T1', 'generated', 'test')).toBe(false);
    // Sequential integer ids repeat across tables and inside unrelated numbers: never scanned for.
    expect(r.register('10000193', 'T1', 'id', 'test')).toBe(false);
    expect(r.register('12345678901234', 'T2', 'id', 'test')).toBe(false);
    expect(r.ownerOf('10000193')).toBeUndefined();
    expect(r.size).toBe(2);
  });

  it('the same value for another owner is a conflict', () => {
    const r = new FingerprintRegistry();
    r.register('tpT1abcdefghij', 'T1', 'canary', 'test');
    expect(() => r.register('tpT1abcdefghij', 'T2', 'canary', 'test')).toThrow(FingerprintConflictError);
  });
});

describe('World ownership of server-issued ids', () => {
  it('is per resource: project 5 of T1 and task 5 of T2 are different records', () => {
    const w = new World(['T1', 'T2']);
    w.tenant('T1').records.push({ resource: 'project', id: '5', createdBy: 0, idField: 'id', alive: true });
    w.tenant('T2').records.push({ resource: 'task', id: '5', createdBy: 1, idField: 'id', alive: true });
    expect(w.ownerOfId('5', 'project')).toBe('T1');
    expect(w.ownerOfId('5', 'task')).toBe('T2');
    expect(w.ownerOfId('6', 'task')).toBeUndefined();
  });
});
