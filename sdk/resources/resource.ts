/** Base of every resource namespace: a handle on the shared transport plus the list helper. */
import type { z } from 'zod';
import { PagePromise, type CursorPageBody } from '../core/pagination.ts';
import type { QueryValue, RequestOptions, Transport } from '../core/transport.ts';

export abstract class APIResource {
  constructor(protected readonly transport: Transport) {}

  protected paginate<Item>(
    operation: string,
    path: string,
    query: Record<string, QueryValue> | undefined,
    schema: z.ZodType<unknown>,
    schemaName: string,
    options: RequestOptions | undefined,
  ): PagePromise<Item> {
    return new PagePromise<Item>(
      (cursor) =>
        this.transport.execute<CursorPageBody<Item>>(
          {
            operation,
            method: 'get',
            path,
            query: { ...query, ...(cursor !== undefined ? { cursor } : {}) },
            schema,
            schemaName,
          },
          options ?? {},
        ),
      undefined,
    );
  }
}

/** Query objects from the generated types are plain records of scalars. */
export function asQuery(params: object | undefined): Record<string, QueryValue> | undefined {
  return params as Record<string, QueryValue> | undefined;
}
