/**
 * The harness's own request mix, made replayable by a load generator. From a harness run's
 * transcript: the share of each method + path template, and a systematic sample of its requests,
 * rewritten for the benchmark's own tenants on another CRM process:
 * - the first creates of the transcript are replayed to seed each tenant with the same kind of
 *   records (same bodies, unique values made unique again), and every server-issued id the
 *   harness saw is mapped onto a record of the same resource and owner here;
 * - own requests keep their shape (an own read hits an own record, a foreign probe a foreign one, an
 *   id the harness made up stays made up), the first page replaces an own cursor, idempotency keys
 *   are fresh, and an own DELETE deletes a record this connection created earlier in the sequence.
 */
import { randomBytes } from 'node:crypto';
import type { ApiModel, OperationInfo } from '../../harness/openapi/api-model.ts';
import { getPath } from '../../harness/model/resolve-step.ts';
import { forEachTranscriptLine, type EvidenceLite, type TranscriptExchangeLine } from './common.ts';

export type Exchange = NonNullable<TranscriptExchangeLine['exchange']> & { at: number };

export interface MixShare {
  template: string;
  count: number;
  share: number;
}

/** The campaign's exchanges (the negative control's, after the campaign, are left out). */
export function campaignExchanges(runDir: string, evidence: EvidenceLite): Exchange[] {
  const end = Date.parse(evidence.method.endedAt);
  const out: Exchange[] = [];
  let control = false;
  forEachTranscriptLine(runDir, (line) => {
    if (line.type === 'note') {
      const note = String((line as { note?: string }).note ?? '');
      if (/negative control: begin/.test(note)) control = true;
      if (/negative control: end/.test(note)) control = false;
      return;
    }
    const at = Date.parse(line.at);
    if (control || !line.exchange || at > end) return;
    out.push({ ...line.exchange, at });
  });
  return out;
}

export function templateOf(
  ex: { operationId: string; request: { method: string } },
  ops: Map<string, OperationInfo>,
): string {
  const op = ops.get(ex.operationId);
  return `${ex.request.method} ${op?.path ?? ex.operationId}`;
}

export function mixOf(exchanges: Exchange[], ops: Map<string, OperationInfo>): MixShare[] {
  const counts = new Map<string, number>();
  for (const ex of exchanges) counts.set(templateOf(ex, ops), (counts.get(templateOf(ex, ops)) ?? 0) + 1);
  return [...counts.entries()]
    .map(([template, count]) => ({ template, count, share: Math.round((count / exchanges.length) * 10_000) / 10_000 }))
    .sort((a, b) => b.count - a.count);
}

/** In-flight statistics from each exchange's completion time (`at`) and duration. */
export function inFlight(
  exchanges: Exchange[],
  startMs: number,
  endMs: number,
): { meanInFlight: number; maxInFlight: number; idleShare: number; shareByLevel: Record<string, number> } {
  const events: [number, number][] = [];
  let busy = 0;
  for (const ex of exchanges) {
    const d = ex.response?.durationMs;
    if (d === undefined) continue;
    const e = Math.min(ex.at, endMs);
    const s = Math.max(ex.at - d, startMs);
    if (e <= s) continue;
    busy += e - s;
    events.push([s, 1], [e, -1]);
  }
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const byLevel = new Map<number, number>();
  let level = 0;
  let max = 0;
  let t = startMs;
  for (const [time, delta] of events) {
    byLevel.set(level, (byLevel.get(level) ?? 0) + (time - t));
    t = time;
    level += delta;
    if (level > max) max = level;
  }
  byLevel.set(level, (byLevel.get(level) ?? 0) + Math.max(0, endMs - t));
  const wall = endMs - startMs;
  const shareByLevel: Record<string, number> = {};
  for (const [l, ms] of [...byLevel.entries()].sort((a, b) => a[0] - b[0]))
    shareByLevel[l >= 4 ? '4+' : String(l)] =
      Math.round(((shareByLevel[l >= 4 ? '4+' : String(l)] ?? 0) + ms / wall) * 1000) / 1000;
  return {
    meanInFlight: Math.round((busy / wall) * 1000) / 1000,
    maxInFlight: max,
    idleShare: shareByLevel['0'] ?? 0,
    shareByLevel,
  };
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
const EMAIL = /([A-Za-z0-9._%+-]{1,40})@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)/g;

