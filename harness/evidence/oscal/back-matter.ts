/**
 * The back-matter: one resource per file of the run folder (every file manifest.json lists, plus
 * manifest.json and attestation.json), each with an `rlinks` href relative to the folder and its
 * SHA-256, so an auditor can check each file the document cites against the signed folder; and the
 * resource `import-ap` points at, which describes the campaign method (see assessment-plan.ts).
 */
import type { EvidenceFileDigest } from './oscal-input.ts';
import { pathHref, prop, type Prop } from './vocabulary.ts';

export interface Resource {
  uuid: string;
  title: string;
  description?: string;
  props?: Prop[];
  rlinks?: Array<{ href: string; 'media-type'?: string; hashes?: Array<{ algorithm: 'SHA-256'; value: string }> }>;
  remarks?: string;
}

const MEDIA_TYPES: ReadonlyArray<readonly [RegExp, string]> = [
  [/\.sarif$/, 'application/sarif+json'],
  [/\.ndjson$/, 'application/x-ndjson'],
  [/\.json$/, 'application/json'],
  [/\.xml$/, 'application/xml'],
  [/\.html$/, 'text/html'],
  [/\.pdf$/, 'application/pdf'],
  [/\.pem$/, 'application/x-pem-file'],
];

/** What a file of a run folder is, by its name (the folder layout of harness/evidence). */
const ROLES: ReadonlyArray<readonly [RegExp, string, string]> = [
  [
    /(^|\/)evidence\.json$/,
    'evidence',
    'the run record: scope, method, coverage, findings, negative control, control mapping, verdict',
  ],
  [/(^|\/)transcript\.ndjson$/, 'transcript', 'every exchange, secrets redacted, hash-chained line by line'],
  [/(^|\/)manifest\.json$/, 'manifest', 'SHA-256 and size of every other file of the folder'],
  [/(^|\/)attestation\.json$/, 'attestation', 'in-toto statement over the folder, signed (DSSE, Ed25519)'],
  [/(^|\/)public-key\.pem$/, 'public-key', 'the public key the attestation verifies with'],
  [/(^|\/)results\.sarif$/, 'sarif', 'the findings as SARIF 2.1.0'],
  [/(^|\/)junit\.xml$/, 'junit', 'the findings as JUnit XML'],
  [/(^|\/)report\.(html|pdf)$/, 'report', 'the human-readable report'],
  [
    /(^|\/)counterexamples\/[^/]+\.json$/,
    'counterexample',
    'a minimal counterexample, replayable with `tenantproof replay`',
  ],
  [/(^|\/)counterexamples\/[^/]+\.test\.ts$/, 'regression-test', 'the counterexample as a vitest regression test'],
];

export function mediaTypeOf(path: string): string {
  return MEDIA_TYPES.find(([re]) => re.test(path))?.[1] ?? 'text/plain';
}

function roleOf(path: string): { role: string; what: string } | undefined {
  const hit = ROLES.find(([re]) => re.test(path));
  return hit ? { role: hit[1], what: hit[2] } : undefined;
}

/** The shard a file of a merged folder belongs to (`shards/<runId>/…`). */
function shardOf(path: string): string | undefined {
  return /^shards\/([^/]+)\//.exec(path)?.[1];
}

/** The element path naming a file's resource (for its UUID). */
export function fileResourcePath(path: string): string {
  return `resource/file/${path}`;
}

export function fileResource(file: EvidenceFileDigest, uuid: (elementPath: string) => string): Resource {
  const role = roleOf(file.path);
  const shard = shardOf(file.path);
  return {
    uuid: uuid(fileResourcePath(file.path)),
    title: file.path,
    ...(role ? { description: `${shard ? `Run ${shard}: ` : ''}${role.what}.` } : {}),
    props: [
      prop('evidence-file-role', role?.role ?? 'other'),
      prop('size-bytes', file.size),
      ...(shard ? [prop('shard-run-id', shard)] : []),
    ],
    rlinks: [
      {
        href: pathHref(file.path),
        'media-type': mediaTypeOf(file.path),
        hashes: [{ algorithm: 'SHA-256', value: file.sha256 }],
      },
    ],
  };
}

/** The resources of every file, and each file's resource UUID by path. */
export function fileResources(
  files: readonly EvidenceFileDigest[],
  uuid: (elementPath: string) => string,
): { resources: Resource[]; byPath: ReadonlyMap<string, string> } {
  const resources = files.map((f) => fileResource(f, uuid));
  return { resources, byPath: new Map(files.map((f, i) => [f.path, resources[i]!.uuid])) };
}
