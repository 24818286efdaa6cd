/**
 * OpenTelemetry spans and metrics of the service. `@opentelemetry/api` is an optional peer, imported
 * by the first operation after a host registered an SDK: then operations are spans on the global
 * tracer and every ended interaction is measured on the global meter. Until then, or when the
 * package is not installed, nothing is imported and operations run unwrapped.
 */
import { isInteractionError } from '../errors.js'
import type { Interaction } from '../model/interaction.js'
import { LIMITS } from '../model/limits.js'
import { isSignalEntry, type OutboxEntry } from '../model/signal.js'
import type { Interactions } from './types.js'

// Type-only references: the package is loaded with import() on first use, never at module load.
type OpenTelemetryApi = typeof import('@opentelemetry/api')
type Attributes = import('@opentelemetry/api').Attributes
type Histogram = import('@opentelemetry/api').Histogram
type Span = import('@opentelemetry/api').Span
type Tracer = import('@opentelemetry/api').Tracer

/** The instrumentation scope of every span and metric: this package, at its version. */
export const INSTRUMENTATION_SCOPE = { name: '@hitl/interactions', version: '0.1.0' } as const

/**
 * Bucket boundaries of the duration histogram, in seconds: a person answers in minutes to days, far
 * beyond the SDK's default boundaries (up to 10 000, under three hours).
 */
const DURATION_BOUNDARIES = [1, 5, 15, 30, 60, 120, 300, 600, 1_800, 3_600, 7_200, 14_400, 28_800, 86_400, 172_800, 604_800, 2_592_000]

/** Attribute values by name; the SDK leaves off an undefined one, so none is filtered here, where it would cost even with no SDK. */
type AttributeValues = Record<string, string | number | undefined>

/** How the span of one public operation is named and what it records. */
interface Operation {
  span: string
  /** Attributes known from the arguments, before the call; those that are not yet validated strings are left off. */
  arguments?: (args: unknown[]) => AttributeValues
  /** Attributes known from the result. */
  result?: (value: never) => AttributeValues
}

// Arguments are not validated when the span starts: only a string of a plausible length is recorded.
const text = (value: unknown) => (typeof value === 'string' && value.length <= LIMITS.identifier ? value : undefined)
const project = ([value]: unknown[]) => ({ 'hitl.project': text(value) })
const interaction = ([project, id]: unknown[]) => ({ 'hitl.project': text(project), 'hitl.interaction.id': text(id) })
const signal = ([id]: unknown[]) => ({ 'hitl.signal.id': text(id) })

/** What a span records of an interaction, whichever way it came. */
const interactionAttributes = (record: Interaction): AttributeValues => ({
  'hitl.project': record.project,
  'hitl.interaction.id': record.id,
  'hitl.interaction.type': record.type,
  'hitl.routing_policy': record.routing_policy,
  'hitl.run_id': record.run_id,
  'hitl.status': record.status,
  'hitl.outcome': record.outcome,
})

/**
 * Every public operation and its span. Typed by the service's own interface, so an operation added
 * there does not compile until it has a span here.
 */
const OPERATIONS: Record<keyof Interactions, Operation> = {
  create: { span: 'hitl.create', arguments: project, result: interactionAttributes },
  get: { span: 'hitl.get', arguments: interaction, result: interactionAttributes },
  history: { span: 'hitl.history', arguments: interaction },
  claim: { span: 'hitl.claim', arguments: interaction, result: interactionAttributes },
  release: { span: 'hitl.release', arguments: interaction, result: interactionAttributes },
  respond: { span: 'hitl.respond', arguments: interaction, result: interactionAttributes },
  cancel: { span: 'hitl.cancel', arguments: interaction, result: interactionAttributes },
  reassign: { span: 'hitl.reassign', arguments: interaction, result: interactionAttributes },
  cancelRun: { span: 'hitl.cancel_run', arguments: ([project, runId]) => ({ 'hitl.project': text(project), 'hitl.run_id': text(runId) }) },
  inbox: { span: 'hitl.inbox', arguments: project },
  sweep: { span: 'hitl.sweep' },
  expireDue: { span: 'hitl.expire_due' },
  deliverSignals: { span: 'hitl.deliver_signals' },
  failedSignals: { span: 'hitl.failed_signals' },
  retrySignal: { span: 'hitl.retry_signal', arguments: signal },
  pruneSignals: { span: 'hitl.prune_signals' },
}

