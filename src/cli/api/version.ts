/** `tfo-agent version`. */
import { native } from '../../native'
import { VERSION } from '../../version'

export interface VersionInfo {
  version: string
  node: string
  platform: string
  arch: string
  /** Whether the Rust addon loads on this platform. */
  native: boolean
}

export function versionInfo(): VersionInfo {
  let loaded = false
  try {
    native()
    loaded = true
  } catch {
    loaded = false
  }
  return {
    version: VERSION,
    node: process.versions.node,
    platform: process.platform,
    arch: process.arch,
    native: loaded,
  }
}
