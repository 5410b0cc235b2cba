/** Dotted paths into JSON values (`data.0.id`), as steps and plans name response fields. */

export function getPath(root: unknown, dotted: string): unknown {
  if (dotted === '') return root;
  let cur: unknown = root;
  for (const seg of dotted.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[seg];
  }
  return cur;
}

/** `envelope.field`, or `field` when there is no envelope. */
export function joinPath(envelope: string | undefined, field: string): string {
  return envelope ? `${envelope}.${field}` : field;
}
