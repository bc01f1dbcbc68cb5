/**
 * Host snapshots as OTLP metrics, named as the OpenTelemetry Collector's
 * hostmetrics receiver names them (or by the latest semantic conventions).
 */
export { MetricModel } from './model'
export type { CollectedMetrics, MetricGroups, MetricModelOptions } from './model'
export { buildResource } from './resource'
export type { CloudInfo, ResourceAttributes, ResourceMeta } from './resource'
export { spelling } from './semconv'
export type { SemconvMode, Spelling } from './semconv'
export { HOSTMETRICS_DIFFERENCES, differencesFor } from './differences'
export type { Difference, DifferenceKind } from './differences'
