/** The `collectors` part of the configuration schema: what is read from the host. */
import { bool, duration, int, list, oneOf, section, str, type SchemaNode } from './schema-kit'

const regex: SchemaNode = {
  type: 'string',
  format: 'regex',
  description: 'A regular expression (JavaScript syntax).',
}

const system = section('Host metrics from the native core: CPU, memory, disks, filesystems, network, TCP.', {
  enabled: bool(true, 'Collect host metrics.'),
  interval: duration('15s', 'Time between collections.'),
  cpu: bool(true, 'CPU time, utilization, frequency and load average.'),
  memory: bool(true, 'Memory, swap and paging.'),
  disk: bool(true, 'Block-device I/O, operations and latency.'),
  network: bool(true, 'Network interface traffic, errors and drops.'),
  filesystem: bool(true, 'Filesystem usage and inodes per mount point.'),
  tcp: bool(true, 'TCP connections by state, and retransmits.'),
  per_core: bool(
    false,
    'CPU time and utilization metrics per logical core instead of in total (one series per core and state: mind the cardinality). The heartbeat and `tfo-agent collect` show per-core usage either way.',
  ),
  root_path: str(
    '',
    "The host's root filesystem as the agent sees it, e.g. `/hostfs` in a container with `/` bind-mounted there; empty is `/`.",
  ),
  backend: oneOf(
    ['default', 'procfs', 'portable', 'windows'],
    'default',
    "Where host data is read from: `procfs` (`/proc`, `/sys` and netlink; Linux only, its default), `portable` (the `sysinfo` crate and the OS's own APIs; the default on macOS) or `windows` (Win32; Windows only, its default). `default` picks the platform's. Which fields each gives: docs/platforms.md.",
  ),
})

const processes = section('Per-process metrics (`process.*`) for chosen processes and the top N.', {
  enabled: bool(false, 'Collect per-process metrics.'),
  interval: duration('15s', 'Time between collections.'),
  include: list(
    'Processes whose name, executable or command line matches one of these regular expressions are always exported.',
    regex,
  ),
  exclude: list('Processes matching one of these regular expressions are never exported.', regex),
  top_n: int(
    10,
    0,
    1000,
    'Also export the top N processes by CPU and the top N by memory (a process in both is exported once, so N to 2N of them); 0 exports only `include` matches.',
  ),
  max_processes: int(
    200,
    1,
    10_000,
    'Hard cap on processes exported per collection; those left out are counted.',
  ),
})

const logs = section('Log files followed and shipped as OTLP log records.', {
  enabled: bool(false, 'Follow log files.'),
  paths: list('Glob patterns of files to follow, e.g. `/var/log/*.log`, `/var/log/**/app-*.log`.', {
    type: 'string',
    description: 'A glob pattern.',
  }),
  include_patterns: list(
    'Keep only records matching one of these regular expressions (all when empty).',
    regex,
  ),
  exclude_patterns: list('Drop records matching one of these regular expressions.', regex),
  start_at: oneOf(
    ['end', 'beginning'],
    'end',
    'Where to start in a file seen for the first time: `end` (new lines only) or `beginning`.',
  ),
  multiline_start_pattern: str(
    '',
    'A regular expression matching the first line of a record; following lines that do not match are joined to it (e.g. stack traces). Empty: one record per line.',
    {
      format: 'regex',
    },
  ),
  max_line_bytes: int(16_384, 256, 16_777_216, 'Longer records are cut to this many bytes.'),
  poll_interval: duration('1s', 'How often files are checked for new lines and new files.'),
  max_backlog_mb: int(
    4,
    1,
    4096,
    'Backpressure: while the buffer holds more unsent data than this (MiB as stored, all signals), log files are not read; their lines wait in the files and reading resumes as exports drain it. Bounds what a burst of log lines may hold in memory.',
  ),
})

export const collectorsSchema = section('What the agent reads from the host.', {
  system,
  process: processes,
  logs,
})
