// Typed errors thrown by services and routes. One handler (problem.ts) maps
// them to application/problem+json, so no route builds an error body by hand.

export interface FieldError {
  /** Where the bad value is: `body.lat`, `query.limit`, `headers.content-type`. */
  field: string;
  message: string;
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    detail: string,
    readonly errors?: FieldError[],
    readonly headers?: Record<string, string>,
  ) {
    super(detail);
  }
}

export class Invalid extends HttpError {
  constructor(detail: string, errors?: FieldError[]) {
    super(400, 'Invalid request', detail, errors);
  }
}

export class Unauthorized extends HttpError {
  constructor(detail = 'Authentication is required.') {
    super(401, 'Unauthorized', detail, undefined, { 'www-authenticate': 'Bearer' });
  }
}

export class Forbidden extends HttpError {
  constructor(detail = 'You may not do this here.') {
    super(403, 'Forbidden', detail);
  }
}

export class NotFound extends HttpError {
  constructor(detail = 'No such resource.') {
    super(404, 'Not found', detail);
  }
}

export class Conflict extends HttpError {
  constructor(detail: string, errors?: FieldError[]) {
    super(409, 'Conflict', detail, errors);
  }
}

export class Unavailable extends HttpError {
  constructor(detail: string) {
    super(503, 'Service unavailable', detail);
  }
}

export class TooManyRequests extends HttpError {
  constructor(detail: string, retryAfterSeconds: number) {
    super(429, 'Too many requests', detail, undefined, { 'retry-after': String(Math.max(1, Math.ceil(retryAfterSeconds))) });
  }
}
