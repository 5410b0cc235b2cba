/**
 * Oracle 5, non-interference: what A observes while B is active equals what A observes when A runs
 * the same commands alone. Observations are compared after normalisation: statuses, and bodies with
 * server-issued ids mapped positionally (first id seen is `#1`, …) and volatile fields masked.
 */
import type { Exchange, Finding, TenantLabel } from '../model/exchange.ts';
import { defineOracle } from './oracle.ts';
import { bodyJson, comparable } from './support/http-text.ts';
import { PositionalIdMapper, stableStringify, UUID_RE, VOLATILE_KEYS } from './support/normalise.ts';

export interface NonInterferenceInput {
  tenant: TenantLabel;
  /** A's exchanges, in command order, when A ran alone. */
  alone: readonly Exchange[];
  /** A's exchanges for the same commands, in the same order, while `others` were active. */
  together: readonly Exchange[];
  /** The tenants active during `together`. */
  others: readonly TenantLabel[];
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
    if (!res) return { operationId: ex.operationId, status: `error:${ex.error?.code ?? 'unknown'}`, body: '' };
    const json = bodyJson(res);
    const body = json === undefined ? mapper.mapString(res.bodyText) : stableStringify(mapper.map(json));
    return { operationId: ex.operationId, status: res.status, body };
  });
}

export function checkNonInterference(
  inputs: Iterable<NonInterferenceInput>,
  options: NonInterferenceOptions = {},
): Finding[] {
  const findings: Finding[] = [];
  for (const input of inputs) {
    const a = normaliseObservations(input.alone, options);
    const b = normaliseObservations(input.together, options);
    const n = Math.max(a.length, b.length);
    for (let i = 0; i < n; i++) {
      // Only comparable observations: no throttling (429), no server failure (5xx), no transport error.
      if (!comparable(input.alone[i]) || !comparable(input.together[i])) continue;
      const x = a[i];
      const y = b[i];
      const same = x && y && x.operationId === y.operationId && x.status === y.status && x.body === y.body;
      if (same) continue;
      const ex = input.together[i] ?? input.alone[i]!;
      const aspect =
        !x || !y ? 'length' : x.operationId !== y.operationId ? 'operation' : x.status !== y.status ? 'status' : 'body';
      findings.push({
        oracle: 'non-interference',
        proof: 'difference',
        severity: 'high',
        operationId: ex.operationId,
        attacker: input.tenant,
        // Whose activity interfered is not known from A's side alone: name them when there is one.
        ...(input.others.length === 1 ? { victim: input.others[0]! } : {}),
        summary: `${input.tenant}'s observation #${i + 1} (${ex.operationId}) differs by ${aspect} when ${input.others.join(', ')} ${input.others.length === 1 ? 'is' : 'are'} active.`,
        evidence: { index: i, aspect, alone: x ?? null, together: y ?? null, others: input.others },
        exchanges: [input.alone[i]?.seq, input.together[i]?.seq].filter((s): s is number => s !== undefined),
      });
      break; // the first divergence; later ones usually follow from it
    }
  }
  return findings;
}

/** A's last comparable observation of each request, and its own write count when it was made. */
type LastSeen = Map<string, { writes: number; exchange: Exchange }>;

export const nonInterference = defineOracle<NonInterferenceInput, LastSeen>({
  name: 'non-interference',
  title: 'Non-interference',
  rule: 'When A repeats a read with no write of its own in between (and not inside a concurrent batch), the two answers are equal after normalisation, whatever other tenants did meanwhile. Only comparable answers count: never a 429, a 5xx or a transport error. A difference is confirmed when it reproduces on replay.',
  cwes: ['639', '200'],
  controls: ['IVS-06', 'AC-4', 'SC-4'],
  probes: ['own-call', 'list-own', 'canary-search', 'aggregate-check', 'export-check', 'interleaved'],
  init: () => new Map(),
  gather(m, port, lastSeen) {
    if (m.kind !== 'exchange' || m.concurrent) return [];
    const { step, exchange } = m;
    if (step.method !== 'GET' || step.relation !== 'own' || step.action === 'audit' || step.action === 'read-missing')
      return [];
    const writes = port.world.tenant(step.tenant).writes;
    if (writes !== m.ownWritesBefore) return [];
    const key = `${step.tenant} ${exchange.request.path}`;
    const previous = lastSeen.get(key);
    lastSeen.set(key, { writes, exchange });
    if (!previous || previous.writes !== writes) return [];
    const input = {
      tenant: step.tenant,
      alone: [previous.exchange],
      together: [exchange],
      others: port.world.others(step.tenant),
    };
    return [{ operationId: exchange.operationId, relation: 'own', input }];
  },
  judge: (inputs) => checkNonInterference(inputs),
});
