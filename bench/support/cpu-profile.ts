/**
 * Attributes the self time of a V8 `.cpuprofile` (from `node --cpu-prof`) to buckets by source file,
 * within a time window (the campaign's, so start-up and report writing are left out).
 *
 * Each sample lasts until the next one (`timeDeltas`). A sample's frame is classified by its
 * script URL; frames that say nothing about who asked for the work (V8 builtins with no URL, and
 * Node internals other than the HTTP stack) are charged to the nearest caller that does, so a
 * `createHash` inside the transcript writer counts as transcript/evidence. JSON.parse/stringify
 * builtins are their own bucket, as are the garbage collector and idle time.
 */
import { readFileSync } from 'node:fs';

export const BUCKETS = [
  'generation',
  'oracles',
  'model',
  'evidence',
  'http',
  'json',
  'gc',
  'campaign',
  'startup/loader',
  'other',
] as const;
export type Bucket = (typeof BUCKETS)[number];

export const BUCKET_LABELS: Record<Bucket, string> = {
  generation: 'generation (harness/generate, fast-check)',
  oracles: 'oracle scan (harness/oracles)',
  model: 'model (harness/model)',
  evidence: 'transcript/evidence (harness/evidence)',
  http: 'HTTP client/transport (harness/run/http-client and exchange-handler, undici, node:http/net/streams)',
  json: 'JSON (parse/stringify builtins)',
  gc: 'GC',
  campaign: 'campaign loop, executor, checkpoints (other harness/run)',
  'startup/loader': 'module loading (tsx, esm loader)',
  other: 'other (program, spec, unattributed)',
};

export interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  hitCount?: number;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const HTTP_URL =
  /(\/harness\/run\/http-client|\/harness\/run\/exchange-handler|\/node_modules\/undici\/|node:internal\/deps\/undici|node:_http|node:http|node:internal\/http|node:net|node:internal\/net|node:stream|node:internal\/streams|node:internal\/webstreams|node:internal\/stream_base|node:internal\/abort_controller|node:internal\/dns|node:dns|node:internal\/deps\/llhttp)/;
const JSON_NAMES = new Set(['parse', 'stringify', 'JSON.parse', 'JSON.stringify', 'JsonParse', 'JsonStringify']);

/** The bucket a frame speaks for, or undefined to charge its caller. */
function classifyFrame(f: ProfileNode['callFrame']): Bucket | undefined {
  const url = f.url;
  const name = f.functionName;
  if (name === '(garbage collector)') return 'gc';
  if (name === '(program)' || name === '(root)') return 'other';
  if (url === '') return JSON_NAMES.has(name) ? 'json' : undefined;
  if (url.includes('/harness/generate/') || url.includes('/node_modules/fast-check/')) return 'generation';
  if (url.includes('/harness/oracles/')) return 'oracles';
  if (url.includes('/harness/model/')) return 'model';
  if (url.includes('/harness/evidence/')) return 'evidence';
  if (HTTP_URL.test(url)) return 'http';
  if (url.includes('/harness/run/')) return 'campaign';
  if (
    url.includes('/node_modules/tsx/') ||
    url.includes('/node_modules/esbuild/') ||
    url.startsWith('node:internal/modules/')
  )
    return 'startup/loader';
  if (url.startsWith('node:')) return undefined;
  return 'other';
}

export interface Attribution {
  /** Microseconds of self time per bucket inside the window (idle excluded). */
  bucketsUs: Record<Bucket, number>;
  busyUs: number;
  idleUs: number;
  windowUs: number;
  samples: number;
  meanSampleIntervalUs: number;
  /** Hottest frames by self time inside the window (before charging to callers). */
  topFunctions: { function: string; location: string; bucket: Bucket; selfUs: number }[];
  /** Self time by script (harness files shortened to their repository path). */
  topFiles: { file: string; selfUs: number }[];
  /** Harness functions by inclusive time (self plus everything they called synchronously). */
  topInclusive: { function: string; location: string; inclusiveUs: number }[];
}

/** A path shortened to its repository path under `ownFolder` (or its package under node_modules). */
function shortUrl(url: string, ownFolder: string): string {
  const i = url.lastIndexOf(ownFolder);
  if (i >= 0) return url.slice(i + 1);
  const j = url.lastIndexOf('/node_modules/');
  if (j >= 0) return url.slice(j + '/node_modules/'.length);
  return url || '(native)';
}

/** How to read a profile: the buckets, the frame classifier, and the folder whose functions are "ours". */
export interface ProfileReading<B extends string> {
  buckets: readonly B[];
  /** The bucket a frame speaks for, or undefined to charge its caller. */
  classify(frame: ProfileNode['callFrame']): B | undefined;
  fallback: B;
  /** e.g. `/harness/`: files under it are shortened to it, and its functions get inclusive time. */
  ownFolder: string;
}

export interface GenericAttribution<B extends string> {
  bucketsUs: Record<B, number>;
  busyUs: number;
  idleUs: number;
  windowUs: number;
  samples: number;
  meanSampleIntervalUs: number;
  topFunctions: { function: string; location: string; bucket: B; selfUs: number }[];
  topFiles: { file: string; selfUs: number }[];
  topInclusive: { function: string; location: string; inclusiveUs: number }[];
}

