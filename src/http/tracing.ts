// Each request's trace (W3C Trace Context, lib/trace.ts): taken from the
// caller's `traceparent` when it sends one, started here otherwise, answered
// in the response's `traceparent`, and active while the request is served, so
// every log line, peer call and replicated event made for it carries the id.
// With an OpenTelemetry SDK registered (node/telemetry.ts, --otel-endpoint)
// each request is also a server span exported there; without one the API is
// a no-op and costs nothing.
import { ROOT_CONTEXT, SpanKind, trace as otel, isSpanContextValid, type Span } from '@opentelemetry/api';
import type { FastifyInstance } from 'fastify';
import { childTrace, formatTraceparent, parseTraceparent, runInTrace, type TraceContext } from '../lib/trace.js';

const tracer = otel.getTracer('codepop');

declare module 'fastify' {
  interface FastifyRequest {
    span?: Span;
  }
}

export function installTracing(app: FastifyInstance): void {
  app.addHook('onRequest', (request, reply, done) => {
    const incoming = parseTraceparent(request.headers.traceparent);
    const parent = incoming
      ? otel.setSpanContext(ROOT_CONTEXT, { traceId: incoming.traceId, spanId: incoming.parentId, traceFlags: parseInt(incoming.flags, 16) & 1, isRemote: true })
      : ROOT_CONTEXT;
    const span = tracer.startSpan(`${request.method} ${request.routeOptions.url ?? 'unknown route'}`, { kind: SpanKind.SERVER, attributes: { 'http.request.method': request.method } }, parent);
    const made = span.spanContext();
    // A recording SDK made a span of its own; the no-op API hands back the parent (or nothing), so ids are made here.
    const recording = isSpanContextValid(made) && made.spanId !== incoming?.parentId;
    const ctx: TraceContext = recording ? { traceId: made.traceId, spanId: made.spanId, flags: made.traceFlags.toString(16).padStart(2, '0') } : childTrace(incoming);
    request.traceId = ctx.traceId;
    request.span = span;
    void reply.header('traceparent', formatTraceparent(ctx));
    runInTrace(ctx, done);
  });
  app.addHook('onResponse', async (request, reply) => {
    request.span?.setAttribute('http.response.status_code', reply.statusCode);
    request.span?.end();
  });
}