let openTelemetry: Promise<OpenTelemetryApi | null> | undefined

/** `@opentelemetry/api`, imported once; null when it is not installed, so the service runs without it. */
export function importOpenTelemetry(): Promise<OpenTelemetryApi | null> {
  // An awaited import() in a try block: bundlers (webpack, esbuild, Metro) then take a missing package
  // for an optional one, a warning at most, instead of failing the host's build.
  const load = async () => {
    try {
      return await import('@opentelemetry/api')
    } catch {
      return null
    }
  }
  openTelemetry ??= load()
  return openTelemetry
}

/**
 * Where every copy of `@opentelemetry/api` 1.x keeps what a host registered (the key copies agree on,
 * so that an SDK registered through one copy serves all of them).
 */
const API_REGISTRY = Symbol.for('opentelemetry.js.api.1')

/**
 * True once a host has registered a tracer or a meter provider. Until then the API could record
 * nothing, so the service neither imports it nor wraps a call: no cost, and no import racing the
 * first operation for a host without an SDK.
 */
function providerRegistered(): boolean {
  const registry = (globalThis as unknown as Record<symbol, { trace?: unknown; metrics?: unknown } | undefined>)[API_REGISTRY]
  return registry?.trace !== undefined || registry?.metrics !== undefined
}

/**
 * What `make` builds for the current global provider, built again only when the provider changes:
 * the metrics API hands out no-op meters until an SDK is registered and does not forward them after,
 * so a service created before the SDK must not keep its first one.
 */
function perProvider<P, T>(provider: () => P, make: (current: P) => T): () => T {
  let cached: { provider: P; value: T } | undefined
  return () => {
    const current = provider()
    if (cached?.provider !== current) cached = { provider: current, value: make(current) }
    return cached.value
  }
}

/** Marks a span failed: the exception, status ERROR, and the `InteractionError` code when there is one. */
function recordError(api: OpenTelemetryApi, span: Span, error: unknown) {
  if (!span.isRecording()) return
  const code = isInteractionError(error) ? error.code : undefined
  const failure = error instanceof Error ? error : new Error(String(error))
  span.recordException(failure)
  // `error.type` is the convention's low-cardinality class of the failure: our code, else the error's name.
  span.setAttributes({ 'hitl.error.code': code, 'error.type': code ?? failure.name })
  span.setStatus({ code: api.SpanStatusCode.ERROR, message: failure.message })
}

/** The name and attributes of the span of one delivery of a signal or a notification. */
function deliverySpanOf(entry: OutboxEntry): [string, AttributeValues] {
  const attempt = { 'hitl.signal.attempt': entry.attempts }
  return isSignalEntry(entry)
    ? [
        'hitl.deliver_signal',
        {
          'hitl.project': entry.signal.project,
          'hitl.interaction.id': entry.signal.interaction_id,
          'hitl.run_id': entry.signal.run_id,
          'hitl.status': entry.signal.status,
          'hitl.outcome': entry.signal.outcome,
          ...attempt,
        },
      ]
    : [
        'hitl.deliver_notification',
        {
          'hitl.project': entry.notification.project,
          'hitl.interaction.id': entry.notification.interaction.id,
          'hitl.notification.kind': entry.notification.kind,
          ...attempt,
        },
      ]
}

/** The service's telemetry: spans around its operations and deliveries, and the duration of ended interactions. */
export interface Telemetry {
  /** The service with each public operation run in its span. */
  instrument(service: Interactions): Interactions
  /** Runs one delivery of a signal or a notification in its span, a child of the operation or pass that delivers it. */
  delivering(entry: OutboxEntry, send: () => Promise<void>): Promise<void>
  /** Measures an interaction a write has just ended: the time from its creation to that write. */
  ended(record: Interaction): void
}

