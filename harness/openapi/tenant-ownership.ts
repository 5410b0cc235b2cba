/**
 * Which operations a tenant calls with its own credentials: the ones that require a security
 * scheme, unless every scheme they accept is an admin/provisioning one. A spec that declares no
 * security at all is assumed authenticated throughout (with a note saying so).
 */
import { readExtensions, securitySchemeExtensionsSchema } from './extensions.ts';
import { toPointer } from './json-pointer.ts';
import { isObject, type JsonObject, type SpecDocument } from './spec-document.ts';

const ADMIN_NAME = /admin|operator|root|master|provision|bootstrap|superuser|internal/i;

export interface OwnershipContext {
  adminSchemes: Set<string>;
  declaresSecurity: boolean;
  globalSecurity: unknown;
}

export function ownershipContext(doc: SpecDocument): OwnershipContext {
  const components = isObject(doc.root.components) ? doc.root.components : {};
  const schemes = isObject(components.securitySchemes) ? components.securitySchemes : {};
  const adminSchemes = new Set<string>();
  for (const [name, raw] of Object.entries(schemes)) {
    const scheme = doc.object(raw);
    const ext = readExtensions(
      doc,
      scheme,
      toPointer(['components', 'securitySchemes', name]),
      securitySchemeExtensionsSchema,
      'a security scheme',
    );
    const header = typeof scheme.name === 'string' ? scheme.name : '';
    const isAdmin = ext['x-tenantproof-admin'] ?? (ADMIN_NAME.test(name) || ADMIN_NAME.test(header));
    if (isAdmin) adminSchemes.add(name);
  }
  const paths = isObject(doc.root.paths) ? Object.values(doc.root.paths) : [];
  const anyOpSecurity = paths.some((item) => {
    const pathItem = doc.object(item);
    return Object.values(pathItem).some((op) => isObject(op) && op.security !== undefined);
  });
  return {
    adminSchemes,
    declaresSecurity: Object.keys(schemes).length > 0 || doc.root.security !== undefined || anyOpSecurity,
    globalSecurity: doc.root.security,
  };
}

export function tenantOwnership(
  ctx: OwnershipContext,
  operation: JsonObject,
  rootDefault: boolean | undefined,
): { tenantOwned: boolean; reason: string } {
  const security = operation.security !== undefined ? operation.security : ctx.globalSecurity;
  if (!ctx.declaresSecurity) {
    return rootDefault === false
      ? { tenantOwned: false, reason: 'x-tenantproof-tenant-owned: false on the document' }
      : { tenantOwned: true, reason: 'the spec declares no security; assumed authenticated' };
  }
  if (!Array.isArray(security) || security.length === 0)
    return { tenantOwned: false, reason: 'no security requirement (public)' };
  const requirements = security.filter(isObject);
  const names = requirements.flatMap((r) => Object.keys(r));
  if (names.length === 0) return { tenantOwned: false, reason: 'security is optional (public)' };
  const tenantNames = names.filter((n) => !ctx.adminSchemes.has(n));
  if (tenantNames.length === 0)
    return { tenantOwned: false, reason: `admin security scheme ${[...new Set(names)].join(', ')}` };
  const optional = requirements.some((r) => Object.keys(r).length === 0);
  return {
    tenantOwned: true,
    reason: `requires ${[...new Set(tenantNames)].join(' or ')}${optional ? ' (optional)' : ''}`,
  };
}
