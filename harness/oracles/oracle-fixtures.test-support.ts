import type { Exchange, Relation } from '../model/exchange.ts';

let seq = 0;

export interface ExOpts {
  tenant?: string;
  relation?: Relation;
  victim?: string;
  op?: string;
  method?: string;
  path?: string;
  reqHeaders?: Record<string, string>;
  reqBody?: unknown;
  status?: number;
  headers?: Record<string, string>;
  body?: unknown;
  bodyText?: string;
  error?: { code: string; message: string };
}

/** A hand-made exchange. JSON bodies get both `bodyText` and `json`. */
export function ex(o: ExOpts = {}): Exchange {
  const path = o.path ?? '/v1/customers';
  const bodyText = o.bodyText ?? (o.body === undefined ? '' : JSON.stringify(o.body));
  return {
    seq: ++seq,
    tenant: o.tenant ?? 'T1',
    relation: o.relation ?? 'own',
    operationId: o.op ?? 'getCustomer',
    ...(o.victim ? { victim: o.victim } : {}),
    request: {
      method: o.method ?? 'GET',
      url: `http://127.0.0.1:3000${path}`,
      path,
      headers: { authorization: 'Bearer sk_test_secret', ...(o.reqHeaders ?? {}) },
      ...(o.reqBody !== undefined ? { bodyText: JSON.stringify(o.reqBody) } : {}),
    },
    ...(o.error
      ? { error: o.error }
      : {
          response: {
            status: o.status ?? 200,
            headers: { 'content-type': 'application/json', ...(o.headers ?? {}) },
            bodyText,
            ...(o.body !== undefined ? { json: o.body } : {}),
            durationMs: 3,
          },
        }),
  };
}

export const ID_A1 = '11111111-1111-4111-8111-111111111111';
export const ID_A2 = '11111111-2222-4111-8111-111111111111';
export const ID_B1 = '22222222-1111-4222-8222-222222222222';
export const ID_B2 = '22222222-2222-4222-8222-222222222222';
export const MISSING = '99999999-9999-4999-8999-999999999999';
