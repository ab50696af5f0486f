// The demo's calls to its own nodes over HTTP, as an operator would make
// them: JSON in and out with a timeout, an error that quotes the problem's
// detail and fields, and retries while a node is overloaded or silent.

export async function call<T>(url: string, method: 'GET' | 'POST' | 'PATCH', body?: unknown, token?: string): Promise<{ status: number; body: T }> {
  const res = await fetch(url, {
    method,
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  const parsed = (text ? JSON.parse(text) : {}) as T;
  return { status: res.status, body: parsed };
}

export function failure(what: string, status: number, body: unknown): Error {
  const detail = (body as { detail?: string; errors?: { field: string; message: string }[] }) ?? {};
  const fields = detail.errors?.map((e) => `${e.field} ${e.message}`).join('; ');
  return new Error(`${what}: HTTP ${status}${detail.detail ? ` (${detail.detail}${fields ? `: ${fields}` : ''})` : ''}`);
}


/** Worth another try: no answer (timeout, refused connection), an overloaded node (5xx), or a rate limit. */
export class Retryable extends Error {}

/** Runs `step` up to 4 times, 1, 3 and 9 s apart, while it fails in a way worth retrying; says so each time. */
export async function retrying<T>(what: string, out: (line: string) => void, step: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await step();
    } catch (err) {
      const retryable = err instanceof Retryable || (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError' || err.message === 'fetch failed'));
      if (!retryable || attempt >= 4) throw err;
      const waitMs = 1000 * 3 ** (attempt - 1);
      out(`  ${what}: ${(err as Error).message}; trying again in ${waitMs / 1000} s (attempt ${attempt + 1} of 4)`);
      await new Promise((r) => setTimeout(r, waitMs));
    }
  }
}

export const transient = (status: number) => status >= 500 || status === 429;
