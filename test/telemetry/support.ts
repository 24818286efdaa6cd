/** A host's OpenTelemetry SDK, registered globally for one test: spans and metrics kept in memory. */
import { AsyncLocalStorage } from 'node:async_hooks'
import { context, metrics, ROOT_CONTEXT, trace, type Context, type ContextManager } from '@opentelemetry/api'
import { DataPointType, MeterProvider, MetricReader, type HistogramMetricData, type MetricData } from '@opentelemetry/sdk-metrics'
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base'
import { afterEach, beforeEach, expect } from 'vitest'

/**
 * Carries the active span across awaits, as the SDK's Node setup does (NodeSDK registers the same
 * kind of manager, from a package the library does not need).
 */
class AsyncContextManager implements ContextManager {
  readonly #storage = new AsyncLocalStorage<Context>()
  active = () => this.#storage.getStore() ?? ROOT_CONTEXT
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(active: Context, fn: F, thisArg?: ThisParameterType<F>, ...args: A) {
    return this.#storage.run(active, () => fn.call(thisArg, ...args))
  }
  bind<T>(active: Context, target: T): T {
    if (typeof target !== 'function') return target
    const manager = this
    return function (this: unknown, ...args: unknown[]) {
      return manager.with(active, () => target.apply(this, args))
    } as T
  }
  enable = () => this
  disable = () => {
    this.#storage.disable()
    return this
  }
}

/** Reads the meter provider's metrics when the test asks, with no export timer. */
class OnDemandReader extends MetricReader {
  protected override onShutdown = async () => {}
  protected override onForceFlush = async () => {}
}

/** Registers an SDK globally; `disable()` unregisters it. */
export function registerSdk() {
  const exporter = new InMemorySpanExporter()
  const reader = new OnDemandReader()
  context.setGlobalContextManager(new AsyncContextManager().enable())
  trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }))
  metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }))
  return {
    /** Ended spans, in the order they ended. */
    spans: (): ReadableSpan[] => exporter.getFinishedSpans(),
    /** The ended spans with this name. */
    spansNamed: (name: string) => exporter.getFinishedSpans().filter((span) => span.name === name),
    /** The `hitl.interaction.duration` histogram: its unit and scope, and each data point's attributes, count and sum. */
    async durations() {
      const { resourceMetrics } = await reader.collect()
      const isDuration = (metric: MetricData) => metric.descriptor.name === 'hitl.interaction.duration'
      const scope = resourceMetrics.scopeMetrics.find((scope) => scope.metrics.some(isDuration))
      const metric = scope?.metrics.find(isDuration)
      if (!scope || !metric) return { scope: undefined, unit: undefined, points: [] }
      expect(metric.dataPointType).toBe(DataPointType.HISTOGRAM)
      const { dataPoints } = metric as HistogramMetricData
      const points = dataPoints.map(({ attributes, value }) => ({ attributes, count: value.count, sum: value.sum }))
      return { scope: scope.scope, unit: metric.descriptor.unit, points }
    },
    disable() {
      trace.disable()
      metrics.disable()
      context.disable()
    },
  }
}

/**
 * A fresh SDK registered before each test of the calling block and unregistered after it, so no
 * test sees another's spans; `register()` replaces it mid-test, as a host that sets up its SDK late.
 */
export function sdkPerTest() {
  let current: ReturnType<typeof registerSdk> | undefined
  beforeEach(() => void (current = registerSdk()))
  afterEach(() => current?.disable())
  const sdk = () => current!
  return {
    spans: () => sdk().spans(),
    spansNamed: (name: string) => sdk().spansNamed(name),
    durations: () => sdk().durations(),
    disable: () => sdk().disable(),
    register: () => void (current = registerSdk()),
  }
}
