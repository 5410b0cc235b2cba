#!/usr/bin/env node
// Marks a compiled folder as CommonJS (a package.json with "type": "commonjs"), so Node and
// TypeScript read its .js and .d.ts files as CommonJS inside an ESM package.
import { writeFileSync } from 'node:fs';
import path from 'node:path';

const dir = process.argv[2];
if (!dir) {
  process.stderr.write('usage: mark-commonjs.mjs DIR\n');
  process.exit(2);
}
writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ type: 'commonjs' }, null, 2) + '\n');
