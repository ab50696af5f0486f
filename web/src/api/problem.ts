// An API problem (RFC 9457) as the app holds it: status, code, title and
// detail in words, the fields at fault. A store that did not answer at all
// is a problem too (status 0, `unreachable`), so every caller shows one thing.
export interface FieldProblem {
  field: string;
  message: string;
}

interface ProblemBody {
  code?: string;
  title?: string;
  detail?: string;
  errors?: FieldProblem[];
}

export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    readonly detail: string,
    readonly errors: FieldProblem[] = [],
  ) {
    super(detail || title);
  }

  /** The store did not answer (network error, timeout): the app may offer another store. */
  get unreachable(): boolean {
    return this.status === 0 || this.status === 502 || this.status === 503 || this.status === 504;
  }

  static fromBody(status: number, body: unknown): ApiProblem {
    const b = (typeof body === 'object' && body !== null ? body : {}) as ProblemBody;
    const errors = Array.isArray(b.errors) ? b.errors.filter((e) => typeof e?.field === 'string') : [];
    return new ApiProblem(status, b.code ?? `http_${status}`, b.title ?? `Request failed (HTTP ${status})`, b.detail ?? '', errors);
  }

  static unreachable(where: string, cause?: unknown): ApiProblem {
    const why = cause instanceof DOMException && cause.name === 'TimeoutError' ? 'did not answer in time' : 'could not be reached';
    return new ApiProblem(0, 'unreachable', 'Not answering', `${where} ${why}.`);
  }
}

/** Words for a person: the title, then the detail when it says more. */
export function describeProblem(err: unknown): { title: string; detail: string; errors: FieldProblem[] } {
  if (err instanceof ApiProblem) return { title: err.title, detail: err.detail, errors: err.errors };
  return { title: 'Something went wrong', detail: err instanceof Error ? err.message : String(err), errors: [] };
}
