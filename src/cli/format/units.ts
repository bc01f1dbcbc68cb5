/** Numbers as a person reads them at a terminal. */

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB']

export function bytes(n: number): string {
  if (!Number.isFinite(n) || n <= 0) return '0 B'
  let i = 0
  let v = n
  while (v >= 1024 && i < BYTE_UNITS.length - 1) {
    v /= 1024
    i++
  }
  return `${i === 0 ? v.toFixed(0) : v.toFixed(1)} ${BYTE_UNITS[i]}`
}

export const rate = (bytesPerSecond: number): string => `${bytes(bytesPerSecond)}/s`

export const percent = (p: number): string => `${(Number.isFinite(p) ? p : 0).toFixed(1)}%`

export function count(n: number): string {
  return Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '0'
}

export function fixed(n: number, digits = 1): string {
  return (Number.isFinite(n) ? n : 0).toFixed(digits)
}

export function uptime(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds))
  const d = Math.floor(s / 86_400)
  const h = Math.floor((s % 86_400) / 3600)
  const m = Math.floor((s % 3600) / 60)
  return d > 0 ? `${d}d ${h}h ${m}m` : h > 0 ? `${h}h ${m}m` : `${m}m ${s % 60}s`
}

/** Columns padded to their widest cell; numbers right-aligned. */
export function table(header: string[], rows: string[][], indent = '  '): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const numeric = header.map(
    (_, i) =>
      rows.length > 0 && rows.every((r) => /^[\d.,]+(\s?\S+)?%?$/.test(r[i] ?? '') && /^\d/.test(r[i] ?? '')),
  )
  const line = (cells: string[]): string =>
    indent +
    cells
      .map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd()
  return [line(header), ...rows.map(line)]
}
