/** `tfo-agent status` output: the state first, then what the agent said about itself. */
import type { StatusResult } from '../api/status'

function flatten(value: unknown, prefix: string, out: Array<[string, string]>): void {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out)
  } else {
    out.push([prefix, typeof value === 'string' ? value : JSON.stringify(value)])
  }
}

export function formatStatus(result: StatusResult): { text: string; healthy: boolean } {
  if (!result.reachable) {
    return {
      text: `tfo-agent: no agent answered at ${result.url} (${result.reason}); is it running, and is health.endpoint the same?\n`,
      healthy: false,
    }
  }
  const healthy = result.state === 'healthy' && result.httpStatus < 400
  const fields: Array<[string, string]> = []
  const { status: _status, ...rest } = result.body
  flatten(rest, '', fields)
  const width = Math.max(0, ...fields.map(([k]) => k.length))
  const lines = [
    `tfo-agent at ${result.url}: ${result.state} (HTTP ${result.httpStatus})`,
    ...fields.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`),
  ]
  return { text: `${lines.join('\n')}\n`, healthy }
}
