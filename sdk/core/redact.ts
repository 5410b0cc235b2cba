/** Secrets never reach hooks or logs in clear: credentials keep only a short, recognisable tail. */
const SECRET_HEADERS = new Set(['authorization', 'x-admin-token', 'cookie', 'set-cookie', 'proxy-authorization']);

export function redactSecret(value: string): string {
  const token = value.replace(/^Bearer\s+/i, '');
  const prefix = value.length !== token.length ? 'Bearer ' : '';
  return `${prefix}${token.length > 12 ? `${token.slice(0, 4)}…${token.slice(-4)}` : '***'}`;
}

export function redactHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers))
    out[name] = SECRET_HEADERS.has(name.toLowerCase()) ? redactSecret(value) : value;
  return out;
}
