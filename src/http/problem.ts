// The one place errors become responses: RFC 9457 problem+json with an
// `errors` list naming each bad field. Unknown errors are 500s carrying only
// the request id; their stack goes to the log, never to the client.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { STATUS_CODES } from 'node:http';
import { HttpError, type FieldError } from './errors.js';

export const PROBLEM_TYPE = 'application/problem+json';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  requestId: string;
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

/** Errors Fastify raises before a handler runs, mapped to the field they concern. */
function frameworkFieldErrors(err: FastifyError): FieldError[] | undefined {
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return [{ field: 'body', message: 'the request body is larger than this endpoint accepts' }];
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return [{ field: 'headers.content-type', message: 'use application/json' }];
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return [{ field: 'body', message: 'a JSON body is required' }];
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return [{ field: 'body', message: 'the body is not valid JSON' }];
    default:
      return err.statusCode === 400 && err instanceof SyntaxError
        ? [{ field: 'body', message: 'the body is not valid JSON' }]
        : undefined;
  }
}

export function sendProblem(
  reply: FastifyReply,
  request: FastifyRequest,
  status: number,
  title: string,
  detail: string,
  errors?: FieldError[],
): FastifyReply {
  const body: Problem = {
    type: 'about:blank',
    title,
    status,
    detail,
    instance: request.url.split('?')[0] ?? request.url,
    requestId: String(request.id),
    ...(errors && errors.length > 0 ? { errors } : {}),
  };
  return reply.status(status).type(PROBLEM_TYPE).send(body);
}

export function installProblemHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof HttpError) {
      if (error.headers) void reply.headers(error.headers);
      return sendProblem(reply, request, error.status, error.title, error.message, error.errors);
    }
    if (hasZodFastifySchemaValidationErrors(error)) {
      const errors = validationErrors(error);
      const fields = errors.map((e) => e.field).join(', ');
      return sendProblem(reply, request, 400, 'Invalid request', `Invalid value for ${fields}.`, errors);
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      const title = STATUS_CODES[status] ?? 'Bad request';
      return sendProblem(reply, request, status, title, error.message, frameworkFieldErrors(error));
    }
    request.log.error({ err: error }, 'unhandled error');
    return sendProblem(
      reply,
      request,
      500,
      'Internal server error',
      `Something went wrong on this node. Quote request id ${String(request.id)} when reporting it.`,
    );
  });
  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, request, 404, 'Not found', `No route ${request.method} ${request.url.split('?')[0]}.`),
  );
}
