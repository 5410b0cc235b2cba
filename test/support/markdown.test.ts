import { describe, expect, it } from 'vitest';
import { tsCodeBlocks } from './markdown.ts';

describe('tsCodeBlocks', () => {
  it('finds top-level and indented ts blocks, dedented, and skips other languages', () => {
    const md = [
      '# x',
      '```ts',
      'const a = 1;',
      '```',
      '- item',
      '  ```ts',
      '  const b = 2;',
      '  ```',
      '```sh',
      'ls',
      '```',
    ].join('\n');
    expect(tsCodeBlocks(md)).toEqual(['const a = 1;\n', 'const b = 2;\n']);
  });
});
