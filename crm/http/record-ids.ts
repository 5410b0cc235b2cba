/** The record ids a response shows, for the audit event. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_IDS = 200;

export function collectRecordIds(...sources: unknown[]): string[] {
  const ids = new Set<string>();
  const visit = (value: unknown, depth: number): void => {
    if (ids.size >= MAX_IDS || depth > 3 || value === null || typeof value !== 'object') return;
    if (Array.isArray(value)) {
      for (const item of value) visit(item, depth + 1);
      return;
    }
    for (const [key, field] of Object.entries(value)) {
      if ((key === 'id' || key.endsWith('Id')) && typeof field === 'string' && UUID.test(field) && key !== 'tenantId')
        ids.add(field.toLowerCase());
      else if (key === 'data' || key === 'tenant') visit(field, depth + 1);
    }
  };
  for (const source of sources) {
    if (typeof source === 'string' && UUID.test(source)) ids.add(source.toLowerCase());
    else visit(source, 0);
  }
  return [...ids].slice(0, MAX_IDS);
}
