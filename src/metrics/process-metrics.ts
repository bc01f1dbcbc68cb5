/**
 * Per-process metrics, one ResourceMetrics per process as the hostmetrics receiver
 * sends them: the process is the resource (`process.pid`, `process.executable.name`,
 * … beside the host's attributes), so one MeterProvider (one resource) cannot carry
 * them. They are built directly as SDK MetricData; cumulative sums start at the
 * process's start time, as the receiver's do.
 */
import { ValueType, type HrTime } from '@opentelemetry/api'
import { resourceFromAttributes } from '@opentelemetry/resources'
import {
  AggregationTemporality,
  DataPointType,
  type DataPoint,
  type MetricData,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics'
import type { InstrumentationScope } from '@opentelemetry/core'
import type { ProcessRecord } from '../native'
import type { Attributes } from './instruments'
import type { MetricName, Spelling } from './semconv'

type ResourceAttributes = Record<string, string | number | boolean>

function hrTime(ms: number): HrTime {
  const seconds = Math.floor(ms / 1000)
  return [seconds, Math.round((ms - seconds * 1000) * 1e6)]
}

const DISK_IO_DESCRIPTION =
  'Bytes the process read and wrote through system calls (rchar/wchar of /proc/<pid>/io): page-cache hits, pipes and sockets included, as the hostmetrics receiver counts them.'

function sum(
  metric: MetricName,
  description: string,
  int: boolean,
  monotonic: boolean,
  points: DataPoint<number>[],
): MetricData {
  return {
    descriptor: {
      name: metric.name,
      unit: metric.unit,
      description,
      valueType: int ? ValueType.INT : ValueType.DOUBLE,
    },
    aggregationTemporality: AggregationTemporality.CUMULATIVE,
    dataPointType: DataPointType.SUM,
    isMonotonic: monotonic,
    dataPoints: points,
  }
}

/**
 * The resource attributes of one process, on top of the host's. Every key is set, ""
 * where the kernel does not say (kernel threads have no command), as the receiver does.
 */
export function processResourceAttributes(p: ProcessRecord, host: ResourceAttributes): ResourceAttributes {
  return {
    ...host,
    'process.pid': p.pid,
    'process.parent_pid': p.parentPid,
    'process.executable.name': p.name,
    'process.executable.path': p.executable,
    'process.command': p.command,
    'process.command_line': p.commandLine,
    'process.owner': p.owner,
  }
}

export function processResourceMetrics(
  records: ProcessRecord[],
  s: Spelling,
  host: ResourceAttributes,
  scope: InstrumentationScope,
  nowMs: number,
  /** True for a `processes.top[].…` field the platform cannot give: its metric is left out. */
  unavailable: (field: string) => boolean = () => false,
): ResourceMetrics[] {
  const { metrics: n, attrs: a } = s
  const end = hrTime(nowMs)
  return records.map((p) => {
    // A start time in the future (clock skew) would make the point invalid.
    const start = hrTime(Math.min(p.startTimeUnix * 1000, nowMs))
    const point = (value: number, attributes: Attributes = {}, cumulative = true): DataPoint<number> => ({
      startTime: cumulative ? start : end,
      endTime: end,
      attributes,
      value,
    })
    const metrics: MetricData[] = []
    if (!unavailable('processes.top[].userSeconds')) {
      const states = [
        point(p.userSeconds, { [a.processCpuState]: 'user' }),
        point(p.systemSeconds, { [a.processCpuState]: 'system' }),
      ]
      if (!unavailable('processes.top[].iowaitSeconds'))
        states.push(point(p.iowaitSeconds, { [a.processCpuState]: s.values.cpuState.wait }))
      metrics.push(sum(n.processCpuTime, 'Total CPU seconds by state.', false, true, states))
    }
    metrics.push(
      sum(n.processMemoryUsage, 'The amount of physical memory in use (RSS).', true, false, [
        point(p.rssBytes),
      ]),
      sum(n.processMemoryVirtual, 'Virtual memory size.', true, false, [point(p.virtualBytes)]),
    )
    // As the receiver (gopsutil's ReadBytes/WriteBytes): bytes through read/write
    // system calls (`rchar`/`wchar`), page-cache hits and pipes included.
    if (p.charsReadBytes !== undefined && p.charsWrittenBytes !== undefined) {
      metrics.push(
        sum(n.processDiskIo, DISK_IO_DESCRIPTION, true, true, [
          point(p.charsReadBytes, { [a.processDiskDirection]: 'read' }),
          point(p.charsWrittenBytes, { [a.processDiskDirection]: 'write' }),
        ]),
      )
    }
    if (!unavailable('processes.top[].threads'))
      metrics.push(sum(n.processThreads, 'Process threads count.', true, false, [point(p.threads)]))
    if (p.openFds !== undefined) {
      metrics.push(
        sum(n.processOpenFds, 'Number of file descriptors in use by the process.', true, false, [
          point(p.openFds),
        ]),
      )
    }
    return {
      resource: resourceFromAttributes(processResourceAttributes(p, host)),
      scopeMetrics: [{ scope, metrics }],
    }
  })
}
