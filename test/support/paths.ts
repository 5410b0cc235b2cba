/** Where the test inputs live: the repo's own spec, fixtures, and the shared corpus beside the repo. */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
export const CRM_SPEC = resolve(REPO_ROOT, 'specs', 'crm.openapi.yaml');
/** Real-world third-party specs, vendored unedited (test/fixtures/specs-corpus/README.md gives their sources). */
export const CORPUS_DIR = resolve(REPO_ROOT, 'test', 'fixtures', 'specs-corpus');
/** Spec fixtures of the OpenAPI loader's tests (harness/openapi/fixtures). */
export const SPEC_FIXTURES = resolve(REPO_ROOT, 'harness', 'openapi', 'fixtures');
/** Provisioning fixtures (credentials files and modules) of the tenants tests. */
export const PROVISION_FIXTURES = resolve(REPO_ROOT, 'test', 'tenants', 'fixtures');
export const fixtureSpec = (name: string): string => resolve(SPEC_FIXTURES, name);
