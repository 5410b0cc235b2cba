/**
 * Observability hooks. Every header passed to a hook is redacted (see redact.ts): the API key and the
 * admin token never appear in clear. Hooks must not throw; if one does, the error is swallowed.
 */
import type { ValidationIssue } from './errors.ts';

export interface RequestEvent {
  /** The spec's operationId, e.g. `createCustomer`. */
  operation: string;
  method: string;
  url: string;
  /** Request headers, credentials redacted. */
  headers: Record<string, string>;
  /** 1 for the first attempt. */
  attempt: number;
  idempotencyKey: string | undefined;
}

export interface ResponseEvent {
  operation: string;
  method: string;
  url: string;
  status: number;
  headers: Record<string, string>;
  requestId: string | undefined;
  attempt: number;
  durationMs: number;
}

export interface RetryEvent {
  operation: string;
  method: string;
  url: string;
  /** The retry about to happen (1 for the first retry). */
  retry: number;
  delayMs: number;
  /** A status code, or an error name such as `ConnectionError`/`TimeoutError`. */
  reason: string;
  idempotencyKey: string | undefined;
}

export interface ValidationWarningEvent {
  operation: string;
  schema: string;
  issues: ValidationIssue[];
  rawBody: string;
  requestId: string | undefined;
}

export interface ClientHooks {
  onRequest?: (event: RequestEvent) => void;
  onResponse?: (event: ResponseEvent) => void;
  onRetry?: (event: RetryEvent) => void;
  /** validation: 'warn' calls this; without it, a line goes to console.warn. */
  onValidationWarning?: (event: ValidationWarningEvent) => void;
}

export function callHook<E>(hook: ((event: E) => void) | undefined, event: E): void {
  if (!hook) return;
  try {
    hook(event);
  } catch {
    // a logging hook must never break a request
  }
}
