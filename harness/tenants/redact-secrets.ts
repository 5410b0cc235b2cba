/** Redaction of tenant secrets from text and headers, for anything written to disk. */
import { REDACTED, type TenantCredentials } from './tenant-credentials.ts';

/** Header names whose values are always secret, whoever sent them. */
export const SECRET_HEADER_NAMES =
  /^(authorization|proxy-authorization|cookie|set-cookie|x-api-key|api-key|x-admin-token|x-auth-token|x-access-token|x-csrf-token)$/i;

export function allSecrets(tenants: readonly TenantCredentials[], extra: readonly string[] = []): string[] {
  // Longest first, so a secret that contains another is replaced whole.
  return [...new Set([...tenants.flatMap((t) => t.secrets), ...extra])]
    .filter((s) => s.length >= 4)
    .sort((a, b) => b.length - a.length);
}

/**
 * One RegExp per secrets list, matching any of them: most texts hold none, and one search says so.
 * Kept with a copy of the list it was built from, so a list changed since is never searched stale.
 */
const anyOf = new WeakMap<readonly string[], { re: RegExp; built: readonly string[] }>();

function anySecret(secrets: readonly string[]): RegExp {
  const cached = anyOf.get(secrets);
  if (cached && cached.built.length === secrets.length && cached.built.every((s, i) => s === secrets[i]))
    return cached.re;
  const re = new RegExp(secrets.map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'));
  anyOf.set(secrets, { re, built: [...secrets] });
  return re;
}

/** Each secret replaced wherever it occurs, in the order given (longest first from `allSecrets`). */
export function redactText(text: string, secrets: readonly string[]): string {
  if (secrets.length === 0 || !anySecret(secrets).test(text)) return text;
  let out = text;
  for (const s of secrets) if (out.includes(s)) out = out.split(s).join(REDACTED);
  return out;
}

export function redactHeaders(
  headers: Readonly<Record<string, string>>,
  secrets: readonly string[],
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).map(([k, v]) => [k, SECRET_HEADER_NAMES.test(k) ? REDACTED : redactText(v, secrets)]),
  );
}
