/** RFC 9457 problem documents. */
import type { FieldError, HttpError } from './errors.ts';
import { BadRequestError } from './errors.ts';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  requestId: string;
  errors?: FieldError[];
}

export function toProblem(error: HttpError, requestId: string): Problem {
  return {
    type: error.type,
    title: error.title,
    status: error.status,
    detail: error.detail,
    requestId,
    ...(error instanceof BadRequestError && error.errors.length > 0 ? { errors: error.errors } : {}),
  };
}
