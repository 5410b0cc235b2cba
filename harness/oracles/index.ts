/**
 * The oracle registry: the one list of oracles a campaign runs. Everything that names oracles is
 * derived from it: the executor's dispatch by probe, `inspect`'s probe → oracle table, the SARIF
 * rules, the control mapping's oracle lists, the evidence's `method.oracles` and the report.
 * Adding an oracle is its own file plus one line in `ORACLE_REGISTRY`.
 */
import type { OracleName } from '../model/exchange.ts';
import { PROBE_NAMES, type ProbeName } from '../model/probe.ts';
import { audit } from './audit.ts';
import { crossTenantAccess } from './cross-tenant-access.ts';
import { existence } from './existence.ts';
import { foreignData } from './foreign-data.ts';
import { injection } from './injection.ts';
import { model } from './model.ts';
import { nonInterference } from './non-interference.ts';
import type { Oracle } from './oracle.ts';

export { checkForeignData, foreignDataHits, type ForeignDataHit } from './foreign-data.ts';
export { checkCrossTenantAccess, type CrossTenantProbe, type CrossTenantOptions } from './cross-tenant-access.ts';
export { checkExistence, type ExistencePair } from './existence.ts';
export { checkModel, type ModelObservation, type ModelOracleContext, type ModelQueryKind } from './model.ts';
export {
  checkNonInterference,
  normaliseObservations,
  type NonInterferenceInput,
  type NonInterferenceOptions,
} from './non-interference.ts';
export { checkInjection, type InjectionCase, type InjectionContext, type InjectionVector } from './injection.ts';
export { checkAudit, type AuditedRequest, type TenantAuditView } from './audit.ts';
export { FingerprintScanner, type FingerprintMatch } from './scan/fingerprint-scanner.ts';
export { AhoCorasick } from './scan/aho-corasick.ts';
export {
  plantForeignValue,
  runNegativeControl,
  type NegativeControlInput,
  type NegativeControlResult,
} from './negative-control.ts';
export { defineOracle, type Oracle } from './oracle.ts';

/** The built-in oracles, in the order they judge an exchange (gates first). */
export const ORACLE_REGISTRY: readonly Oracle[] = [
  foreignData,
  crossTenantAccess,
  existence,
  model,
  nonInterference,
  injection,
  audit,
];

/** A set of oracles and what is derived from it. Tests build one with an extra oracle. */
export class OracleSet {
  constructor(readonly oracles: readonly Oracle[] = ORACLE_REGISTRY) {
    const names = oracles.map((o) => o.name);
    const dup = names.find((n, i) => names.indexOf(n) !== i);
    if (dup) throw new Error(`two oracles are named ${dup}`);
  }

  get names(): OracleName[] {
    return this.oracles.map((o) => o.name);
  }

  get(name: OracleName): Oracle | undefined {
    return this.oracles.find((o) => o.name === name);
  }

  /** The oracles that judge a probe. */
  forProbe(probe: ProbeName): Oracle[] {
    return this.oracles.filter((o) => o.probes.includes(probe));
  }

  /** Probe → the names of the oracles that judge it (what `inspect` prints). */
  probeTable(): Record<ProbeName, OracleName[]> {
    return Object.fromEntries(PROBE_NAMES.map((p) => [p, this.forProbe(p).map((o) => o.name)])) as Record<
      ProbeName,
      OracleName[]
    >;
  }

  /** The names of the oracles that judge any of `probes`, in registry order. */
  judging(probes: readonly ProbeName[]): OracleName[] {
    return this.oracles.filter((o) => o.probes.some((p) => probes.includes(p))).map((o) => o.name);
  }

  /** Control id → the names of the oracles that bear on it. */
  oraclesForControl(controlId: string): OracleName[] {
    return this.oracles.filter((o) => o.controls.includes(controlId)).map((o) => o.name);
  }
}

/** The built-in set. */
export const ORACLES = new OracleSet();

/** The built-in oracle names, in registry order. */
export const ORACLE_NAMES: readonly OracleName[] = ORACLES.names;
