// The catalogue of problems a client can act on. Every error a node sends
// carries one of these codes in `code`, and `type` is the page this node
// serves about it (`/problems/insufficient-stock`). Clients branch on the
// code, never on the text; a new domain error is added here first, and the
// OpenAPI document lists the whole catalogue (components.schemas.Problem).

interface ProblemEntry {
  status: number;
  title: string;
  /** What it means and what the client can do about it. */
  description: string;
}

export const PROBLEMS = {
  // Request shape and transport
  invalid_request: { status: 400, title: 'Invalid request', description: 'A field is missing, of the wrong type, out of range, or holds text a node cannot store (NUL, control characters, lone UTF-16 surrogates). `errors` names each field; fix them and send again.' },
  malformed_request: { status: 400, title: 'Malformed request', description: 'The request could not be read: bad percent-encoding in the URL, a body that is not valid UTF-8 or JSON, or a byte-order mark before the JSON. Nothing was done.' },
  unauthorized: { status: 401, title: 'Unauthorized', description: 'No valid credentials: log in (POST /api/v1/auth/login) and send `Authorization: Bearer <token>`.' },
  forbidden: { status: 403, title: 'Forbidden', description: 'Your roles do not allow this here (wrong store, region or role). Ask an admin for the role, or act at the right node.' },
  not_found: { status: 404, title: 'Not found', description: 'No such resource or route on this node.' },
  method_not_allowed: { status: 405, title: 'Method not allowed', description: 'The path exists but not with this method; the `Allow` header lists the methods it takes.' },
  request_timeout: { status: 408, title: 'Request timeout', description: 'The request was not received in full in time; send it again.' },
  payload_too_large: { status: 413, title: 'Payload too large', description: 'The body is larger than this endpoint accepts; send less (split an import into several files).' },
  uri_too_long: { status: 414, title: 'URI too long', description: 'A path parameter is longer than any identifier this API uses.' },
  unsupported_media_type: { status: 415, title: 'Unsupported media type', description: 'The endpoint does not take this Content-Type: JSON endpoints take `application/json`, CSV imports `text/csv`.' },
  header_too_large: { status: 431, title: 'Request header fields too large', description: 'The request line or headers exceed what a node reads (16 KiB).' },
  rate_limited: { status: 429, title: 'Too many requests', description: 'Too many attempts from this address or for this name; wait for the seconds in `Retry-After`.' },
  internal_error: { status: 500, title: 'Internal server error', description: 'A fault on this node. Nothing you sent was wrong; quote `requestId` when reporting it.' },
  unavailable: { status: 503, title: 'Service unavailable', description: 'The node, or a peer it needs, cannot serve this now (starting, stopping, or cut off). Try again, or another node.' },
  // Generic domain conflicts
  conflict: { status: 409, title: 'Conflict', description: 'The request clashes with the current state of the resource; `detail` says how. Re-read the resource and decide again.' },
  already_exists: { status: 409, title: 'Already exists', description: 'A resource with this identifier exists already; choose another identifier or edit the existing one.' },
  invalid_transition: { status: 409, title: 'Invalid transition', description: 'The resource cannot move from its current status to the one asked; `errors` lists the statuses allowed from here.' },
  // Accounts
  name_taken: { status: 409, title: 'Name taken', description: 'Another account holds this username or email across the network; choose another.' },
  self_lockout: { status: 409, title: 'Would lock you out', description: 'The change would remove your own last means of administration; another admin must do it.' },
  // Orders and payments
  store_not_accepting_orders: { status: 409, title: 'Store not accepting orders', description: 'The store has switched orders off or is not set up for them; order from a nearby store (GET /api/v1/stores/nearby).' },
  store_closed: { status: 409, title: 'Store closed', description: 'The store is closed now; schedule the order with `pickupTime` for when it opens, or choose another store.' },
  insufficient_stock: { status: 409, title: 'Insufficient stock', description: 'Not enough stock for what was asked; `errors` names each short line with what is needed and available. Nothing was reserved or charged.' },
  idempotency_key_reused: { status: 422, title: 'Idempotency key reused', description: 'This Idempotency-Key was already used with a different request; use a new key for a new request, the same key only to retry the same one.' },
  payment_declined: { status: 402, title: 'Payment declined', description: 'The payment provider declined the card; the order is still pending and can be paid with another method.' },
  payment_in_progress: { status: 409, title: 'Payment in progress', description: 'A payment for this order is already being processed or awaits the provider; wait for its outcome before paying again.' },
  payment_provider_unavailable: { status: 502, title: 'Payment provider did not answer', description: 'The provider did not answer; the store checks with it within a minute. Do not pay again before the order shows the outcome.' },
  refund_not_retryable: { status: 409, title: 'Refund not retryable', description: 'There is no failed refund on this order to retry.' },
  // Inventory
  stock_below_zero: { status: 409, title: 'Stock would go below zero', description: 'The movement or count would take stock below zero or below what open orders reserve; nothing was applied.' },
  // Supply
  not_deliverable: { status: 409, title: 'Not deliverable', description: 'A request named for a delivery is not APPROVED at this hub, or is already on another delivery; `errors` names each one. Nothing was planned.' },
  // Mesh
  node_key_mismatch: { status: 409, title: 'Node key mismatch', description: 'This node id is registered with another key; a node keeps its identity across restarts, so this is a different node or a lost data directory.' },
  not_owner_hub: { status: 409, title: 'Not the owner hub', description: 'This hub does not own the keys asked about; ask the owner hub.' },
} as const satisfies Record<string, ProblemEntry>;

