/** Counts, per operation × oracle × relation, how often an oracle judged an exchange. */
import type { OracleName } from '../model/exchange.ts';

export type CoverageRelation = 'own' | 'foreign' | 'injected';

export interface CoverageCell {
  operationId: string;
  oracle: OracleName;
  relation: CoverageRelation;
  count: number;
}

export class Coverage {
  private readonly cells = new Map<string, CoverageCell>();

  add(operationId: string, oracle: OracleName, relation: CoverageRelation, count = 1): void {
    const key = `${operationId}\u0000${oracle}\u0000${relation}`;
    const cell = this.cells.get(key);
    if (cell) cell.count += count;
    else this.cells.set(key, { operationId, oracle, relation, count });
  }

  merge(other: Coverage): void {
    for (const c of other.list()) this.add(c.operationId, c.oracle, c.relation, c.count);
  }

  list(): CoverageCell[] {
    return [...this.cells.values()].sort((a, b) =>
      a.operationId === b.operationId
        ? a.oracle === b.oracle
          ? a.relation.localeCompare(b.relation)
          : a.oracle.localeCompare(b.oracle)
        : a.operationId.localeCompare(b.operationId),
    );
  }
}
