// The one place errors become responses: RFC 9457 problem+json with a stable
// `code` from the catalogue (problem-catalog.ts), a `type` page this node
// serves, and an `errors` list naming each bad field. Unknown errors are 500s
// carrying only the request id; their stack goes to the log, never to the
// client. The router's own refusals (bad URL encoding, over-long parameters,
// unknown routes, wrong methods, oversized headers) go through here too.
import type { Socket } from 'node:net';
import { noWebFallback, type WebFallback } from './web.js';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import FindMyWay from 'find-my-way';
import { randomUUID } from 'node:crypto';
import { BadTextError } from '../lib/text.js';
import { HttpError, type FieldError } from './errors.js';
import { codeForStatus, PROBLEMS, typeUriOf, type ProblemCode } from './problem-catalog.js';

export const PROBLEM_TYPE = 'application/problem+json';

export interface Problem {
  type: string;
  code: ProblemCode;
  title: string;
  status: number;
  detail: string;
  instance: string;
  requestId: string;
  traceId?: string;
  errors?: FieldError[];
}

const contextNames: Record<string, string> = { querystring: 'query', params: 'path' };

function validationErrors(err: FastifyError & { validationContext?: string }): FieldError[] {
  const where = contextNames[err.validationContext ?? 'body'] ?? err.validationContext ?? 'body';
  return (err.validation ?? []).flatMap((v): FieldError[] => {
    const path = v.instancePath.replace(/^\//, '').replaceAll('/', '.');
    const base = path ? `${where}.${path}` : where;
    const keys = (v.params as { keys?: unknown }).keys;
    if (v.keyword === 'unrecognized_keys' && Array.isArray(keys)) {
      return keys.map((key) => ({ field: `${base}.${String(key)}`, message: 'unknown field' }));
    }
    return [{ field: base, message: v.message ?? 'invalid' }];
  });
}

/** Errors Fastify raises before a handler runs: their code and the field they concern. */
function frameworkProblem(err: FastifyError): { code: ProblemCode; errors?: FieldError[]; detail?: string } | undefined {
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { code: 'payload_too_large', errors: [{ field: 'body', message: 'the request body is larger than this endpoint accepts' }] };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { code: 'unsupported_media_type', errors: [{ field: 'headers.content-type', message: 'this endpoint does not take this content type' }] };
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return { code: 'malformed_request', errors: [{ field: 'headers.content-length', message: 'does not match the body' }] };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { code: 'invalid_request', errors: [{ field: 'body', message: 'a JSON body is required' }] };
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return { code: 'malformed_request', errors: [{ field: 'body', message: 'the body is not valid JSON' }] };
    case 'FST_ERR_BAD_URL':
      return { code: 'malformed_request', detail: 'The path holds malformed percent-encoding.', errors: [{ field: 'path', message: 'holds malformed percent-encoding' }] };
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return { code: 'uri_too_long', detail: 'A path parameter is longer than any identifier here.', errors: [{ field: 'path', message: 'a path parameter is longer than 100 characters' }] };
    default:
      return err.statusCode === 400 && err instanceof SyntaxError
        ? { code: 'malformed_request', errors: [{ field: 'body', message: 'the body is not valid JSON' }] }
        : undefined;
  }
}

/** The request's path without its query, safe to echo (never longer than 512 characters). */
const instanceOf = (url: string): string => (url.split('?')[0] ?? url).slice(0, 512);

export function problemBody(code: ProblemCode, detail: string, instance: string, requestId: string, errors?: FieldError[], traceId?: string): Problem {
  const { status, title } = PROBLEMS[code];
  return {
    type: typeUriOf(code),
    code,
    title,
    status,
    detail,
    instance,
    requestId,
    ...(traceId ? { traceId } : {}),
    ...(errors && errors.length > 0 ? { errors } : {}),
  };
}

export function sendProblem(reply: FastifyReply, request: FastifyRequest, code: ProblemCode, detail: string, errors?: FieldError[]): FastifyReply {
  const body = problemBody(code, detail, instanceOf(request.url), String(request.id), errors, request.traceId);
  return reply.status(body.status).type(PROBLEM_TYPE).send(body);
}

