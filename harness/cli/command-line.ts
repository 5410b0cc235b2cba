/**
 * The command line as recorded in evidence (SARIF `invocations`): `tenantproof …`, with secrets
 * removed. `--admin-token` values are replaced, and credentials inside URLs (a `--database-url`
 * with a password, a target with user:pass@) are stripped, since evidence is shared with reviewers.
 */
const SECRET_FLAGS = new Set(['--admin-token']);
export const REDACTED_ARG = '[redacted]';

function stripUrlCredentials(value: string): string {
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/i, `$1${REDACTED_ARG}@`);
}

export function recordedCommandLine(argv: readonly string[]): string {
  const out: string[] = ['tenantproof'];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.indexOf('=');
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    if (SECRET_FLAGS.has(flag)) {
      if (eq > 0) out.push(`${flag}=${REDACTED_ARG}`);
      else {
        out.push(flag, REDACTED_ARG);
        i++;
      }
      continue;
    }
    out.push(
      stripUrlCredentials(arg).replace(
        /=([a-z][a-z0-9+.-]*:\/\/[^/@\s]*@)/i,
        (_m, url: string) => `=${stripUrlCredentials(url)}`,
      ),
    );
  }
  return out.map((a) => (/[\s"'$`\\]/.test(a) ? JSON.stringify(a) : a)).join(' ');
}
