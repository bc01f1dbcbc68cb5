import { readFileSync } from 'node:fs'
import type { ExporterOptions, TlsOptions } from './types'

export interface TlsMaterial {
  ca?: Buffer
  cert?: Buffer
  key?: Buffer
}

function read(path: string | undefined, what: string): Buffer | undefined {
  if (!path) return undefined
  try {
    return readFileSync(path)
  } catch (err) {
    throw new Error(`cannot read the TLS ${what} ${path}: ${(err as Error).message}`)
  }
}

/** Reads the PEM files once, when the exporter is created; a missing file fails there. */
export function loadTls(tls: TlsOptions): TlsMaterial {
  if ((tls.certFile && !tls.keyFile) || (!tls.certFile && tls.keyFile)) {
    throw new Error('TLS client authentication needs both cert_file and key_file')
  }
  return {
    ca: read(tls.caFile, 'CA file'),
    cert: read(tls.certFile, 'certificate'),
    key: read(tls.keyFile, 'key'),
  }
}

export function warnSkipVerify(o: ExporterOptions): void {
  if (o.tls.enabled && o.tls.skipVerify) {
    o.logger?.warn(
      { endpoint: o.endpoint },
      'TLS certificate verification is OFF (tls.skip_verify): anyone on the path can read and change the telemetry and see the API key. Use ca_file instead.',
    )
  }
}
