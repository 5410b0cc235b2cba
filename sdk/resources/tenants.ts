/** /v1/tenants: provisioning, for operators and test harnesses (admin token). */
import type { APIPromise } from '../core/api-promise.ts';
import type { RequestOptions } from '../core/transport.ts';
import { TenantCreatedSchema } from '../generated/zod.ts';
import type { TenantCreate, TenantCreated } from '../types.ts';
import { APIResource } from './resource.ts';

export class Tenants extends APIResource {
  /** Creates a tenant and its first API key. The key is shown only once. */
  create(body: TenantCreate, options?: RequestOptions): APIPromise<TenantCreated> {
    return this.transport.request(
      {
        operation: 'createTenant',
        method: 'post',
        path: '/v1/tenants',
        body,
        schema: TenantCreatedSchema,
        schemaName: 'TenantCreated',
      },
      options,
    );
  }
}
