/** Where the test inputs live: the repo's own spec, fixtures, and the shared corpus beside the repo. */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
export const CRM_SPEC = resolve(REPO_ROOT, 'specs', 'crm.openapi.yaml');
export const CORPUS_DIR = resolve(REPO_ROOT, '..', 'shared', 'specs-corpus');
export const FIXTURES = resolve(REPO_ROOT, 'test', 'harness-foundations', 'fixtures');
export const fixtureSpec = (name: string): string => resolve(FIXTURES, 'specs', name);