function handleError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (error instanceof HttpError) {
    if (error.headers) void reply.headers(error.headers);
    return sendProblem(reply, request, error.code, error.message, error.errors);
  }
  if (hasZodFastifySchemaValidationErrors(error)) {
    const errors = validationErrors(error);
    const fields = errors.map((e) => e.field).join(', ');
    return sendProblem(reply, request, 'invalid_request', `Invalid value for ${fields}.`, errors);
  }
  if (error instanceof BadTextError) {
    return sendProblem(reply, request, 'invalid_request', `Invalid text in ${error.violation.path}.`, [{ field: error.violation.path, message: error.violation.message }]);
  }
  const known = frameworkProblem(error);
  const status = error.statusCode ?? 500;
  if (known || (status >= 400 && status < 500)) {
    const code = known?.code ?? codeForStatus(status);
    return sendProblem(reply, request, code, known?.detail ?? error.message, known?.errors);
  }
  request.log.error({ err: error }, 'unhandled error');
  return sendProblem(reply, request, 'internal_error', `Something went wrong on this node. Quote request id ${String(request.id)} when reporting it.`);
}

/**
 * The methods each path answers, for 405 with `Allow`: Fastify answers an
 * unknown method on a known path as not found, so a second router that
 * holds only the paths tells the two apart.
 */
function methodIndex(app: FastifyInstance): (url: string) => string[] {
  const router = FindMyWay({ ignoreTrailingSlash: true, maxParamLength: 1000 });
  const methods = new Set<string>();
  app.addHook('onRoute', (route) => {
    // The CORS preflight answers OPTIONS on every path; it says nothing about what a path takes.
    if (route.url === '*' || route.url === '/*') return;
    for (const method of [route.method].flat()) {
      methods.add(method);
      try {
        router.on(method as 'GET', route.url, () => undefined);
      } catch {
        // The same path and method twice (HEAD beside GET): known already.
      }
    }
  });
  return (url) => {
    const path = url.split('?')[0] ?? url;
    return [...methods].filter((m) => router.find(m as 'GET', path) !== null).sort();
  };
}

export function installProblemHandlers(app: FastifyInstance, fallback: WebFallback = noWebFallback()): void {
  app.setErrorHandler(handleError);
  const allowedMethods = methodIndex(app);
  app.setNotFoundHandler(async (request, reply) => {
    if (await fallback.send(request, reply)) return reply;
    const path = instanceOf(request.url);
    const allow = allowedMethods(request.url);
    if (allow.length > 0) {
      void reply.header('allow', allow.join(', '));
      return sendProblem(reply, request, 'method_not_allowed', `${request.method} is not allowed on ${path}; it takes ${allow.join(', ')}.`);
    }
    return sendProblem(reply, request, 'not_found', `No route ${request.method} ${path}.`);
  });
}

/** Fastify's `frameworkErrors` option: bad percent-encoding and over-long parameters, as problems. */
export function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  void handleError(error, request, reply);
}

/**
 * Node's `clientError`: a request Node could not parse (headers over 16 KiB,
 * a broken request line). No request object exists yet, so the answer is
 * written on the socket, as problem+json all the same.
 */
export function clientErrorHandler(err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed || !socket.writable) {
    socket.destroy();
    return;
  }
  const code: ProblemCode = err.code === 'HPE_HEADER_OVERFLOW' ? 'header_too_large' : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 'request_timeout' : 'malformed_request';
  const detail = { header_too_large: 'The request line and headers exceed 16 KiB.', request_timeout: 'The request was not received in time.' }[code as string] ?? 'The request could not be parsed as HTTP.';
  const body = JSON.stringify(problemBody(code, detail, '', randomUUID()));
  const { status, title } = PROBLEMS[code];
  const reason = title.replace(/[^\x20-\x7e]/g, '');
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nContent-Type: ${PROBLEM_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}
