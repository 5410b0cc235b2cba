/**
 * Oracle 5, non-interference: what A observes while B is active equals what A observes when A runs
 * the same commands alone. Inside a run this is checked differentially: a read that A repeats while
 * its own data is unchanged must come back the same, whatever other tenants did meanwhile.
 *
 * Proof rule (the `rule` below, quoted in the README):
 * - A's data is unchanged between two reads when A sent no write in between and no other tenant's
 *   write aimed at A's records ran (World.writes and World.writesStarted), none was in flight, and
 *   neither read was inside a concurrent batch.
 * - The same request twice: equal status, equal body after normalisation (server ids mapped
 *   positionally, volatile values masked), so equal numbers in it (counts, totals, sums), and equal
 *   count headers (`X-Total-Count` and kin, the total of `Content-Range`).
 * - Two pages of one list (the same request but for its cursor, offset, page or page size): equal
 *   totals (a `total`-named envelope field, a count header), unless on both pages the "total" is
 *   just that page's own item count.
 * - Never compared: values that change between identical requests by their nature, recognised by
 *   the words of their names (non-interference-numbers.ts): times and dates, durations and
 *   latencies, request, trace and correlation ids, ETags, cursors and tokens (as text), rate-limit
 *   and quota counters, server names; every header but count headers, Content-Length included (the
 *   body it measures is compared itself, and masked values change its size); and any answer that
 *   is a 429, a 5xx, a transport error or an unreadable body.
 * A difference is confirmed when it reproduces on replay.
 */
import type { Exchange, Finding, TenantLabel } from '../model/exchange.ts';
import type { OperationInfo } from '../openapi/api-model.ts';
import { countHeaders, listTotals, maskVolatile, pageItemCount } from './non-interference-numbers.ts';
import { defineOracle, type Judged } from './oracle.ts';
import { bodyJson, comparable, isSuccess } from './support/http-text.ts';
import { jsonDiff, PositionalIdMapper, stableStringify, UUID_RE, VOLATILE_KEYS } from './support/normalise.ts';

export interface NonInterferenceInput {
  tenant: TenantLabel;
  /** A's exchanges, in command order, when A ran alone. */
  alone: readonly Exchange[];
  /** A's exchanges for the same commands, in the same order, while `others` were active. */
  together: readonly Exchange[];
  /** The tenants active during `together`. */
  others: readonly TenantLabel[];
  /**
   * What must be equal: `answer` (the default) for the same request, its status, normalised body
   * and count headers; `totals` for two pages of one list, their totals and count headers only.
   */
  compare?: 'answer' | 'totals';
  /** Where a list's items are (`data`), so that a page's own item count is told from a total. */
  itemsField?: string;
}

export interface NonInterferenceOptions {
  /** Substrings mapped to positional tokens (default: UUIDs, and the `tp…` canaries). */
  idPatterns?: readonly RegExp[];
  volatileKeys?: readonly string[];
}

export const DEFAULT_ID_PATTERNS: readonly RegExp[] = [UUID_RE, /\btp[A-Za-z0-9]{6,}/g];

export interface NormalisedObservation {
  operationId: string;
  status: number | string;
  body: string;
  /** The body as compared (JSON bodies only): ids positional, volatile values masked. */
  json?: unknown;
  /** Count headers, as numbers. */
  counts: Record<string, number>;
}

export function normaliseObservations(
  exchanges: readonly Exchange[],
  options: NonInterferenceOptions = {},
): NormalisedObservation[] {
  const mapper = new PositionalIdMapper(
    options.idPatterns ?? DEFAULT_ID_PATTERNS,
    options.volatileKeys ?? VOLATILE_KEYS,
  );
  return exchanges.map((ex) => {
    const res = ex.response;
    if (!res)
      return { operationId: ex.operationId, status: `error:${ex.error?.code ?? 'unknown'}`, body: '', counts: {} };
    const json = bodyJson(res);
    const counts = countHeaders(res);
    if (json === undefined)
      return { operationId: ex.operationId, status: res.status, body: mapper.mapString(res.bodyText), counts };
    const mapped = mapper.map(maskVolatile(json));
    return { operationId: ex.operationId, status: res.status, body: stableStringify(mapped), json: mapped, counts };
  });
}

/** One number that differs between the two observations. */
export interface NumberChange {
  /** JSON Pointer into the body (`/total`), or `header:<name>`. */
  at: string;
  alone: number;
  together: number;
}

const MAX_LISTED = 10;

/** Count headers present in both with different values. */
function headerChanges(x: Record<string, number>, y: Record<string, number>): NumberChange[] {
  const out: NumberChange[] = [];
  for (const [name, a] of Object.entries(x)) {
    const b = y[name];
    if (b !== undefined && b !== a) out.push({ at: `header:${name}`, alone: a, together: b });
  }
  return out;
}

