#!/usr/bin/env node
// Copies the files the compiled code reads at run time into dist/, at the same place relative to
// the code that reads them as in the source tree: the CRM's contract and migrations, and the
// evidence schema. (harness/tool-version.ts finds package.json by walking up, from either tree.)
import { cpSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ASSETS = ['specs/crm.openapi.yaml', 'specs/evidence.schema.json', 'crm/db/migrations'];
for (const rel of ASSETS) {
  const to = path.join(root, 'dist', rel);
  mkdirSync(path.dirname(to), { recursive: true });
  cpSync(path.join(root, rel), to, { recursive: true });
}
