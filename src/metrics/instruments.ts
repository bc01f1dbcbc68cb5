/**
 * Observable instruments fed from the latest snapshot. Each callback reads the
 * snapshot the model holds; a group the snapshot reports as failed (or the user
 * switched off) is not observed at all, so its metrics are absent rather than zero.
 *
 * The SDK keeps every attribute set it has ever seen for cumulative asynchronous
 * instruments and repeats its last value forever; a host's devices, mounts and
 * failed groups come and go, so the registrar also records which points were
 * observed in this collection and the model drops the rest (as the hostmetrics
 * receiver would: it reports only what it saw in the scrape).
 */
import { ValueType, type Meter, type ObservableResult } from '@opentelemetry/api'
import type { HostSnapshot } from '../native'
import type { MetricName } from './semconv'

export type Attributes = Record<string, string | number>
/**
 * Observes one point. `from` names the snapshot field the value is (`memory.buffersBytes`):
 * a field the snapshot lists as `unavailable` on this platform is left out, not sent as 0.
 */
export type Emit = (value: number, attributes?: Attributes, from?: string) => void
export type Feed = (snapshot: HostSnapshot, emit: Emit) => void

/** The largest double that still fits an int64 (`file-max` is LONG_MAX on 64-bit kernels). */
const INT64_MAX_DOUBLE = 9_223_372_036_854_774_784

export function pointKey(metric: string, attributes: Attributes | undefined): string {
  const keys = Object.keys(attributes ?? {}).sort()
  if (!attributes || keys.length === 0) return metric
  return `${metric}\u0000${keys.map((k) => `${k}=${String(attributes[k])}`).join('\u0000')}`
}

/**
 * True when `field` (a `group.field` path) or a path above it (a whole group or object)
 * is one this snapshot's backend cannot give on this platform.
 */
export function isUnavailable(snapshot: Pick<HostSnapshot, 'unavailable'>, field: string): boolean {
  return snapshot.unavailable.some(
    (u) => field === u || field.startsWith(`${u}.`) || field.startsWith(`${u}[]`),
  )
}

export interface InstrumentSpec {
  metric: MetricName
  description: string
  /** Native group(s) whose failure suppresses this metric. */
  groups: string[]
  int?: boolean
  feed: Feed
}

export class Registrar {
  /** Point keys observed since `beginCollection`. */
  readonly seen = new Set<string>()
  readonly #meter: Meter
  readonly #current: () => HostSnapshot | undefined

  constructor(meter: Meter, current: () => HostSnapshot | undefined) {
    this.#meter = meter
    this.#current = current
  }

  beginCollection(): void {
    this.seen.clear()
  }

  /** Cumulative monotonic sum. */
  counter(spec: InstrumentSpec): void {
    const opts = this.#options(spec)
    this.#meter.createObservableCounter(spec.metric.name, opts).addCallback(this.#callback(spec))
  }

  /** Cumulative non-monotonic sum. */
  upDown(spec: InstrumentSpec): void {
    const opts = this.#options(spec)
    this.#meter.createObservableUpDownCounter(spec.metric.name, opts).addCallback(this.#callback(spec))
  }

  gauge(spec: InstrumentSpec): void {
    const opts = this.#options(spec)
    this.#meter.createObservableGauge(spec.metric.name, opts).addCallback(this.#callback(spec))
  }

  #options(spec: InstrumentSpec) {
    return {
      description: spec.description,
      unit: spec.metric.unit,
      valueType: spec.int ? ValueType.INT : ValueType.DOUBLE,
    }
  }

  #callback(spec: InstrumentSpec): (result: ObservableResult) => void {
    return (result) => {
      const snapshot = this.#current()
      if (!snapshot) return
      if (snapshot.errors.some((e) => spec.groups.includes(e.group))) return
      spec.feed(snapshot, (value, attributes, from) => {
        if (!Number.isFinite(value)) return
        if (from !== undefined && isUnavailable(snapshot, from)) return
        let v = value
        if (spec.int) v = Math.min(Math.max(Math.round(v), -INT64_MAX_DOUBLE), INT64_MAX_DOUBLE)
        result.observe(v, attributes)
        this.seen.add(pointKey(spec.metric.name, attributes))
      })
    }
  }
}
