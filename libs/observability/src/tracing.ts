import { EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor, NoopSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import { isProbeOrScrape } from './probe-paths';

/**
 * Starts OpenTelemetry. Import this module first in main.ts: instrumentations patch `http` and `pg`
 * when they are first required, so anything imported earlier would not be traced.
 *
 * The SDK always runs, so trace ids exist for logs and cross Kafka in message headers; spans are
 * exported to an OTLP collector (Jaeger) only when OTEL_EXPORTER_OTLP_ENDPOINT is set.
 * Kafka spans and context propagation are done by libs/messaging itself.
 */
let sdk: NodeSDK | undefined;
/** Whether an incoming request's URL is one startTracing was told to leave untraced. */
let untraced: (url: string | undefined) => boolean = isProbeOrScrape;

export interface TracingOptions {
  /**
   * Incoming HTTP paths (prefixes) not traced, besides probes and scrapes: hot read paths that
   * call nothing else, where a span per request would cost more than the work it describes.
   */
  untracedPaths?: readonly string[];
}

export function startTracing(
  serviceName: string,
  { untracedPaths = [] }: TracingOptions = {},
  env: NodeJS.ProcessEnv = process.env,
): void {
  if (sdk || env['OTEL_SDK_DISABLED'] === 'true') return;
  const exporting = Boolean(env['OTEL_EXPORTER_OTLP_ENDPOINT'] || env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT']);
  // Metrics go through prom-client and logs through pino, not OpenTelemetry's exporters.
  env['OTEL_METRICS_EXPORTER'] ??= 'none';
  env['OTEL_LOGS_EXPORTER'] ??= 'none';
  untraced = (url) => isProbeOrScrape(url) || untracedPaths.some((path) => url?.startsWith(path));
  sdk = new NodeSDK({
    resource: resourceFromAttributes({
      [ATTR_SERVICE_NAME]: env['OTEL_SERVICE_NAME'] ?? serviceName,
      [ATTR_SERVICE_VERSION]: env['CODE_VERSION'] ?? 'dev',
    }),
    // Without an endpoint the SDK would default to an OTLP exporter dialling localhost, and with
    // none at all it would register no tracer (no trace ids): keep spans, export nothing.
    spanProcessors: [exporting ? new BatchSpanProcessor(new OTLPTraceExporter()) : new NoopSpanProcessor()],
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (req) => untraced(req.url),
      }),
      new PgInstrumentation({ requireParentSpan: true }),
    ],
  });
  sdk.start();
}

/**
 * Hands the server's untraced requests (probes, scrapes, `untracedPaths`) straight to its
 * listeners, past the HTTP instrumentation: for a request it ignores, the instrumentation still
 * enters a context and binds the request and response emitters to it (every listener added to
 * them is wrapped), which cost a hot in-memory route about a fifth of its throughput. Such a
 * request runs in the context its connection was accepted in (the root), not one with tracing
 * suppressed as the instrumentation's ignored requests did: its database calls still make no
 * spans (pg spans need a parent), but a span it started itself would begin a trace. None does.
 */
export function bypassTracingOfUntracedRequests(server: EventEmitter): void {
  const instrumented = server.emit;
  const plain = EventEmitter.prototype.emit;
  if (!sdk || instrumented === plain) return;
  server.emit = function emit(this: EventEmitter, event: string | symbol, ...args: unknown[]) {
    const request = args[0] as IncomingMessage | undefined;
    if (event === 'request' && untraced(request?.url)) return plain.call(this, event, ...args);
    return instrumented.call(this, event, ...args);
  };
}

/** Flushes spans still buffered. An unreachable collector loses those spans, never fails the caller. */
export async function stopTracing(): Promise<void> {
  const running = sdk;
  sdk = undefined;
  await running?.shutdown().catch((error: Error) => {
    process.stderr.write(`tracing: could not flush spans on shutdown: ${error.message}\n`);
  });
}
