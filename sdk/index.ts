/** @tenantproof/sdk: the public entry point of the CRM SDK. */
export {
  CrmClient,
  CrmAdminClient,
  DEFAULT_BASE_URL,
  type CrmClientOptions,
  type CrmAdminClientOptions,
  type CommonClientOptions,
} from './client.ts';
export {
  CrmError,
  APIError,
  BadRequestError,
  AuthenticationError,
  PermissionDeniedError,
  NotFoundError,
  MethodNotAllowedError,
  RequestTimeoutError,
  ConflictError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
  UnprocessableEntityError,
  RateLimitError,
  InternalServerError,
  ConnectionError,
  TimeoutError,
  AbortError,
  ResponseValidationError,
  errorClassForStatus,
  type ValidationIssue,
} from './core/errors.ts';
export { APIPromise, type RawResponse, type WithResponse } from './core/api-promise.ts';
export { Page, PagePromise } from './core/pagination.ts';
export type { ClientHooks, RequestEvent, ResponseEvent, RetryEvent, ValidationWarningEvent } from './core/hooks.ts';
export type { RequestOptions, ValidationMode } from './core/transport.ts';
export type { ProblemDetails } from './core/problem.ts';
export * from './types.ts';
export { schemas } from './generated/zod.ts';