/**
 * The telemetry of one service. `load` resolves to the OpenTelemetry API, or to null to run without
 * it; it is called on the first operation after a host registered a provider, and its answer kept.
 */
export function createTelemetry(load: () => Promise<OpenTelemetryApi | null> = importOpenTelemetry): Telemetry {
  let loading: Promise<OpenTelemetryApi | null> | undefined
  // Kept once known, so that later calls do not even wait a microtask for it.
  let api: OpenTelemetryApi | null | undefined
  /** Runs `traced` with the API, or `plain` when it is not installed or nothing could record. */
  const withApi = <T>(traced: (otel: OpenTelemetryApi) => Promise<T>, plain: () => Promise<T>): Promise<T> => {
    if (api === null || !providerRegistered()) return plain()
    if (api) return traced(api)
    loading ??= load().then((loaded) => (api = loaded))
    return loading.then((loaded) => (loaded ? traced(loaded) : plain()))
  }

  let tracer: (() => Tracer) | undefined
  let duration: (() => Histogram) | undefined
  const tracerOf = (otel: OpenTelemetryApi) =>
    (tracer ??= perProvider(
      () => otel.trace.getTracerProvider(),
      (provider) => provider.getTracer(INSTRUMENTATION_SCOPE.name, INSTRUMENTATION_SCOPE.version),
    ))()
  const durationOf = (otel: OpenTelemetryApi) =>
    (duration ??= perProvider(
      () => otel.metrics.getMeterProvider(),
      (provider) =>
        provider.getMeter(INSTRUMENTATION_SCOPE.name, INSTRUMENTATION_SCOPE.version).createHistogram('hitl.interaction.duration', {
          unit: 's',
          description: 'Time from the creation of an interaction to the write that ended it (completed, expired or cancelled).',
          advice: { explicitBucketBoundaries: DURATION_BOUNDARIES },
        }),
    ))()

  /** Runs `run` in an active span named `name`, so spans of the store or the host's adapters nest under it. */
  function inSpan<T>(
    otel: OpenTelemetryApi,
    name: string,
    attributes: AttributeValues,
    run: () => Promise<T>,
    describe?: (value: T) => AttributeValues,
  ) {
    return tracerOf(otel).startActiveSpan(name, { kind: otel.SpanKind.INTERNAL, attributes }, async (span) => {
      try {
        const value = await run()
        if (describe && span.isRecording()) span.setAttributes(describe(value))
        return value
      } catch (error) {
        recordError(otel, span, error)
        throw error
      } finally {
        span.end()
      }
    })
  }

  return {
    instrument(service) {
      const operations = Object.entries(OPERATIONS) as [keyof Interactions, Operation][]
      const wrapped = operations.map(([name, operation]) => {
        const call = service[name] as (...args: unknown[]) => Promise<unknown>
        const describe = operation.result as ((value: unknown) => AttributeValues) | undefined
        const traced = (...args: unknown[]) =>
          withApi(
            (otel) => inSpan(otel, operation.span, operation.arguments?.(args) ?? {}, () => call(...args), describe),
            () => call(...args),
          )
        return [name, traced]
      })
      return Object.fromEntries(wrapped) as unknown as Interactions
    },

    delivering(entry, send) {
      // The span's name and attributes are built only when there is a span to put them on.
      return withApi((otel) => inSpan(otel, ...deliverySpanOf(entry), send), send)
    },

    ended(record) {
      // The operation that wrote loaded the API first, unless no provider was registered to record on.
      if (!api) return
      const seconds = (Date.parse(record.updated_at) - Date.parse(record.created_at)) / 1_000
      const attributes: Attributes = { 'hitl.status': record.status, 'hitl.interaction.type': record.type }
      // Metric attributes are not filtered like a span's: an absent policy must be left off, not recorded as undefined.
      if (record.routing_policy) attributes['hitl.routing_policy'] = record.routing_policy
      durationOf(api).record(seconds, attributes)
    },
  }
}
