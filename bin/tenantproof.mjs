#!/usr/bin/env node
// Entry point for the `tenantproof` command: the compiled JavaScript in dist/ (built by `npm ci`
// through the `prepare` script, or by `npm run build`), so no TypeScript loader runs at start-up.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/harness/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write(
    'tenantproof: the compiled code is missing (dist/harness/cli/main.js).\n' +
      '  fix: run `npm run build` in the tenantproof checkout (`npm ci` does it through `prepare`).\n',
  );
  process.exit(4);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
