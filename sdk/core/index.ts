/** sdk/core: the transport, errors, retry, pagination and idempotency. Imports nothing from crm/ or harness/. */
export * from './errors.ts';
export * from './api-promise.ts';
export * from './pagination.ts';
export * from './hooks.ts';
export * from './retry.ts';
export * from './idempotency.ts';
export * from './redact.ts';
export * from './transport.ts';
export type { ProblemDetails } from './problem.ts';
export { parseProblem } from './problem.ts';
