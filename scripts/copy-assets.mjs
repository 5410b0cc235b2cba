#!/usr/bin/env node
// Copies the files the compiled CRM reads at run time into dist/, at the same place relative to
// the code that reads them as in the source tree: its contract (crm/spec/load-spec.ts) and its
// migrations (crm/db/migrate.ts). The harness finds the package's own specs/ by walking up to
// package.json (harness/tool-version.ts), from either tree.
import { cpSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ASSETS = ['specs/crm.openapi.yaml', 'crm/db/migrations'];
for (const rel of ASSETS) {
  const to = path.join(root, 'dist', rel);
  mkdirSync(path.dirname(to), { recursive: true });
  cpSync(path.join(root, rel), to, { recursive: true });
}
