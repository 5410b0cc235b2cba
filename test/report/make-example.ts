/**
 * Rebuilds `reports/example/` from a run folder: copies it, adds report.html, and re-seals it with
 * the SAME key that signed the run (so the key named in evidence.json still verifies), keeping the
 * attested predicate unchanged. Until `tenantproof run` writes report.html before sealing, this is
 * how the committed example gets a signed report.
 *
 *   TENANTPROOF_SIGNING_KEY="$(cat key.pem)" node bin/tenantproof.mjs run --fault get-unscoped \
 *     --seed 2 --budget 15s --shrink-budget 5s --replays 2 --tenants 2 --out /tmp/tp-ex
 *   TENANTPROOF_SIGNING_KEY="$(cat key.pem)" npx tsx test/report/make-example.ts /tmp/tp-ex/latest
 */
import { cpSync, realpathSync, rmSync } from 'node:fs';
import path from 'node:path';
import { loadSigningKey, verifyAttestation } from '../../harness/evidence/attestation.ts';
import { ATTESTATION_FILE, MANIFEST_FILE } from '../../harness/evidence/manifest.ts';
import { sealRunDir } from '../../harness/evidence/seal.ts';
import { formatVerifyReport, verifyRunDir } from '../../harness/evidence/verify.ts';
import { writeReportFiles } from '../../harness/evidence/report/write-report.ts';
import { REPO_ROOT } from './support.ts';

async function makeExample(source: string, dest: string): Promise<number> {
  const src = realpathSync(source);
  const before = verifyRunDir(src);
  if (!before.ok) throw new Error(`source run does not verify:\n${formatVerifyReport(before)}`);
  const att = verifyAttestation(src);
  if (!att.statement) throw new Error('source attestation has no statement');
  const key = loadSigningKey();
  if (key.fingerprint !== before.keyFingerprint)
    throw new Error(
      `TENANTPROOF_SIGNING_KEY (${key.fingerprint}) is not the key that signed ${src} (${before.keyFingerprint})`,
    );
  rmSync(dest, { recursive: true, force: true });
  cpSync(src, dest, { recursive: true });
  rmSync(path.join(dest, MANIFEST_FILE));
  rmSync(path.join(dest, ATTESTATION_FILE));
  await writeReportFiles(dest);
  sealRunDir(dest, key, att.statement.predicate);
  const after = verifyRunDir(dest);
  process.stdout.write(formatVerifyReport(after) + '\n');
  return after.ok ? 0 : 1;
}

const source = process.argv[2];
if (!source) {
  process.stderr.write('usage: npx tsx test/report/make-example.ts RUN_DIR\n');
  process.exit(2);
}
process.exit(await makeExample(source, path.join(REPO_ROOT, 'reports', 'example')));
