// OpenTelemetry export, off unless --otel-endpoint / OTEL_EXPORTER_OTLP_ENDPOINT
// names a collector: then a tracer provider with a batching OTLP/HTTP
// exporter is registered globally, and each request's server span
// (http/tracing.ts) is sent there under the trace id the logs carry. The SDK
// is loaded only then, so a node without a collector never pays for it.
import type { Logger } from 'pino';

export interface Telemetry {
  shutdown(): Promise<void>;
}

let active: { endpoint: string; refs: number; shutdown: () => Promise<void> } | undefined;

export async function startTelemetry(endpoint: string | undefined, serviceName: string, log: Logger): Promise<Telemetry | undefined> {
  if (!endpoint) return undefined;
  // One provider per process: the API's global can be set once (in-process test nodes share it).
  if (active) {
    if (active.endpoint !== endpoint) log.warn({ endpoint, using: active.endpoint }, 'OpenTelemetry already exports to another endpoint in this process');
    active.refs += 1;
  } else {
    const [api, { TracerProvider, BatchSpanProcessor }, { OTLPTraceExporter }, { resourceFromAttributes }] = await Promise.all([
      import('@opentelemetry/api'),
      import('@opentelemetry/sdk-trace'),
      import('@opentelemetry/exporter-trace-otlp-http'),
      import('@opentelemetry/resources'),
    ]);
    const exporter = new OTLPTraceExporter({ url: `${endpoint.replace(/\/$/, '')}/v1/traces` });
    const provider = new TracerProvider({
      resource: resourceFromAttributes({ 'service.name': serviceName }),
      spanProcessors: [new BatchSpanProcessor({ exporter, scheduledDelayMillis: 500 })],
    });
    api.trace.setGlobalTracerProvider(provider);
    active = {
      endpoint,
      refs: 1,
      shutdown: async () => {
        await provider.shutdown();
        api.trace.disable();
      },
    };
    log.info({ endpoint }, 'exporting request spans by OTLP/HTTP');
  }
  return {
    async shutdown() {
      if (!active) return;
      active.refs -= 1;
      if (active.refs > 0) return;
      const done = active.shutdown;
      active = undefined;
      await done();
    },
  };
}
