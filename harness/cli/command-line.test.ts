import { describe, expect, it } from 'vitest';
import { recordedCommandLine } from './command-line.ts';

describe('recordedCommandLine', () => {
  it('never records the admin token, in either flag form', () => {
    const line = recordedCommandLine([
      'run',
      '--admin-token',
      'tpa_secret123',
      '--budget',
      '5s',
      '--admin-token=tpa_other456',
    ]);
    expect(line).toBe('tenantproof run --admin-token [redacted] --budget 5s --admin-token=[redacted]');
    expect(line).not.toMatch(/secret123|other456/);
  });

  it('strips credentials from URLs and keeps the rest', () => {
    const line = recordedCommandLine([
      'run',
      '--database-url',
      'postgres://crm:hunter2@127.0.0.1:5432/crm',
      '--target=https://u:p@staging.example.com',
      '--fault',
      'get-unscoped',
    ]);
    expect(line).toBe(
      'tenantproof run --database-url postgres://[redacted]@127.0.0.1:5432/crm --target=https://[redacted]@staging.example.com --fault get-unscoped',
    );
  });

  it('quotes arguments with spaces', () => {
    expect(recordedCommandLine(['run', '--spec', 'my spec.yaml'])).toBe('tenantproof run --spec "my spec.yaml"');
  });
});
