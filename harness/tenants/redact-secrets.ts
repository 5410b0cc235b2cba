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

export function redactText(text: string, secrets: readonly string[]): string {
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
