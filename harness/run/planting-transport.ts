/**
 * An in-process transport wrapper for the negative control: it forwards every request to the real
 * target, and, for the requests a rule picks, plants a foreign value into the response before the
 * oracles see it. The target never sees the planted value; the transcript does, and every altered
 * response carries the header `x-tenantproof-planted` so no reader mistakes it for the target's.
 */
import { plantForeignValue } from '../oracles/negative-control.ts';
import type { Exchange } from '../model/exchange.ts';
import type { SendInput, SendResult, Transport } from './http-client.ts';

export const PLANTED_HEADER = 'x-tenantproof-planted';

export interface PlantRule {
  /** Which requests to alter. */
  matches(input: SendInput): boolean;
  /** The altered response body: a JSON value, or text to append. */
  plant(response: NonNullable<SendResult['response']>): { json?: unknown; text?: string };
  /** Why: goes into the planted header. */
  label: string;
}

export class PlantingTransport implements Transport {
  private rules: PlantRule[] = [];
  /** How many responses were altered, per rule label. */
  readonly planted = new Map<string, number>();

  constructor(private readonly inner: Transport) {}

  arm(rule: PlantRule): void {
    this.rules.push(rule);
  }

  disarm(): void {
    this.rules = [];
  }

  async send(input: SendInput): Promise<SendResult> {
    const result = await this.inner.send(input);
    const rule = this.rules.find((r) => r.matches(input));
    if (!rule || !result.response) return result;
    const altered = rule.plant(result.response);
    const response = { ...result.response, headers: { ...result.response.headers, [PLANTED_HEADER]: rule.label } };
    if (altered.json !== undefined) {
      response.json = altered.json;
      response.bodyText = JSON.stringify(altered.json);
    } else if (altered.text !== undefined) {
      response.bodyText = altered.text;
      delete response.json;
    }
    this.planted.set(rule.label, (this.planted.get(rule.label) ?? 0) + 1);
    return { ...result, response };
  }
}

/** Plants `value` the way `plantForeignValue` does (an extra key, an extra array item, or appended text). */
export function plantValue(
  response: NonNullable<SendResult['response']>,
  value: string,
): { json?: unknown; text?: string } {
  const carrier = {
    seq: 0,
    tenant: '',
    relation: 'own',
    operationId: '',
    request: { method: 'GET', url: '', path: '', headers: {} },
    response,
  } satisfies Exchange;
  const out = plantForeignValue(carrier, value).response!;
  return out.json !== undefined && out.json !== response.json ? { json: out.json } : { text: out.bodyText };
}
