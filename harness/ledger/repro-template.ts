/**
 * A minimal repro without its values: each step of a finding's counterexample as the tenant (a
 * pseudonymous label, and whether it is the attacker or the victim), the method and the operation's
 * path template from the spec (`/v1/customers/{customerId}`), the names of its query parameters,
 * of the headers it sets and of its body's top-level fields. Ids, canaries, bodies and query values
 * are left out: a buyer reads how the leak was provoked, not whose data it was.
 */
import type { EvidenceFinding } from '../evidence/evidence-schema.ts';
import { NAME, type ReproTemplateStep } from './entry.ts';

export interface OperationTemplate {
  method: string;
  path: string;
}

const safeName = (n: string): string => (NAME.test(n) && !/[{}]/.test(n) ? n : '…');

function segments(path: string): string[] {
  return path.split('/').filter((s) => s !== '');
}

const isParam = (seg: string): boolean => /^\{[^}]*\}$/.test(seg);

/** The spec's path template for `method path`, the one with the most literal segments that match. */
export function matchTemplate(
  method: string,
  path: string,
  operations: readonly OperationTemplate[],
): string | undefined {
  const segs = segments(path);
  let best: { path: string; literal: number } | undefined;
  for (const op of operations) {
    if (op.method.toUpperCase() !== method.toUpperCase()) continue;
    const t = segments(op.path);
    if (t.length !== segs.length) continue;
    let literal = 0;
    let ok = true;
    for (let i = 0; i < t.length && ok; i++) {
      if (isParam(t[i]!)) continue;
      if (t[i] === segs[i]) literal++;
      else ok = false;
    }
    if (ok && (!best || literal > best.literal)) best = { path: op.path, literal };
  }
  return best?.path;
}

/**
 * A path no operation matches: segments that are literal segments of some template stay, every other
 * segment (an id, a value, a placeholder) becomes `{…}`.
 */
function fallbackTemplate(path: string, operations: readonly OperationTemplate[]): string {
  const known = new Set(operations.flatMap((o) => segments(o.path).filter((s) => !isParam(s))));
  const segs = segments(path).map((s) => (known.has(s) ? s : '{…}'));
  return '/' + segs.join('/');
}

export function pathTemplate(method: string, pathWithQuery: string, operations: readonly OperationTemplate[]): string {
  const q = pathWithQuery.indexOf('?');
  const path = q === -1 ? pathWithQuery : pathWithQuery.slice(0, q);
  const query = q === -1 ? '' : pathWithQuery.slice(q + 1);
  const base = matchTemplate(method, path, operations) ?? fallbackTemplate(path, operations);
  if (query === '') return base;
  const names = [
    ...new Set(
      query
        .split('&')
        .filter(Boolean)
        .map((p) => {
          const k = p.split('=')[0]!;
          let decoded = k;
          try {
            decoded = decodeURIComponent(k.replace(/\+/g, ' '));
          } catch {
            // a malformed escape: judged as written
          }
          return safeName(decoded);
        }),
    ),
  ];
  return `${base}?${names.map((n) => `${n}=…`).join('&')}`;
}

export function reproTemplate(
  finding: Pick<EvidenceFinding, 'repro' | 'attacker' | 'victim'>,
  operations: readonly OperationTemplate[],
): ReproTemplateStep[] {
  return finding.repro.steps.map((s) => {
    const role = s.tenant === finding.attacker ? 'attacker' : s.tenant === finding.victim ? 'victim' : undefined;
    const headers = Object.keys(s.headers ?? {}).map(safeName);
    const body = s.body;
    const bodyFields =
      body && typeof body === 'object' && !Array.isArray(body) ? Object.keys(body as object).map(safeName) : [];
    const method = /^[A-Za-z]{1,16}$/.test(s.method) ? s.method.toUpperCase() : 'OTHER';
    return {
      tenant: s.tenant,
      ...(role ? { role } : {}),
      method,
      path: pathTemplate(method, s.path, operations),
      ...(headers.length > 0 ? { headers } : {}),
      ...(bodyFields.length > 0 ? { bodyFields } : {}),
      ...(s.concurrentWith && s.concurrentWith.length > 0 ? { concurrentWith: [...s.concurrentWith] } : {}),
      ...(s.response?.finding ? { finding: true as const } : {}),
    };
  });
}

/** "GET /v1/customers/{customerId}" with its header and body field names, for a report line. */
export function reproStepText(s: ReproTemplateStep): string {
  const extras = [
    s.headers ? `headers: ${s.headers.join(', ')}` : '',
    s.bodyFields ? `body fields: ${s.bodyFields.join(', ')}` : '',
    s.concurrentWith ? `concurrent with step ${s.concurrentWith.map((i) => i + 1).join(', ')}` : '',
  ].filter(Boolean);
  return `${s.tenant}${s.role ? ` (${s.role})` : ''}: ${s.method} ${s.path}${extras.length > 0 ? ` [${extras.join('; ')}]` : ''}${s.finding ? ' ← the leak' : ''}`;
}
