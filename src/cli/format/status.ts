/** `tfo-agent status` output: the state first, then the agent's picture (or what `/health` said). */
import type { StatusResult } from '../api/status'
import { formatPicture } from './status-picture'

function flatten(value: unknown, prefix: string, out: Array<[string, string]>): void {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out)
  } else {
    out.push([prefix, typeof value === 'string' ? value : JSON.stringify(value)])
  }
}

/** `healthy`: metrics are being delivered as they should (exit 0); anything else exits 1. */
export function formatStatus(result: StatusResult): { text: string; healthy: boolean } {
  if (!result.reachable) {
    return {
      text: `tfo-agent: no agent answered at ${result.url} (${result.reason}); is it running, and is health.endpoint the same?\n`,
      healthy: false,
    }
  }
  const healthy = result.state === 'healthy' && result.httpStatus < 400
  const title = `tfo-agent at ${result.url}: ${result.state} (HTTP ${result.httpStatus})`
  if (result.picture) return { text: `${[title, ...formatPicture(result.picture)].join('\n')}\n`, healthy }
  const fields: Array<[string, string]> = []
  const { status: _status, ...rest } = result.body
  flatten(rest, '', fields)
  const width = Math.max(0, ...fields.map(([k]) => k.length))
  const lines = [title, ...fields.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`)]
  if (result.pictureError === 'HTTP 401' || result.pictureError === 'HTTP 403')
    lines.push(`  (the status picture needs health.token: ${result.pictureError})`)
  return { text: `${lines.join('\n')}\n`, healthy }
}
