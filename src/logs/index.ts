/**
 * The log collector (`collectors.logs`): follows log files by glob, survives rotation by rename
 * and by truncation, joins multi-line records, and pushes OTLP log records to the buffer with
 * each file's read position stored in the same transaction.
 */
export { LogCollector } from './collector'
export { LogEncoder, SCOPE_NAME } from './otlp'
export { parseSeverity, SEVERITY, type Severity } from './severity'
export type { FileCursor, PathCursor } from './file'
export type { LogCollectorOptions, LogCollectorStats } from './types'
