/**
 * Validation of a bundled document: quick structural checks with precise messages first (is it
 * an OpenAPI 3.0/3.1 document at all?), then the official schema through `@scalar/openapi-parser`.
 * A `format` violation (e.g. a `tokenUrl` that is not quite a URI) is a warning, not an error:
 * real specs have them and they do not stop us from testing the API.
 */
import { validate } from '@scalar/openapi-parser';
import { SpecError, type SpecLocation } from './spec-error.ts';
import { isObject } from './spec-document.ts';

export interface SpecWarning {
  message: string;
  location: SpecLocation;
}

export function detectVersion(root: Record<string, unknown>, file: string): '3.0' | '3.1' {
  if (typeof root.swagger === 'string') {
    throw new SpecError(
      'unsupported-version',
      `Swagger ${root.swagger} is not supported; convert the spec to OpenAPI 3.0 or 3.1 first`,
      { file, pointer: '/swagger' },
    );
  }
  if (root.openapi === undefined) {
    throw new SpecError('not-a-spec', 'not an OpenAPI document (no `openapi` version field at the top level)', {
      file,
      pointer: '',
    });
  }
  const version = String(root.openapi);
  if (/^3\.0(\.\d+)?$/.test(version)) return '3.0';
  if (/^3\.1(\.\d+)?$/.test(version)) return '3.1';
  throw new SpecError(
    'unsupported-version',
    `OpenAPI version ${JSON.stringify(root.openapi)} is not supported (3.0.x or 3.1.x)`,
    { file, pointer: '/openapi' },
  );
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/** Structural checks the rest of the analysis relies on, with a location for each problem. */
function structuralProblems(root: Record<string, unknown>): { pointer: string; message: string }[] {
  const problems: { pointer: string; message: string }[] = [];
  if (!isObject(root.info)) problems.push({ pointer: '/info', message: 'missing or not an object: `info`' });
  if (!isObject(root.paths)) {
    problems.push({
      pointer: '/paths',
      message: 'missing or not an object: `paths` (there is nothing to test without operations)',
    });
    return problems;
  }
  for (const [path, item] of Object.entries(root.paths)) {
    const at = '/paths/' + path.replace(/~/g, '~0').replace(/\//g, '~1');
    if (!path.startsWith('/'))
      problems.push({ pointer: at, message: `path ${JSON.stringify(path)} must start with "/"` });
    if (!isObject(item)) {
      problems.push({ pointer: at, message: `path item ${JSON.stringify(path)} is not an object` });
      continue;
    }
    for (const method of METHODS) {
      const op = item[method];
      if (op !== undefined && !isObject(op))
        problems.push({
          pointer: `${at}/${method}`,
          message: `operation ${method.toUpperCase()} ${path} is not an object`,
        });
    }
  }
  return problems;
}

/** Throws a located SpecError when the document lacks what the analysis relies on. */
export function checkStructure(root: Record<string, unknown>, locate: (pointer: string) => SpecLocation): void {
  const structural = structuralProblems(root);
  if (structural.length) {
    const [first, ...rest] = structural;
    throw new SpecError(
      'invalid',
      first!.message,
      locate(first!.pointer),
      rest.map((p) => `#${p.pointer}: ${p.message}`),
    );
  }
}

/** Structure, then the OpenAPI schema; returns format problems as warnings. */
export async function validateDocument(
  root: Record<string, unknown>,
  locate: (pointer: string) => SpecLocation,
): Promise<SpecWarning[]> {
  checkStructure(root, locate);
  const result = await quietly(() => validate(root));
  const warnings: SpecWarning[] = [];
  const errors: { pointer: string; message: string }[] = [];
  for (const error of result.errors ?? []) {
    const pointer = normalizeErrorPath(error.path);
    const message = error.message.split('\n')[0]!.trim();
    if (/must match format|unknown format/i.test(message)) warnings.push({ message, location: locate(pointer) });
    else if (!/can't resolve reference|could not resolve|cannot resolve/i.test(message))
      errors.push({ pointer, message });
  }
  if (errors.length) {
    // Combinator noise ("must match else schema") says little; the deepest concrete error says most.
    const noise = (m: string) =>
      /must match "(else|then)" schema|must match exactly one schema|must match a schema in anyOf|boolean schema is false/.test(
        m,
      );
    errors.sort((a, b) => Number(noise(a.message)) - Number(noise(b.message)) || b.pointer.length - a.pointer.length);
    const [first, ...rest] = errors;
    throw new SpecError(
      'invalid',
      `does not conform to the OpenAPI schema: ${first!.message}`,
      locate(first!.pointer),
      rest.map((p) => `#${p.pointer}: ${p.message}`),
    );
  }
  return warnings;
}

/**
 * Runs `fn` with the console silenced: the validator's error formatter prints its own stack traces
 * on some invalid documents, and no stack trace may reach the user (the errors it returns are told).
 */
async function quietly<T>(fn: () => Promise<T>): Promise<T> {
  const saved = { error: console.error, warn: console.warn, log: console.log };
  console.error = console.warn = console.log = () => {};
  try {
    return await fn();
  } finally {
    Object.assign(console, saved);
  }
}

function normalizeErrorPath(path: unknown): string {
  if (Array.isArray(path)) return path.map((s) => '/' + String(s).replace(/~/g, '~0').replace(/\//g, '~1')).join('');
  if (typeof path === 'string') return path === '' || path.startsWith('/') ? path : '/' + path;
  return '';
}
