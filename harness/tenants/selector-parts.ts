/**
 * What a tenant's selectors add to a request it sends: `header:NAME` selectors as headers (`Host`
 * under subdomain tenancy), `path:NAME` selectors as path parameter values (`orgId` under a path
 * prefix). The campaign applies them in `model/resolve-step.ts`; `init`'s smoke check and
 * `doctor`'s provisioning check send their few requests with this.
 */
export interface SelectorParts {
  headers: Record<string, string>;
  pathValues: Record<string, string>;
}

export function selectorParts(selectors: Readonly<Record<string, string>> | undefined): SelectorParts {
  const parts: SelectorParts = { headers: {}, pathValues: {} };
  for (const [key, value] of Object.entries(selectors ?? {})) {
    const m = /^(header|path):(.+)$/.exec(key);
    if (m?.[1] === 'header') parts.headers[m[2]!] = value;
    else if (m?.[1] === 'path') parts.pathValues[m[2]!] = value;
  }
  return parts;
}
