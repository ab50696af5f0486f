// The Fastify app factory: zod-validated routes described in /openapi.json
// (browsable at /docs), problem+json errors, request ids, metrics and the
// access-policy layer. Modules register their routes on the returned app.
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import rateLimit from '@fastify/rate-limit';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { installAuth, type AuthProviders } from './auth.js';
import { installHttpMetrics } from './metrics.js';
import { installTracing } from './tracing.js';
import { installBodyParsers, installTextRule } from './body.js';
import { clientErrorHandler, frameworkErrors, installProblemHandlers } from './problem.js';
import { PROBLEM_CODES, codeOfSlug, problemPage, problemSchema, PROBLEMS, typeUriOf } from './problem-catalog.js';
import { NotFound, TooManyRequests } from './errors.js';
import { installWebApp, noWebFallback, type WebOptions } from './web.js';

export type App = FastifyInstance;

export interface AppOptions {
  log: Logger;
  metrics: Registry;
  title: string;
  operatorToken?: string;
  auth?: AuthProviders;
  /** Largest request body accepted by default, in bytes. Routes may lower or raise it. */
  bodyLimit?: number;
  /** The web app to serve at `/` (absent: the API only; cross-origin calls are allowed either way). */
  web?: WebOptions;
}

export const DEFAULT_BODY_LIMIT = 256 * 1024;

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    // pino's Logger is a FastifyBaseLogger; the cast keeps the app's logger type the default one.
    loggerInstance: options.log as FastifyBaseLogger,
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    // Heartbeats would drown a per-request info log; responses are logged below by outcome.
    logController: new LogController({ disableRequestLogging: true }),
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    // The router's and Node's own refusals answer problem+json like every other error.
    frameworkErrors,
    clientErrorHandler,
  });
  // First, so every later hook, the handler and its log lines run in the request's trace.
  installTracing(app);
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  const fallback = noWebFallback();
  installProblemHandlers(app, fallback);

  installBodyParsers(app);
  installTextRule(app);

  app.addHook('onRequest', async (request, reply) => {
    void reply.header('x-request-id', String(request.id));
  });
  app.addHook('onResponse', async (request, reply) => {
    // Named here: the response is finished outside the request's trace context.
    const entry = { method: request.method, url: request.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime), traceId: request.traceId };
    if (reply.statusCode >= 400) request.log.info(entry, 'request answered with an error');
    else request.log.debug(entry, 'request answered');
  });

  // Routes registered by the docs plugin are public; every other route must declare its access.
  app.addHook('onRoute', (route) => {
    // So are the app's files and the browser's CORS preflights (the answer to those says only what is allowed).
    if (route.url.startsWith('/docs') || route.method === 'OPTIONS' || (route.config as { rootPath?: string } | undefined)?.rootPath !== undefined) route.config = { ...route.config, access: 'public' };
  });
  installAuth(app, options.operatorToken, options.auth ?? {});
  // Only routes that ask for it (config.rateLimit) are limited: login and sign-up.
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_request, context) =>
      new TooManyRequests(`Too many attempts; try again in ${context.after}.`, context.ttl / 1000),
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: options.title, version: '1' },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          peer: { type: 'apiKey', in: 'header', name: 'x-codepop-signature' },
        },
        schemas: { Problem: problemSchema() },
      },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get(
    '/openapi.json',
    { config: { access: 'public' }, schema: { hide: true } },
    async () => app.swagger(),
  );
  registerProblemPages(app);
  await installWebApp(app, options.web, fallback);
  installHttpMetrics(app, options.metrics);
  return app;
}

/** The app with the zod type provider, for typed route handlers. */
export function typed(app: FastifyInstance) {
  return app.withTypeProvider<ZodTypeProvider>();
}

/** Each problem's `type` URI is a short page here; `/problems` lists the catalogue as JSON. */
function registerProblemPages(app: FastifyInstance): void {
  app.get('/problems', { config: { access: 'public' }, schema: { hide: true } }, async () =>
    PROBLEM_CODES.map((code) => ({ code, type: typeUriOf(code), ...PROBLEMS[code] })),
  );
  app.get<{ Params: { slug: string } }>('/problems/:slug', { config: { access: 'public' }, schema: { hide: true } }, async (request, reply) => {
    const code = codeOfSlug(request.params.slug);
    if (!code) throw new NotFound(`No problem type ${request.params.slug}; GET /problems lists them.`);
    return reply.type('text/html; charset=utf-8').send(problemPage(code));
  });
}
