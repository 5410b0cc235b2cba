import { describe, expect, it } from 'vitest';
import { ByteSizeError, formatByteSize, parseByteSize } from './byte-size.ts';

describe('parseByteSize', () => {
  it('reads binary units, any case, and bare byte counts', () => {
    expect(parseByteSize('8MB')).toBe(8 * 1024 * 1024);
    expect(parseByteSize('512KiB')).toBe(512 * 1024);
    expect(parseByteSize('64kb')).toBe(65_536);
    expect(parseByteSize('1.5m')).toBe(1_572_864);
    expect(parseByteSize('1000')).toBe(1000);
    expect(parseByteSize(4096)).toBe(4096);
  });

  it('refuses what is not a positive size, saying how to write one', () => {
    for (const bad of ['', 'big', '8 parsecs', '0', '-1MB', 0, 1.5])
      expect(() => parseByteSize(bad)).toThrow(ByteSizeError);
    expect(() => parseByteSize('lots')).toThrow(/use forms like 8MB/);
  });

  it('formats back in the same units', () => {
    expect(formatByteSize(8 * 1024 * 1024)).toBe('8 MB');
    expect(formatByteSize(65_536)).toBe('64 KB');
    expect(formatByteSize(2 ** 31)).toBe('2 GB');
    expect(formatByteSize(12)).toBe('12 B');
  });
});
