#!/usr/bin/env node
// Entry point for the `tenantproof` command. The project is TypeScript run through tsx,
// so a clean clone works after `npm ci` with no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../harness/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