export type ProblemCode = keyof typeof PROBLEMS;
export const PROBLEM_CODES = Object.keys(PROBLEMS) as ProblemCode[];

export const slugOf = (code: ProblemCode): string => code.replaceAll('_', '-');
export const typeUriOf = (code: ProblemCode): string => `/problems/${slugOf(code)}`;
const bySlug = new Map(PROBLEM_CODES.map((code) => [slugOf(code), code]));
export const codeOfSlug = (slug: string): ProblemCode | undefined => bySlug.get(slug);

/** The code a status falls back to when the error carries none (framework errors). */
export function codeForStatus(status: number): ProblemCode {
  const generic: Record<number, ProblemCode> = {
    400: 'invalid_request', 401: 'unauthorized', 403: 'forbidden', 404: 'not_found', 405: 'method_not_allowed', 408: 'request_timeout',
    409: 'conflict', 413: 'payload_too_large', 414: 'uri_too_long', 415: 'unsupported_media_type', 422: 'idempotency_key_reused',
    429: 'rate_limited', 431: 'header_too_large', 503: 'unavailable',
  };
  return generic[status] ?? (status >= 500 ? 'internal_error' : 'invalid_request');
}

const escapeHtml = (s: string): string => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c);

/** The short page a problem's `type` URI answers with. */
export function problemPage(code: ProblemCode): string {
  const p = PROBLEMS[code];
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(p.title)}</title></head><body><main><h1>${escapeHtml(p.title)}</h1><p>HTTP ${p.status}, <code>code: "${code}"</code></p><p>${escapeHtml(p.description)}</p><p><a href="/problems">Every problem code</a></p></main></body></html>`;
}

/** The catalogue as the OpenAPI document shows it. */
export function problemSchema(): Record<string, unknown> {
  return {
    type: 'object',
    description: 'RFC 9457 problem details. Branch on `code`; `type` is a page on this node about the code.',
    required: ['type', 'title', 'status', 'detail', 'code', 'instance', 'requestId'],
    properties: {
      type: { type: 'string', description: '`/problems/<code with dashes>`' },
      code: { type: 'string', enum: PROBLEM_CODES, description: PROBLEM_CODES.map((c) => `- \`${c}\` (${PROBLEMS[c].status}): ${PROBLEMS[c].description}`).join('\n') },
      title: { type: 'string' },
      status: { type: 'integer' },
      detail: { type: 'string' },
      instance: { type: 'string' },
      requestId: { type: 'string' },
      traceId: { type: 'string' },
      errors: { type: 'array', items: { type: 'object', required: ['field', 'message'], properties: { field: { type: 'string' }, message: { type: 'string' } } } },
    },
  };
}
