/**
 * A TypeScript module that only compiles if, for every component schema, the zod schema's output
 * type and the openapi-typescript type are assignable to each other in both directions.
 */
import { constNameFor } from './zod-emitter.ts';

export function emitParityModule(
  schemaNames: string[],
  constNames: Map<string, string>,
  header: string,
  imports: { types: string; zod: string },
): string {
  const lines = schemaNames.map((name) => {
    const constName = constNames.get(name) ?? constNameFor(name, new Set());
    const alias = constName.replace(/Schema(\d*)$/, '$1');
    const zodType = `z.output<typeof Z.${constName}>`;
    const apiType = `components["schemas"][${JSON.stringify(name)}]`;
    return `export type ${alias}Parity = [Assignable<${zodType}, ${apiType}>, Assignable<${apiType}, ${zodType}>];`;
  });
  return `${header}
import type { z } from 'zod';
import type { components } from ${JSON.stringify(imports.types)};
import type * as Z from ${JSON.stringify(imports.zod)};

/** Compiles only when A is assignable to B. */
type Assignable<A extends B, B> = [A, B];

${lines.join('\n')}
`;
}
