/** What the oracles' judges may consult in a run: ownership, and what each tenant already knew. */
import type { Exchange, TenantLabel } from '../model/exchange.ts';
import type { World } from '../model/world.ts';
import { foreignDataHits } from '../oracles/foreign-data.ts';
import type { JudgeContext } from '../oracles/oracle.ts';
import type { FingerprintScanner } from '../oracles/scan/fingerprint-scanner.ts';

export function judgeContext(world: World, scanner: FingerprintScanner): JudgeContext {
  /** Fingerprints of `owner` in the answer that its sender did not send in this request, nor knew. */
  const ownedValues = (ex: Exchange, owner: TenantLabel): string[] => [
    ...new Set(
      foreignDataHits(ex, scanner)
        .hits.filter((h) => h.owner === owner && !world.knownTo(ex.tenant, h.value))
        .map((h) => h.value),
    ),
  ];
  return {
    scanner,
    ownerOf: (value, resource) => world.ownerOf(value, resource),
    knownTo: (tenant, value) => world.knownTo(tenant, value),
    ownedValues,
    victimValues: (ex) => (ex.victim ? ownedValues(ex, ex.victim) : []),
  };
}
