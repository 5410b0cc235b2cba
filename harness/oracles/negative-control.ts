/**
 * The negative control: proof, inside every run, that the oracles can fire. A value owned by another
 * tenant is planted into a copy of a real response (in memory; the target never sees it), and the
 * foreign-data, model and existence oracles must each raise on it. A run whose negative control fails
 * is inconclusive, never clean.
 *
 * `plantForeignValue` is also what an in-process transport wrapper can use to plant into live traffic.
 */
import type { Exchange, OracleName, TenantLabel } from '../model/exchange.ts';
import { checkExistence, type ExistencePair } from './existence.ts';
import { checkForeignData } from './foreign-data.ts';
import { checkModel } from './model.ts';
import type { FingerprintScanner } from './scan/fingerprint-scanner.ts';
import { bodyJson } from './support/http-text.ts';

/** Key under which a planted value is added to a JSON object body. */
export const PLANT_KEY = 'tenantproofNegativeControl';

/** A copy of `exchange` whose response body also carries `value` (JSON-aware; text otherwise). */
export function plantForeignValue(exchange: Exchange, value: string): Exchange {
  const res = exchange.response;
  if (!res) return exchange;
  const json = bodyJson(res);
  let planted: unknown;
  let bodyText: string;
  if (Array.isArray(json)) {
    planted = [...(json as unknown[]), value];
    bodyText = JSON.stringify(planted);
  } else if (json && typeof json === 'object') {
    planted = { ...(json as Record<string, unknown>), [PLANT_KEY]: value };
    bodyText = JSON.stringify(planted);
  } else {
    planted = undefined;
    bodyText = `${res.bodyText}${value}`;
  }
  return { ...exchange, response: { ...res, bodyText, ...(planted !== undefined ? { json: planted } : {}) } };
}

export interface NegativeControlInput {
  scanner: FingerprintScanner;
  ownerOf: (value: string) => TenantLabel | undefined;
  /** A real response to `carrier.tenant`, copied to carry the planted value. */
  carrier: Exchange;
  /** A registered value owned by a tenant other than `carrier.tenant`. */
  planted: { value: string; owner: TenantLabel };
  /** A real foreign-id / missing-id pair, if the run made one; else one is derived from the carrier. */
  existencePair?: ExistencePair;
}

export interface NegativeControlOracleOutcome {
  oracle: OracleName;
  planted: boolean;
  fired: boolean;
  outcome: 'passed' | 'failed' | 'not-applicable';
  detail?: string;
}

export interface NegativeControlResult {
  outcome: 'passed' | 'failed' | 'skipped';
  detail?: string;
  oracles: NegativeControlOracleOutcome[];
}

export function runNegativeControl(input: NegativeControlInput): NegativeControlResult {
  const { carrier, planted, scanner } = input;
  if (!carrier.response) return { outcome: 'skipped', detail: 'the carrier exchange has no response', oracles: [] };
  if (planted.owner === carrier.tenant || input.ownerOf(planted.value) !== planted.owner) {
    return {
      outcome: 'failed',
      detail: `the planted value must be registered and owned by a tenant other than ${carrier.tenant}`,
      oracles: [],
    };
  }
  const outcome = (oracle: OracleName, fired: boolean, detail: string): NegativeControlOracleOutcome => ({
    oracle,
    planted: true,
    fired,
    outcome: fired ? 'passed' : 'failed',
    ...(fired ? {} : { detail }),
  });
  const results: NegativeControlOracleOutcome[] = [];

  // foreign-data: the planted response must be flagged, naming the owner as victim.
  const plantedExchange = { ...plantForeignValue(carrier, planted.value), relation: 'own' as const };
  const fd = checkForeignData([plantedExchange], scanner);
  results.push(
    outcome(
      'foreign-data',
      fd.some((f) => f.victim === planted.owner),
      "foreign-data did not flag a response carrying another tenant's value",
    ),
  );

  // model: an ownership-mode observation that includes the planted id.
  const m = checkModel(
    [
      {
        tenant: carrier.tenant,
        operationId: carrier.operationId,
        kind: 'list',
        mode: 'ownership',
        exchanges: [carrier.seq],
        observedIds: [planted.value],
      },
    ],
    { ownerOf: input.ownerOf },
  );
  results.push(
    outcome(
      'model',
      m.some((f) => f.victim === planted.owner),
      'model did not flag a listed id owned by another tenant',
    ),
  );

  // existence: the foreign response of a pair now differs from the missing-id response.
  const pair = input.existencePair ?? {
    foreign: { ...carrier, relation: 'foreign' as const, victim: planted.owner },
    missing: carrier,
  };
  const e = checkExistence([{ foreign: plantForeignValue(pair.foreign, planted.value), missing: pair.missing }]);
  results.push(
    outcome(
      'existence',
      e.length > 0,
      'existence did not flag a foreign-id response that differs from a missing-id response',
    ),
  );

  return { outcome: results.every((r) => r.outcome === 'passed') ? 'passed' : 'failed', oracles: results };
}