/** The body's differences when they are all numbers (else empty: the body differs in more than numbers). */
function numberChanges(x: NormalisedObservation, y: NormalisedObservation): NumberChange[] {
  if (x.json === undefined || y.json === undefined) return [];
  const changes = jsonDiff(x.json, y.json);
  if (!changes.every((c) => typeof c.before === 'number' && typeof c.after === 'number')) return [];
  return changes.map((c) => ({ at: c.path, alone: c.before as number, together: c.after as number }));
}

const describe = (changes: readonly NumberChange[]): string =>
  changes
    .slice(0, 3)
    .map((c) => `${c.at} ${c.alone} → ${c.together}`)
    .join(', ') + (changes.length > 3 ? ', …' : '');

function whenActive(others: readonly TenantLabel[]): string {
  return `when ${others.join(', ')} ${others.length === 1 ? 'is' : 'are'} active`;
}

function finding(
  input: NonInterferenceInput,
  pair: [Exchange | undefined, Exchange | undefined],
  summary: string,
  evidence: Record<string, unknown>,
): Finding {
  const ex = (pair[1] ?? pair[0])!;
  return {
    oracle: 'non-interference',
    proof: 'difference',
    severity: 'high',
    operationId: ex.operationId,
    attacker: input.tenant,
    // Whose activity interfered is not known from A's side alone: name them when there is one.
    ...(input.others.length === 1 ? { victim: input.others[0]! } : {}),
    summary,
    evidence: { ...evidence, others: input.others },
    exchanges: [pair[0]?.seq, pair[1]?.seq].filter((s): s is number => s !== undefined),
  };
}

/** The same request twice: status, normalised body (and so its numbers), count headers. */
function compareAnswers(input: NonInterferenceInput, options: NonInterferenceOptions): Finding | undefined {
  const a = normaliseObservations(input.alone, options);
  const b = normaliseObservations(input.together, options);
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    // Only comparable observations: no throttling (429), no server failure (5xx), no transport error.
    if (!comparable(input.alone[i]) || !comparable(input.together[i])) continue;
    const x = a[i];
    const y = b[i];
    const pair: [Exchange | undefined, Exchange | undefined] = [input.alone[i], input.together[i]];
    const op = (input.together[i] ?? input.alone[i])!.operationId;
    const what = `${input.tenant}'s observation #${i + 1} (${op})`;
    if (!x || !y || x.operationId !== y.operationId || x.status !== y.status || x.body !== y.body) {
      const numbers = x && y && x.operationId === y.operationId && x.status === y.status ? numberChanges(x, y) : [];
      const aspect =
        !x || !y
          ? 'length'
          : x.operationId !== y.operationId
            ? 'operation'
            : x.status !== y.status
              ? 'status'
              : numbers.length > 0
                ? 'number'
                : 'body';
      const detail = aspect === 'number' ? ` (${describe(numbers)})` : '';
      return finding(input, pair, `${what} differs by ${aspect}${detail} ${whenActive(input.others)}.`, {
        index: i,
        aspect,
        alone: x ?? null,
        together: y ?? null,
        ...(numbers.length > 0 ? { numbers: numbers.slice(0, MAX_LISTED) } : {}),
      });
    }
    const headers = headerChanges(x.counts, y.counts);
    if (headers.length > 0)
      return finding(input, pair, `${what} differs by header (${describe(headers)}) ${whenActive(input.others)}.`, {
        index: i,
        aspect: 'header',
        alone: x,
        together: y,
        numbers: headers.slice(0, MAX_LISTED),
      });
  }
  return undefined;
}

/** Two pages of one list: their totals and count headers, unless each is just its page's item count. */
function compareTotals(input: NonInterferenceInput): Finding | undefined {
  const x = input.alone[0];
  const y = input.together[0];
  if (!comparable(x) || !comparable(y) || !isSuccess(x!.response!.status) || !isSuccess(y!.response!.status))
    return undefined;
  const jx = bodyJson(x!.response);
  const jy = bodyJson(y!.response);
  const itemsX = pageItemCount(jx, input.itemsField);
  const itemsY = pageItemCount(jy, input.itemsField);
  const pageCount = (c: NumberChange) => itemsX !== undefined && c.alone === itemsX && c.together === itemsY;
  const totalsX = listTotals(jx, input.itemsField);
  const totalsY = listTotals(jy, input.itemsField);
  const changes: NumberChange[] = [];
  for (const [name, a] of Object.entries(totalsX)) {
    const b = totalsY[name];
    if (b !== undefined && b !== a) changes.push({ at: name, alone: a, together: b });
  }
  changes.push(...headerChanges(countHeaders(x!.response!), countHeaders(y!.response!)));
  const real = changes.filter((c) => !pageCount(c));
  if (real.length === 0) return undefined;
  return finding(
    input,
    [x, y],
    `${input.tenant}'s pages of ${y!.operationId} report different totals (${describe(real)}) ${whenActive(input.others)}.`,
    { aspect: 'total', numbers: real.slice(0, MAX_LISTED), alone: x!.request.path, together: y!.request.path },
  );
}