/** `attributeProfile` for the harness; the CRM benchmark reads its profiles with other buckets. */
export function attributeProfile(file: string, window?: { startUs: number; endUs: number }): Attribution {
  return attributeProfileWith(
    file,
    { buckets: BUCKETS, classify: classifyFrame, fallback: 'other', ownFolder: '/harness/' },
    window,
  );
}

/**
 * Self time per bucket (a frame no bucket claims is charged to its nearest classified caller),
 * the hottest functions and files, and the inclusive time of `ownFolder`'s functions. `window` in
 * the profile's clock (µs, monotonic); the whole profile when omitted.
 */
export function attributeProfileWith<B extends string>(
  file: string,
  reading: ProfileReading<B>,
  window?: { startUs: number; endUs: number },
): GenericAttribution<B> {
  const short = (url: string): string => shortUrl(url, reading.ownFolder);
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const n of profile.nodes) byId.set(n.id, n);
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const bucketOf = new Map<number, B>();
  const resolve = (id: number): B => {
    const cached = bucketOf.get(id);
    if (cached) return cached;
    const path: number[] = [];
    let cur: number | undefined = id;
    let found: B = reading.fallback;
    while (cur !== undefined) {
      const hit = bucketOf.get(cur) ?? reading.classify(byId.get(cur)!.callFrame);
      if (hit) {
        found = hit;
        break;
      }
      path.push(cur);
      cur = parent.get(cur);
    }
    // Only the frames charged upwards share the answer; frames that classify themselves keep theirs.
    for (const p of path) bucketOf.set(p, found);
    bucketOf.set(id, found);
    return found;
  };

  // Our own frames on each node's stack (each function once), for inclusive time.
  const stackKeys = new Map<number, string[]>();
  const ownKeysOf = (id: number): string[] => {
    const cached = stackKeys.get(id);
    if (cached) return cached;
    const f = byId.get(id)!.callFrame;
    const up = parent.get(id);
    const inherited = up === undefined ? [] : ownKeysOf(up);
    const key = f.url.includes(reading.ownFolder) ? `${f.functionName || '(anonymous)'}@${short(f.url)}` : undefined;
    const keys = key && !inherited.includes(key) ? [...inherited, key] : inherited;
    stackKeys.set(id, keys);
    return keys;
  };
  const inclusive = new Map<string, number>();
  const bucketsUs = Object.fromEntries(reading.buckets.map((b) => [b, 0])) as Record<B, number>;
  const selfByNode = new Map<number, number>();
  let idleUs = 0;
  let samples = 0;
  let t = profile.startTime;
  const start = window?.startUs ?? -Infinity;
  const end = window?.endUs ?? Infinity;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i] ?? 0;
    const dur = profile.timeDeltas[i + 1] ?? 0;
    if (t < start || t >= end) continue;
    samples++;
    const id = profile.samples[i]!;
    const node = byId.get(id)!;
    if (node.callFrame.functionName === '(idle)') {
      idleUs += dur;
      continue;
    }
    bucketsUs[resolve(id)] += dur;
    selfByNode.set(id, (selfByNode.get(id) ?? 0) + dur);
    for (const k of ownKeysOf(id)) inclusive.set(k, (inclusive.get(k) ?? 0) + dur);
  }
  const busyUs = (Object.values(bucketsUs) as number[]).reduce((a, b) => a + b, 0);
  const byFunction = new Map<string, GenericAttribution<B>['topFunctions'][number]>();
  const byFile = new Map<string, number>();
  for (const [id, us] of selfByNode) {
    const f = byId.get(id)!.callFrame;
    // tsx-compiled harness files report line 0 for every function; a line is shown only where it means something.
    const location = f.url ? `${short(f.url)}${f.lineNumber > 0 ? `:${f.lineNumber + 1}` : ''}` : '(native)';
    const key = `${f.functionName}@${location}`;
    const entry = byFunction.get(key) ?? {
      function: f.functionName || '(anonymous)',
      location,
      bucket: resolve(id),
      selfUs: 0,
    };
    entry.selfUs += us;
    byFunction.set(key, entry);
    byFile.set(short(f.url), (byFile.get(short(f.url)) ?? 0) + us);
  }
  const windowUs = Math.min(end, profile.endTime) - Math.max(start, profile.startTime);
  return {
    bucketsUs,
    busyUs,
    idleUs,
    windowUs,
    samples,
    meanSampleIntervalUs: samples > 0 ? Math.round(windowUs / samples) : 0,
    topFunctions: [...byFunction.values()].sort((a, b) => b.selfUs - a.selfUs).slice(0, 25),
    topFiles: [...byFile.entries()]
      .map(([file, selfUs]) => ({ file, selfUs }))
      .sort((a, b) => b.selfUs - a.selfUs)
      .slice(0, 25),
    topInclusive: [...inclusive.entries()]
      .map(([k, inclusiveUs]) => {
        const at = k.lastIndexOf('@');
        return { function: k.slice(0, at), location: k.slice(at + 1), inclusiveUs };
      })
      .sort((a, b) => b.inclusiveUs - a.inclusiveUs)
      .slice(0, 30),
  };
}
