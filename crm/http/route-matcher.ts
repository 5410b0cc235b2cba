/** Which methods a path supports, for 405 vs 404 on unmatched requests. */
import type { SpecOperation } from '../spec/load-spec.ts';

export function createRouteMatcher(operations: readonly SpecOperation[]): (url: string) => string[] {
  const routes = new Map<string, { pattern: RegExp; methods: string[] }>();
  for (const op of operations) {
    const entry = routes.get(op.path) ?? {
      pattern: new RegExp(`^${op.path.replace(/\{[^}]+\}/g, '[^/]+')}/?$`),
      methods: [],
    };
    entry.methods.push(op.method);
    routes.set(op.path, entry);
  }
  return (url) => {
    const path = url.split('?')[0] ?? url;
    for (const { pattern, methods } of routes.values()) if (pattern.test(path)) return methods;
    return [];
  };
}
