/** The tenants a sequence of steps needs, for shrink candidates and replays without bystanders. */
import type { Step, StepValue } from '../model/step.ts';

/**
 * How many tenants a candidate needs: up to the highest label its steps name (`T3` of `T1`…`Tn`:
 * as sender, victim or tenant id), at least two. Undefined when a label is not of that form.
 */
export function tenantsNeeded(steps: readonly Step[]): number | undefined {
  let max = 2;
  const note = (label: string): boolean => {
    const m = /^T(\d+)$/.exec(label);
    if (!m) return false;
    max = Math.max(max, Number(m[1]));
    return true;
  };
  const walk = (v: StepValue | undefined): boolean => {
    if (Array.isArray(v)) return v.every(walk);
    if (v !== null && typeof v === 'object') {
      if ('$tenantId' in v && typeof v.$tenantId === 'string') return note(v.$tenantId);
      return Object.values(v).every((x) => walk(x as StepValue));
    }
    return true;
  };
  for (const s of steps) {
    if (!note(s.tenant) || (s.victim !== undefined && !note(s.victim))) return undefined;
    if (![s.pathParams, s.query, s.headers, s.body].every((v) => walk(v as StepValue | undefined))) return undefined;
  }
  return max;
}
