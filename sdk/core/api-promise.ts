/**
 * The value every resource method returns: a Promise of the parsed result that also offers
 * `.withResponse()` (result plus raw status, headers and request id) and `.asResponse()`.
 */
export interface RawResponse {
  status: number;
  /** Response headers, lower-cased names. */
  headers: Record<string, string>;
  requestId: string | undefined;
  method: string;
  url: string;
  /** Attempts made, 1 when there was no retry. */
  attempts: number;
  /** The Idempotency-Key sent (POST only). */
  idempotencyKey: string | undefined;
}

export interface WithResponse<T> {
  data: T;
  response: RawResponse;
}

export class APIPromise<T> implements Promise<T> {
  readonly [Symbol.toStringTag] = 'APIPromise';
  private readonly parsed: Promise<T>;

  constructor(protected readonly result: Promise<WithResponse<T>>) {
    this.parsed = result.then((r) => r.data);
    // The caller may only ever use .withResponse(); the other branch must not be "unhandled".
    this.parsed.catch(() => undefined);
  }

  /** The parsed result together with the raw response. */
  withResponse(): Promise<WithResponse<T>> {
    return this.result;
  }

  /** The raw response only (status, headers, request id). */
  asResponse(): Promise<RawResponse> {
    return this.result.then((r) => r.response);
  }

  then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this.parsed.then(onfulfilled, onrejected);
  }

  catch<R = never>(onrejected?: ((reason: unknown) => R | PromiseLike<R>) | null): Promise<T | R> {
    return this.parsed.catch(onrejected);
  }

  finally(onfinally?: (() => void) | null): Promise<T> {
    return this.parsed.finally(onfinally);
  }
}
