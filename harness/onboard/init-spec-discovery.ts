/**
 * Step 1 of `tenantproof init`: find the spec. A file is used where it is; a URL is fetched; with
 * only a target, the usual framework endpoints are tried in order and the first 2xx whose body
 * parses as an OpenAPI document (JSON or YAML) wins. A fetched spec is kept in memory here; the
 * caller saves it next to the config so that runs are reproducible.
 */
import { resolve } from 'node:path';
import yaml from 'js-yaml';
import { UsageError } from '../errors.ts';
import { SpecNotFoundError, TargetUnreachableError } from './init-errors.ts';

/** Where frameworks serve their spec: FastAPI, NestJS, Hono/Express helpers, springdoc, Swagger. */
export const SPEC_ENDPOINTS = [
  '/openapi.json',
  '/api-json',
  '/docs/spec',
  '/v3/api-docs',
  '/swagger.json',
  '/openapi.yaml',
  '/docs/openapi.json',
] as const;

export type FoundSpec =
  | { kind: 'file'; file: string }
  | {
      kind: 'fetched';
      url: string;
      text: string;
      format: 'json' | 'yaml';
      /** The URLs tried before it, each with what it answered. */
      tried: string[];
    };

export interface FindSpecOptions {
  /** `--spec FILE|URL`. */
  spec?: string;
  /** `--target URL`. */
  target?: string;
  /** Relative spec files resolve from here. */
  cwd: string;
  /** Per request. Default 10 s. */
  timeoutMs?: number;
}

const isUrl = (text: string): boolean => /^https?:\/\//i.test(text);

export async function findSpec(options: FindSpecOptions): Promise<FoundSpec> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  if (options.spec && !isUrl(options.spec)) return { kind: 'file', file: resolve(options.cwd, options.spec) };
  if (options.spec) {
    const answer = await fetchText(options.spec, timeoutMs);
    if (!answer.ok)
      throw new SpecNotFoundError(`the spec URL ${options.spec} answered HTTP ${answer.status}`, [options.spec]);
    const parsed = parseOpenApi(answer.text);
    if (!parsed)
      throw new UsageError(`${options.spec} answered, but its body is not an OpenAPI document (JSON or YAML)`, {
        hint: 'give the URL of the spec itself, or save it and pass --spec FILE',
      });
    return { kind: 'fetched', url: options.spec, text: answer.text, format: parsed, tried: [] };
  }
  if (!options.target)
    throw new UsageError('init needs a spec or a target', {
      hint: 'give --spec FILE|URL, or --target URL to look for the spec at the usual endpoints',
    });
  const tried: string[] = [];
  for (const endpoint of SPEC_ENDPOINTS) {
    const url = endpointUrl(options.target, endpoint);
    let answer: Answer;
    try {
      answer = await fetchText(url, timeoutMs);
    } catch (err) {
      // The first endpoint tells whether the target is there at all; later ones may fail singly.
      if (tried.length === 0 && err instanceof TargetUnreachableError) throw err;
      tried.push(`${url} (${(err as Error).message})`);
      continue;
    }
    const parsed = answer.ok ? parseOpenApi(answer.text) : undefined;
    if (parsed) return { kind: 'fetched', url, text: answer.text, format: parsed, tried };
    tried.push(`${url} (${answer.ok ? `HTTP ${answer.status}, not an OpenAPI document` : `HTTP ${answer.status}`})`);
  }
  throw new SpecNotFoundError(
    `no OpenAPI spec found on ${options.target}; tried:\n${tried.map((t) => `    ${t}`).join('\n')}`,
    tried,
  );
}

/** `endpoint` under the target's base URL (a path prefix such as `/api` is kept). */
export function endpointUrl(target: string, endpoint: string): string {
  const base = target.endsWith('/') ? target : `${target}/`;
  return new URL(endpoint.replace(/^\//, ''), base).href;
}

/** `json` or `yaml` when the text is an OpenAPI (or Swagger) document, else undefined. */
export function parseOpenApi(text: string): 'json' | 'yaml' | undefined {
  let value: unknown;
  let format: 'json' | 'yaml';
  try {
    value = JSON.parse(text);
    format = 'json';
  } catch {
    try {
      value = yaml.load(text);
      format = 'yaml';
    } catch {
      return undefined;
    }
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const doc = value as Record<string, unknown>;
  return typeof doc.openapi === 'string' || typeof doc.swagger === 'string' ? format : undefined;
}

interface Answer {
  ok: boolean;
  status: number;
  text: string;
}

async function fetchText(url: string, timeoutMs: number): Promise<Answer> {
  let res: Response;
  try {
    res = await fetch(url, {
      headers: { accept: 'application/json, application/yaml, text/yaml, */*' },
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'follow',
    });
  } catch (err) {
    throw new TargetUnreachableError(url, err);
  }
  const text = await res.text();
  return { ok: res.ok, status: res.status, text };
}
