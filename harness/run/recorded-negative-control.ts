/**
 * The negative control's fallback, for an API with no resource to plant into live: another tenant's
 * canary is planted into a copy of a recorded response (the carrier), and the oracles must fire.
 */
import { randomBytes } from 'node:crypto';
import { FingerprintRegistry } from '../generate/fingerprints.ts';
import type { Exchange, TenantLabel } from '../model/exchange.ts';
import { runNegativeControl, type NegativeControlResult } from '../oracles/negative-control.ts';
import { FingerprintScanner } from '../oracles/scan/fingerprint-scanner.ts';

/** Whether a recorded exchange can carry a planted value: an own GET answered 200 with JSON. */
export function canCarry(ex: Exchange): boolean {
  return (
    ex.relation === 'own' &&
    ex.request.method === 'GET' &&
    ex.response?.status === 200 &&
    ex.response.json !== undefined
  );
}

export function recordedNegativeControl(carrier: Exchange | undefined, labels: TenantLabel[]): NegativeControlResult {
  if (!carrier)
    return { outcome: 'skipped', detail: 'no response suitable to carry a planted value was recorded', oracles: [] };
  const registry = new FingerprintRegistry();
  const other = labels.find((l) => l !== carrier.tenant) ?? 'T2';
  const value = `tp${other}negctl${randomBytes(5).toString('hex')}`;
  registry.register(value, other, 'canary', 'negative-control');
  return runNegativeControl({
    scanner: new FingerprintScanner(registry),
    ownerOf: (v) => registry.ownerOf(v),
    carrier,
    planted: { value, owner: other },
  });
}