export function checkNonInterference(
  inputs: Iterable<NonInterferenceInput>,
  options: NonInterferenceOptions = {},
): Finding[] {
  const findings: Finding[] = [];
  for (const input of inputs) {
    // The first divergence of each pair; later ones usually follow from it.
    const f = input.compare === 'totals' ? compareTotals(input) : compareAnswers(input, options);
    if (f) findings.push(f);
  }
  return findings;
}

/** One of A's comparable reads, and how A's data stood when it was made. */
interface Seen {
  /** Writes A sent, and writes that may touch A's records (its own, and probes aimed at it), so far. */
  writes: number;
  touched: number;
  exchange: Exchange;
}

/** A's last comparable read of each request, and of each list whatever its page. */
interface NonInterferenceState {
  requests: Map<string, Seen>;
  lists: Map<string, Seen>;
}

/**
 * The request path without what moves through a list (cursor, offset, page number, page size),
 * query parameters sorted: two pages of one list share it. Undefined for an operation with no pages.
 */
export function listKeyOf(requestPath: string, op: OperationInfo | undefined): string | undefined {
  const p = op?.pagination;
  if (!p?.param && !p?.limitParam) return undefined;
  const url = new URL(requestPath, 'http://list.invalid');
  if (p.param) url.searchParams.delete(p.param);
  if (p.limitParam) url.searchParams.delete(p.limitParam);
  url.searchParams.sort();
  const qs = url.searchParams.toString();
  return qs ? `${url.pathname}?${qs}` : url.pathname;
}

export const nonInterference = defineOracle<NonInterferenceInput, NonInterferenceState>({
  name: 'non-interference',
  title: 'Non-interference',
  rule: "When A repeats a read with no write of its own in between and no other tenant's write aimed at A's records (and not inside a concurrent batch), the two answers are equal after normalisation, whatever other tenants did meanwhile: status, body and the numbers in it (counts, totals, sums), and count headers (X-Total-Count and kin, the total of Content-Range). Pages of one list read under the same condition report the same total (a total-named envelope field or count header), unless on each page it is just that page's item count. Values that change between identical requests by their nature are never compared: times and dates, durations, request and trace ids, ETags, cursors, rate-limit and quota counters, server names, and every header but count headers (Content-Length too: the body it measures is compared itself). Only comparable answers count: never a 429, a 5xx or a transport error. A difference is confirmed when it reproduces on replay.",
  cwes: ['639', '200'],
  controls: ['IVS-06', 'AC-4', 'SC-4'],
  probes: ['own-call', 'list-own', 'canary-search', 'aggregate-check', 'export-check', 'interleaved'],
  init: () => ({ requests: new Map(), lists: new Map() }),
  gather(m, port, state) {
    if (m.kind !== 'exchange' || m.concurrent) return [];
    const { step, exchange } = m;
    if (step.method !== 'GET' || step.relation !== 'own' || step.action === 'audit' || step.action === 'read-missing')
      return [];
    const tenant = port.world.tenant(step.tenant);
    if (tenant.writes !== m.ownWritesBefore || tenant.writesInFlight > 0 || !comparable(exchange)) return [];
    const now: Seen = { writes: tenant.writes, touched: tenant.writesStarted, exchange };
    const unchangedSince = (before: Seen | undefined): before is Seen =>
      before !== undefined && before.writes === now.writes && before.touched === now.touched;
    const others = port.world.others(step.tenant);
    const judged: Judged<NonInterferenceInput>[] = [];
    const judge = (before: Seen, extra: Partial<NonInterferenceInput> = {}) =>
      judged.push({
        operationId: exchange.operationId,
        relation: 'own',
        input: { tenant: step.tenant, alone: [before.exchange], together: [exchange], others, ...extra },
      });

    const requestKey = `${step.tenant} ${exchange.request.path}`;
    const sameRequest = state.requests.get(requestKey);
    state.requests.set(requestKey, now);
    if (unchangedSince(sameRequest)) judge(sameRequest);

    const op = port.plan.byId.get(step.operationId)?.op;
    const list = step.action === 'list' || step.action === 'search' ? listKeyOf(exchange.request.path, op) : undefined;
    if (list !== undefined) {
      const listKey = `${step.tenant} ${list}`;
      const otherPage = state.lists.get(listKey);
      state.lists.set(listKey, now);
      if (unchangedSince(otherPage) && otherPage.exchange.request.path !== exchange.request.path)
        judge(otherPage, { compare: 'totals', ...(op?.itemsField !== undefined ? { itemsField: op.itemsField } : {}) });
    }
    return judged;
  },
  judge: (inputs) => checkNonInterference(inputs),
});
