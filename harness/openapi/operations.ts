/**
 * Lists the operations of a document with their parameters (path-level merged with
 * operation-level), request body and main success response, all `$ref`s followed.
 */
import { HTTP_METHODS, type BodyInfo, type HttpMethod, type ParameterInfo, type ResponseInfo } from './api-model.ts';
import { toPointer } from './json-pointer.ts';
import { isObject, type JsonObject, type SpecDocument } from './spec-document.ts';

export interface RawOperation {
  method: HttpMethod;
  path: string;
  pointer: string;
  operation: JsonObject;
  pathItem: JsonObject;
  operationId: string;
  parameters: ParameterInfo[];
  requestBody?: BodyInfo;
  successResponse?: ResponseInfo;
  /** Every declared response content type of the success response. */
  successContentTypes: string[];
}

function collectParameters(doc: SpecDocument, pathItem: JsonObject, operation: JsonObject): ParameterInfo[] {
  const byKey = new Map<string, ParameterInfo>();
  for (const list of [pathItem.parameters, operation.parameters]) {
    if (!Array.isArray(list)) continue;
    for (const raw of list) {
      const p = doc.object(raw);
      if (typeof p.name !== 'string' || typeof p.in !== 'string') continue;
      if (!['path', 'query', 'header', 'cookie'].includes(p.in)) continue;
      let schema: unknown = p.schema;
      if (schema === undefined && isObject(p.content)) {
        const first = Object.values(p.content)[0];
        schema = isObject(first) ? first.schema : undefined;
      }
      byKey.set(`${p.in}:${p.name}`, {
        name: p.name,
        in: p.in as ParameterInfo['in'],
        required: p.in === 'path' ? true : p.required === true,
        schema: schema ?? {},
      });
    }
  }
  return [...byKey.values()];
}

/** Prefers JSON, then any `+json`, then form encodings, then whatever comes first. */
export function pickContentType(types: string[]): string | undefined {
  return (
    types.find((t) => /^application\/json\b/i.test(t)) ??
    types.find((t) => /\+json\b/i.test(t)) ??
    types.find((t) => /json/i.test(t)) ??
    types.find((t) => /x-www-form-urlencoded/i.test(t)) ??
    types.find((t) => /multipart\/form-data/i.test(t)) ??
    types[0]
  );
}

function collectBody(doc: SpecDocument, operation: JsonObject): BodyInfo | undefined {
  if (operation.requestBody === undefined) return undefined;
  const body = doc.object(operation.requestBody);
  const content = isObject(body.content) ? body.content : {};
  const contentType = pickContentType(Object.keys(content));
  if (!contentType) return undefined;
  const media = doc.object(content[contentType]);
  return { contentType, required: body.required === true, schema: media.schema ?? {} };
}

function collectSuccess(doc: SpecDocument, operation: JsonObject): { response?: ResponseInfo; contentTypes: string[] } {
  const responses = isObject(operation.responses) ? operation.responses : {};
  const statuses = Object.keys(responses)
    .filter((s) => /^2(\d\d|XX)$/i.test(s))
    .sort();
  const status = statuses[0] ?? (responses.default !== undefined ? 'default' : undefined);
  if (!status) return { contentTypes: [] };
  const response = doc.object(responses[status]);
  const content = isObject(response.content) ? response.content : {};
  const contentTypes = Object.keys(content);
  const contentType = pickContentType(contentTypes);
  if (!contentType) return { response: { status }, contentTypes };
  const media = doc.object(content[contentType]);
  return {
    response: { status, contentType, ...(media.schema !== undefined ? { schema: media.schema } : {}) },
    contentTypes,
  };
}

export function listOperations(doc: SpecDocument): RawOperation[] {
  const paths = isObject(doc.root.paths) ? doc.root.paths : {};
  const out: RawOperation[] = [];
  for (const [path, rawItem] of Object.entries(paths)) {
    const pathItem = doc.object(rawItem);
    for (const method of HTTP_METHODS) {
      const operation = pathItem[method];
      if (!isObject(operation)) continue;
      const { response, contentTypes } = collectSuccess(doc, operation);
      const requestBody = collectBody(doc, operation);
      out.push({
        method,
        path,
        pointer: toPointer(['paths', path, method]),
        operation,
        pathItem,
        operationId:
          typeof operation.operationId === 'string' && operation.operationId
            ? operation.operationId
            : `${method.toUpperCase()} ${path}`,
        parameters: collectParameters(doc, pathItem, operation),
        ...(requestBody ? { requestBody } : {}),
        ...(response ? { successResponse: response } : {}),
        successContentTypes: contentTypes,
      });
    }
  }
  return out;
}
