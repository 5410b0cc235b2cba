/**
 * The reference graph between component schemas, its strongly connected components (Tarjan) and a
 * dependency-first order. Schemas in a cycle must be declared with `z.lazy` and an explicit type.
 */
import { componentSchemaName, isObject } from './spec.ts';

/** Names of the component schemas a schema refers to (directly, anywhere inside it). */
export function collectRefs(schema: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(schema)) {
    for (const item of schema) collectRefs(item, out);
  } else if (isObject(schema)) {
    for (const [key, value] of Object.entries(schema)) {
      if (key === '$ref' && typeof value === 'string') {
        const name = componentSchemaName(value);
        if (name !== undefined) out.add(name);
      } else if (key !== 'example' && key !== 'examples' && key !== 'default' && key !== 'const' && key !== 'enum') {
        collectRefs(value, out);
      }
    }
  }
  return out;
}

export interface SchemaOrder {
  /** Component names, each after everything it depends on (cycles grouped together). */
  order: string[];
  /** Component name → the set of names in its strongly connected component, when that is a cycle. */
  cyclic: Map<string, Set<string>>;
}

export function orderSchemas(schemas: Record<string, unknown>): SchemaOrder {
  const names = Object.keys(schemas);
  const edges = new Map<string, string[]>();
  for (const name of names) {
    edges.set(
      name,
      [...collectRefs(schemas[name])].filter((n) => n in schemas),
    );
  }
  // Iterative Tarjan, so a 4 MB spec with deep chains cannot overflow the stack.
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const sccs: string[][] = [];
  for (const root of names) {
    if (idx.has(root)) continue;
    const work: Array<{ node: string; next: number }> = [{ node: root, next: 0 }];
    idx.set(root, index);
    low.set(root, index);
    index++;
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const succ = edges.get(frame.node)!;
      if (frame.next < succ.length) {
        const w = succ[frame.next++]!;
        if (!idx.has(w)) {
          idx.set(w, index);
          low.set(w, index);
          index++;
          stack.push(w);
          onStack.add(w);
          work.push({ node: w, next: 0 });
        } else if (onStack.has(w)) {
          low.set(frame.node, Math.min(low.get(frame.node)!, idx.get(w)!));
        }
      } else {
        work.pop();
        const parent = work[work.length - 1];
        if (parent) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(frame.node)!));
        if (low.get(frame.node) === idx.get(frame.node)) {
          const scc: string[] = [];
          let w: string;
          do {
            w = stack.pop()!;
            onStack.delete(w);
            scc.push(w);
          } while (w !== frame.node);
          sccs.push(scc);
        }
      }
    }
  }
  // Tarjan emits SCCs in reverse topological order of the condensation: dependencies first.
  const cyclic = new Map<string, Set<string>>();
  const order: string[] = [];
  for (const scc of sccs) {
    const members = new Set(scc);
    const isCycle = scc.length > 1 || edges.get(scc[0]!)!.includes(scc[0]!);
    for (const name of scc.sort()) {
      if (isCycle) cyclic.set(name, members);
      order.push(name);
    }
  }
  return { order, cyclic };
}
