/** Parses sizes such as `8MB`, `512KiB`, `64kb`, `1.5m` or a bare number of bytes (1 KB = 1024 bytes). */
import { UsageError } from '../errors.ts';

export class ByteSizeError extends UsageError {
  constructor(readonly input: string) {
    super(`"${input}" is not a size: use forms like 8MB, 512KB, 64KiB or a number of bytes`);
  }
}

const UNIT: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1024,
  kib: 1024,
  m: 1 << 20,
  mb: 1 << 20,
  mib: 1 << 20,
  g: 1 << 30,
  gb: 1 << 30,
  gib: 1 << 30,
};

export function parseByteSize(input: string | number): number {
  if (typeof input === 'number') {
    if (!Number.isInteger(input) || input <= 0) throw new ByteSizeError(String(input));
    return input;
  }
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(input);
  const unit = m ? UNIT[m[2]!.toLowerCase()] : undefined;
  if (!m || unit === undefined) throw new ByteSizeError(input);
  const bytes = Math.floor(Number(m[1]) * unit);
  if (bytes <= 0) throw new ByteSizeError(input);
  return bytes;
}

/** `8 MB`, `64 KB`, `512 B` (binary units, as parseByteSize reads them). */
export function formatByteSize(bytes: number): string {
  if (bytes >= 1 << 30 && bytes % (1 << 30) === 0) return `${bytes / (1 << 30)} GB`;
  if (bytes >= 1 << 20) return `${+(bytes / (1 << 20)).toFixed(1)} MB`;
  if (bytes >= 1024) return `${+(bytes / 1024).toFixed(1)} KB`;
  return `${bytes} B`;
}
