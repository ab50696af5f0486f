// Typed errors thrown by services and routes. One handler (problem.ts) maps
// them to application/problem+json, so no route builds an error body by hand.
// Each carries a code of the catalogue (problem-catalog.ts); its status and
// title come from there, so a code means the same everywhere.
import { PROBLEMS, type ProblemCode } from './problem-catalog.js';

export type { ProblemCode } from './problem-catalog.js';

export interface FieldError {
  /** Where the bad value is: `body.lat`, `query.limit`, `headers.content-type`. */
  field: string;
  message: string;
}

export class HttpError extends Error {
  readonly status: number;
  readonly title: string;
  constructor(
    readonly code: ProblemCode,
    detail: string,
    readonly errors?: FieldError[],
    readonly headers?: Record<string, string>,
  ) {
    super(detail);
    this.status = PROBLEMS[code].status;
    this.title = PROBLEMS[code].title;
  }
}

export class Invalid extends HttpError {
  constructor(detail: string, errors?: FieldError[], code: ProblemCode = 'invalid_request') {
    super(code, detail, errors);
  }
}

export class Unauthorized extends HttpError {
  constructor(detail = 'Authentication is required.') {
    super('unauthorized', detail, undefined, { 'www-authenticate': 'Bearer' });
  }
}

export class Forbidden extends HttpError {
  constructor(detail = 'You may not do this here.') {
    super('forbidden', detail);
  }
}

export class NotFound extends HttpError {
  constructor(detail = 'No such resource.') {
    super('not_found', detail);
  }
}

export class Conflict extends HttpError {
  constructor(detail: string, errors?: FieldError[], code: ProblemCode = 'conflict') {
    super(code, detail, errors);
  }
}

export class Unavailable extends HttpError {
  constructor(detail: string) {
    super('unavailable', detail);
  }
}

export class TooManyRequests extends HttpError {
  constructor(detail: string, retryAfterSeconds: number) {
    super('rate_limited', detail, undefined, { 'retry-after': String(Math.max(1, Math.ceil(retryAfterSeconds))) });
  }
}