/** The harness's own dotted-path reader; an absent path means the root. */
const getAt = (root: unknown, dotted: string | undefined): unknown => getPath(root, dotted ?? '');

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** What autocannon takes as one entry of `requests`. */
export interface LoadRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
  setupRequest?: (req: LoadRequest, context: Record<string, unknown>) => LoadRequest;
  onResponse?: (status: number, body: string, context: Record<string, unknown>) => void;
}

export interface Workload {
  tenants: number;
  seeded: { attempted: number; created: number };
  sampleSize: number;
  sampleMix: MixShare[];
  /** 2xx share of the sampled requests in the harness's run (to compare with the load generator's). */
  harness2xxShare: number;
  requests: LoadRequest[];
  /** Status counts seen by the load generator, filled as it runs. */
  statuses: Map<number, number>;
}

export async function prepareWorkload(o: {
  url: string;
  adminToken: string;
  exchanges: Exchange[];
  model: ApiModel;
  sample: number;
  seedCreates: number;
}): Promise<Workload> {
  const ops = new Map(o.model.operations.map((op) => [op.operationId, op]));
  const labels = [...new Set(o.exchanges.map((e) => e.tenant))].sort();
  const keys = new Map<string, string>();
  for (const label of labels) {
    const res = await fetch(`${o.url}/v1/tenants`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-admin-token': o.adminToken },
      body: JSON.stringify({ name: `bench-${label}-${randomBytes(3).toString('hex')}` }),
    });
    if (res.status !== 201)
      throw new Error(`provisioning a benchmark tenant failed: ${res.status} ${await res.text()}`);
    keys.set(label, ((await res.json()) as { apiKey: string }).apiKey);
  }

  // Every server-issued id of the transcript: its owner label and resource.
  const owner = new Map<string, { label: string; resource: string }>();
  const produced = (ex: Exchange): string | undefined => {
    const op = ops.get(ex.operationId);
    if (!op?.produces || !ex.response || ex.response.status >= 300) return undefined;
    try {
      const id = getAt(getAt(JSON.parse(ex.response.bodyText), op.produces.envelope), op.produces.idField);
      return typeof id === 'string' ? id : undefined;
    } catch {
      return undefined;
    }
  };
  for (const ex of o.exchanges) {
    const id = produced(ex);
    if (id) owner.set(id, { label: ex.tenant, resource: ops.get(ex.operationId)!.produces!.resource });
  }

  const mapped = new Map<string, string>();
  const pools = new Map<string, string[]>();
  const mapId = (id: string): string => {
    const m = mapped.get(id);
    if (m) return m;
    const who = owner.get(id);
    const pool = who ? pools.get(`${who.label}:${who.resource}`) : undefined;
    return pool && pool.length > 0 ? pool[hash(id) % pool.length]! : id;
  };
  const mapText = (text: string): string => text.replace(UUID, (id) => mapId(id));
  let unique = 0;
  const uniquify = (text: string): string =>
    text.replace(
      EMAIL,
      (_m, local: string, domain: string) =>
        `u${(++unique).toString(36)}${randomBytes(2).toString('hex')}.${local}`.slice(0, 60) + `@${domain}`,
    );

  // Seed: the transcript's first own creates, replayed in order for the same labels.
  let attempted = 0;
  let created = 0;
  for (const ex of o.exchanges) {
    if (attempted >= o.seedCreates) break;
    const op = ops.get(ex.operationId);
    if (ex.relation !== 'own' || !op?.produces || !produced(ex)) continue;
    attempted++;
    const body = ex.request.bodyText !== undefined ? uniquify(mapText(ex.request.bodyText)) : undefined;
    const res = await fetch(o.url + mapText(ex.request.path), {
      method: ex.request.method,
      headers: {
        authorization: `Bearer ${keys.get(ex.tenant)}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(op.idempotencyHeader
          ? { [op.idempotencyHeader.toLowerCase()]: `bench-${randomBytes(8).toString('hex')}` }
          : {}),
      },
      ...(body !== undefined ? { body } : {}),
    });
    const text = await res.text();
    if (res.status >= 300) continue;
    const id = getAt(getAt(JSON.parse(text), op.produces.envelope), op.produces.idField);
    if (typeof id !== 'string') continue;
    created++;
    mapped.set(produced(ex)!, id);
    const pool = pools.get(`${ex.tenant}:${op.produces.resource}`) ?? [];
    pool.push(id);
    pools.set(`${ex.tenant}:${op.produces.resource}`, pool);
  }

  // A systematic sample keeps the transcript's proportions and its order.
  const stride = Math.max(1, o.exchanges.length / o.sample);
  const sampled: Exchange[] = [];
  for (let i = 0; i < o.exchanges.length && sampled.length < o.sample; i += stride)
    sampled.push(o.exchanges[Math.floor(i)]!);
  const statuses = new Map<number, number>();
  const count = (status: number): void => {
    statuses.set(status, (statuses.get(status) ?? 0) + 1);
  };

  const requests: LoadRequest[] = sampled.map((ex) => {
    const op = ops.get(ex.operationId);
    const own = ex.relation === 'own' || ex.relation === 'setup';
    const url = new URL(mapText(ex.request.path), 'http://x');
    if (own && op?.pagination?.param) url.searchParams.delete(op.pagination.param);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(ex.request.headers)) if (k !== 'authorization') headers[k] = mapText(v);
    headers['authorization'] = `Bearer ${keys.get(ex.tenant)}`;
    const body = ex.request.bodyText !== undefined ? mapText(ex.request.bodyText) : undefined;
    const idem = op?.idempotencyHeader?.toLowerCase();
    const isCreate = own && Boolean(op?.produces) && op?.kind === 'create';
    const createKey = isCreate ? `${ex.tenant}:${op!.produces!.resource}` : undefined;
    const deleteKey = own && ex.request.method === 'DELETE' && op?.resource ? `${ex.tenant}:${op.resource}` : undefined;
    const entry: LoadRequest = {
      method: ex.request.method,
      path: url.pathname + url.search,
      headers,
      ...(body !== undefined ? { body } : {}),
    };
    entry.setupRequest = (req, context) => {
      const next: LoadRequest = { ...req, headers: { ...req.headers } };
      if (idem && idem in next.headers && ex.relation !== 'foreign')
        next.headers[idem] = `bench-${randomBytes(8).toString('hex')}`;
      if (next.body !== undefined && own && (op?.uniqueFields?.length ?? 0) > 0) next.body = uniquify(next.body);
      if (deleteKey) {
        const created = (context[deleteKey] as string[] | undefined) ?? [];
        const item = created.pop();
        if (item) next.path = item;
      }
      return next;
    };
    entry.onResponse = (status, text, context) => {
      count(status);
      if (!createKey || status >= 300) return;
      try {
        const id = getAt(getAt(JSON.parse(text), op!.produces!.envelope), op!.produces!.idField);
        if (typeof id !== 'string') return;
        const list = (context[createKey] as string[] | undefined) ?? [];
        list.push(`${url.pathname}/${id}`);
        context[createKey] = list;
      } catch {
        // not JSON: nothing to delete later
      }
    };
    return entry;
  });

  return {
    tenants: labels.length,
    seeded: { attempted, created },
    sampleSize: sampled.length,
    sampleMix: mixOf(sampled, ops),
    harness2xxShare:
      Math.round(
        (sampled.filter((e) => (e.response?.status ?? 0) >= 200 && (e.response?.status ?? 0) < 300).length /
          Math.max(1, sampled.length)) *
          1000,
      ) / 1000,
    requests,
    statuses,
  };
}
