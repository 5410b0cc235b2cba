/**
 * Writes `specs/evidence.schema.json` from the zod schema. `--check` exits 1 if the committed file
 * is stale instead of writing it.
 *   npx tsx harness/evidence/write-evidence-schema.ts [--check]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { serializeEvidenceSchema } from './evidence-schema.ts';

export const EVIDENCE_SCHEMA_PATH = fileURLToPath(new URL('../../specs/evidence.schema.json', import.meta.url));

function main(argv: string[]): number {
  const text = serializeEvidenceSchema();
  if (argv.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(EVIDENCE_SCHEMA_PATH, 'utf8');
    } catch {
      // missing counts as stale
    }
    if (current !== text) {
      process.stderr.write(
        `${EVIDENCE_SCHEMA_PATH} is stale; run: npx tsx harness/evidence/write-evidence-schema.ts\n`,
      );
      return 1;
    }
    return 0;
  }
  writeFileSync(EVIDENCE_SCHEMA_PATH, text);
  process.stdout.write(`wrote ${EVIDENCE_SCHEMA_PATH}\n`);
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1])
  process.exitCode = main(process.argv.slice(2));
