import { readFileSync } from 'node:fs'
import { join } from 'node:path'

function readVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as {
      version?: string
    }
    return pkg.version ?? '0.0.0'
  } catch {
    return '0.0.0'
  }
}

/** The agent's version, from its package.json. */
export const VERSION = readVersion()

/** Go's spelling of the CPU architecture, as the TelemetryFlow API expects (`amd64`, `arm64`). */
export function goArch(arch: string = process.arch): string {
  const map: Record<string, string> = { x64: 'amd64', ia32: '386', arm64: 'arm64', arm: 'arm' }
  return map[arch] ?? arch
}

/** `tfo-agent/<version> (<os>; <arch>)`, the User-Agent of every request the agent makes. */
export const USER_AGENT = `tfo-agent/${VERSION} (${process.platform}; ${goArch()})`
