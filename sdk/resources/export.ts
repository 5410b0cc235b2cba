/**
 * /v1/export: every record of one resource type, oldest first. Three ways to consume it:
 * `stream()` (a Node Readable of the raw bytes), `records()` (an async iterator of parsed, validated
 * NDJSON records) and `text()` (the whole body, e.g. CSV).
 */
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { z } from 'zod';
import type { APIPromise } from '../core/api-promise.ts';
import { ResponseValidationError } from '../core/errors.ts';
import type { RequestOptions } from '../core/transport.ts';
import { CustomerSchema, InvoiceSchema, JobSchema, QuoteSchema } from '../generated/zod.ts';
import type { ExportParams, ExportRecordMap, ExportResource } from '../types.ts';
import { APIResource, asQuery } from './resource.ts';

const RECORD_SCHEMAS: Record<ExportResource, { schema: z.ZodType<unknown>; name: string }> = {
  customers: { schema: CustomerSchema, name: 'Customer' },
  jobs: { schema: JobSchema, name: 'Job' },
  quotes: { schema: QuoteSchema, name: 'Quote' },
  invoices: { schema: InvoiceSchema, name: 'Invoice' },
};

const ACCEPT = { ndjson: 'application/x-ndjson', csv: 'text/csv' } as const;

export class Export extends APIResource {
  /**
   * The export body as a Node Readable stream. Resolves once the response headers arrive; the
   * timeout covers the wait for them, not the reading of the body (abort with your signal).
   */
  stream(params: ExportParams, options?: RequestOptions): APIPromise<Readable> {
    const format = params.format ?? 'ndjson';
    return this.transport.request<Readable>(
      {
        operation: 'exportRecords',
        method: 'get',
        path: '/v1/export',
        query: asQuery({ ...params, format }),
        responseType: 'stream',
        accept: ACCEPT[format],
      },
      options,
    );
  }

  /** The whole export body as text (CSV with a header row, or NDJSON). */
  text(params: ExportParams, options?: RequestOptions): APIPromise<string> {
    const format = params.format ?? 'ndjson';
    return this.transport.request<string>(
      {
        operation: 'exportRecords',
        method: 'get',
        path: '/v1/export',
        query: asQuery({ ...params, format }),
        responseType: 'text',
        accept: ACCEPT[format],
      },
      options,
    );
  }

  /** Parsed NDJSON records, streamed line by line and validated against the resource's schema. */
  async *records<R extends ExportResource>(
    params: { resource: R },
    options?: RequestOptions,
  ): AsyncGenerator<ExportRecordMap[R], void, undefined> {
    const { data: body, response } = await this.stream(
      { resource: params.resource, format: 'ndjson' },
      options,
    ).withResponse();
    const { schema, name } = RECORD_SCHEMAS[params.resource];
    const mode = options?.validation ?? this.transport.config.validation;
    const lines = createInterface({ input: body, crlfDelay: Infinity });
    let lineNo = 0;
    try {
      for await (const line of lines) {
        lineNo++;
        if (line.trim() === '') continue;
        let value: unknown;
        try {
          value = JSON.parse(line);
        } catch {
          throw new ResponseValidationError({
            operation: 'exportRecords',
            schema: name,
            issues: [{ path: `line ${lineNo}`, message: 'not valid JSON', code: 'invalid_json' }],
            rawBody: line,
            status: response.status,
            requestId: response.requestId,
          });
        }
        if (mode !== 'off') {
          const parsed = schema.safeParse(value);
          if (!parsed.success) {
            const issues = parsed.error.issues.map((i) => ({
              path: [`line ${lineNo}`, ...i.path.map(String)].join('.'),
              message: i.message,
              code: i.code,
            }));
            if (mode === 'strict')
              throw new ResponseValidationError({
                operation: 'exportRecords',
                schema: name,
                issues,
                rawBody: line,
                status: response.status,
                requestId: response.requestId,
              });
            const hook = this.transport.config.hooks.onValidationWarning;
            if (hook)
              hook({ operation: 'exportRecords', schema: name, issues, rawBody: line, requestId: response.requestId });
            else console.warn(`[tenantproof-sdk] exportRecords: line ${lineNo} does not match ${name}`);
          } else value = parsed.data;
        }
        // Validated against the resource's schema above (or trusted, with validation off).
        yield value as ExportRecordMap[R];
      }
    } finally {
      lines.close();
      body.destroy();
    }
  }
}
