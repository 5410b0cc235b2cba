/** Any error a request can raise → the typed HttpError its problem document is built from. */
import type { FastifyError } from 'fastify';
import { sqlState } from '../db/database.ts';
import {
  BadRequestError,
  HttpError,
  InternalError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
} from './errors.ts';
import { toFieldErrors } from './validator-compiler.ts';

/** Unknown errors become InternalError, which discloses nothing about the cause. */
export function toHttpError(error: FastifyError, bodyLimitBytes: number): HttpError {
  if (error instanceof HttpError) return error;
  if (error.validation) {
    const errors = toFieldErrors(error.validation as Parameters<typeof toFieldErrors>[0]);
    const where = error.validationContext ?? 'request';
    const first = errors[0];
    return new BadRequestError(
      `${where}${!first || first.path === '/' ? '' : first.path} ${first?.message ?? 'is invalid'}`,
      errors,
    );
  }
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new PayloadTooLargeError(`The body exceeds ${bodyLimitBytes} bytes.`);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new UnsupportedMediaTypeError();
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new BadRequestError('The body is not valid JSON.', [{ path: '/', message: 'is not valid JSON' }]);
  }
  if (error instanceof SyntaxError || error.statusCode === 400) {
    return new BadRequestError('The request is malformed.', [{ path: '/', message: 'is malformed' }]);
  }
  // SQLSTATE class 22 (data exception): a value the schema admits but PostgreSQL cannot store,
  // e.g. a NUL character in text or a year outside PostgreSQL's range.
  if (sqlState(error)?.startsWith('22')) {
    return new BadRequestError('A value cannot be stored.', [
      { path: '/', message: 'is out of range or contains an unsupported character' },
    ]);
  }
  if (error.statusCode === 413) return new PayloadTooLargeError(`The body exceeds ${bodyLimitBytes} bytes.`);
  if (error.statusCode === 415) return new UnsupportedMediaTypeError();
  return new InternalError();
}
