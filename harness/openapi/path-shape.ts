/** The shape of a path template: literal segments, parameters, and which parameter names which resource. */
import { isNoiseSegment, resourceNameFromSegment, singularize } from './naming.ts';

export type Segment = { literal: string; param?: undefined } | { param: string; literal?: undefined };

/**
 * Segments of a path, without leading plumbing (`/api/v2`), `{param}` parts as params. A leading
 * tenant prefix (`/orgs/{orgId}`, whose parameter is in `tenantParams`: see tenant-path-prefix.ts)
 * is plumbing too: it selects the caller's tenant, not a record.
 */
export function parseSegments(path: string, tenantParams?: ReadonlySet<string>): Segment[] {
  const raw = path.split('/').filter(Boolean);
  const out: Segment[] = [];
  let skipping = true;
  for (let i = 0; i < raw.length; i++) {
    const part = raw[i]!;
    const param = /\{([^}]+)\}/.exec(part);
    if (skipping && !param && isNoiseSegment(part)) continue;
    const next = /^\{([^}]+)\}$/.exec(raw[i + 1] ?? '')?.[1];
    if (skipping && !param && next !== undefined && tenantParams?.has(next)) {
      i++;
      skipping = false;
      continue;
    }
    skipping = false;
    if (param) out.push({ param: param[1]! });
    else out.push({ literal: part });
  }
  return out;
}

/** An `{id}` segment that follows a literal names a record of that literal's resource. */
export interface Anchor {
  resource: string;
  param: string;
  /** Index of the param segment. */
  index: number;
}

export function anchorsOf(segments: Segment[]): Anchor[] {
  const anchors: Anchor[] = [];
  segments.forEach((s, i) => {
    const prev = segments[i - 1];
    if (s.param !== undefined && prev?.literal !== undefined)
      anchors.push({ resource: resourceNameFromSegment(prev.literal), param: s.param, index: i });
  });
  return anchors;
}

export function isPluralNoun(segment: string): boolean {
  const words = segment.split(/[^A-Za-z0-9]+/).filter(Boolean);
  const last = words[words.length - 1] ?? segment;
  return singularize(last) !== last.toLowerCase();
}

export function pathPrefix(path: string, segments: Segment[], count: number): string {
  // Rebuild from the original so the prefix keeps any leading `/v1`.
  const raw = path.split('/').filter(Boolean);
  const skipped = raw.length - segments.length;
  return '/' + raw.slice(0, skipped + count).join('/');
}
