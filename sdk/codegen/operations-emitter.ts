/**
 * Operation metadata (method, path, parameters, body and response schema names) as a typed const,
 * so the client, the testing kit and the tests agree on what the spec declares.
 */
import { componentSchemaName, isObject, resolvePointer, type OpenApiDocument } from './spec.ts';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

export interface OperationInfo {
  operationId: string;
  method: string;
  path: string;
  pathParams: string[];
  queryParams: string[];
  headerParams: string[];
  requestSchema: string | null;
  requestRequired: boolean;
  successStatus: number;
  /** Component schema name of the success body, or null (no body, or not a JSON component). */
  responseSchema: string | null;
  responseContentTypes: string[];
  errorStatuses: number[];
  /** Query parameters with their schemas (not emitted into operations.ts; used for params.ts). */
  query?: Array<{ name: string; required: boolean; schema: unknown }>;
}

function deref<T>(doc: OpenApiDocument, node: unknown): T | undefined {
  let current = node;
  for (let i = 0; i < 20 && isObject(current) && typeof current.$ref === 'string'; i++)
    current = resolvePointer(doc, current.$ref);
  return current as T | undefined;
}

export function collectOperations(doc: OpenApiDocument): OperationInfo[] {
  const out: OperationInfo[] = [];
  for (const [path, rawItem] of Object.entries(doc.paths ?? {})) {
    const item = deref<Record<string, unknown>>(doc, rawItem);
    if (!isObject(item)) continue;
    const shared = Array.isArray(item.parameters) ? item.parameters : [];
    for (const method of METHODS) {
      const op = item[method];
      if (!isObject(op)) continue;
      const params = new Map<string, { name: string; in: string; required?: boolean; schema?: unknown }>();
      for (const raw of [...shared, ...(Array.isArray(op.parameters) ? op.parameters : [])]) {
        const p = deref<{ name: string; in: string; required?: boolean; schema?: unknown }>(doc, raw);
        if (p && typeof p.name === 'string') params.set(`${p.in}:${p.name}`, p);
      }
      const byIn = (where: string) => [...params.values()].filter((p) => p.in === where).map((p) => p.name);
      const body = deref<Record<string, unknown>>(doc, op.requestBody);
      const bodySchema = isObject(body?.content)
        ? (body.content as Record<string, { schema?: { $ref?: string } }>)['application/json']?.schema
        : undefined;
      const responses = isObject(op.responses) ? op.responses : {};
      const statuses = Object.keys(responses)
        .filter((s) => /^\d{3}$/.test(s))
        .map(Number);
      const success = statuses.filter((s) => s >= 200 && s < 300).sort()[0] ?? 200;
      const okResponse = deref<Record<string, unknown>>(doc, responses[String(success)]);
      const content = isObject(okResponse?.content)
        ? (okResponse.content as Record<string, { schema?: { $ref?: string } }>)
        : {};
      const jsonRef = content['application/json']?.schema?.$ref;
      out.push({
        operationId: typeof op.operationId === 'string' ? op.operationId : `${method} ${path}`,
        method,
        path,
        pathParams: byIn('path'),
        queryParams: byIn('query'),
        headerParams: byIn('header'),
        requestSchema: bodySchema?.$ref ? (componentSchemaName(bodySchema.$ref) ?? null) : null,
        requestRequired: body?.required === true,
        successStatus: success,
        responseSchema: jsonRef ? (componentSchemaName(jsonRef) ?? null) : null,
        responseContentTypes: Object.keys(content),
        errorStatuses: statuses.filter((s) => s >= 400),
        query: [...params.values()]
          .filter((p) => p.in === 'query')
          .map((p) => ({ name: p.name, required: p.required === true, schema: p.schema })),
      });
    }
  }
  return out;
}

export function emitOperationsModule(doc: OpenApiDocument, header: string): string {
  const ops = collectOperations(doc);
  const body = ops.map(({ query: _query, ...op }) => `  ${op.operationId}: ${JSON.stringify(op)},`).join('\n');
  return `${header}
/** Every operation of the spec, by operationId. */
export const operations = {
${body}
} as const;

export type OperationId = keyof typeof operations;
`;
}
