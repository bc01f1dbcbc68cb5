import { strict as assert } from 'node:assert'
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { describe, it } from 'node:test'

const ROOT = join(__dirname, '..')

/** Packages in `require.cache` of a fresh node after it ran `code` against the built package. */
function loadedPackages(code: string): Set<string> {
  const out = execFileSync(
    process.execPath,
    [
      '-e',
      `${code};const s=new Set();for(const f of Object.keys(require.cache)){const m=/node_modules\\/((?:@[^/]+\\/)?[^/]+)/.exec(f);if(m)s.add(m[1])}process.stdout.write(JSON.stringify([...s]))`,
    ],
    { cwd: ROOT, encoding: 'utf8' },
  )
  return new Set(JSON.parse(out) as string[])
}

const exporter = (protocol: 'grpc' | 'http') =>
  `const { createExporter } = require('./dist/export');` +
  `createExporter({ endpoint: ${JSON.stringify(protocol === 'http' ? 'http://127.0.0.1:9' : '127.0.0.1:9')}, protocol: '${protocol}', compression: 'gzip', tls: { enabled: false }, timeoutMs: 1000, agentId: 'a', apiKeyId: '', apiKeySecret: '', headers: {} })`

describe('loading only what the configuration uses', () => {
  it('does not load the gRPC stack for an OTLP/HTTP exporter', () => {
    const loaded = loadedPackages(exporter('http'))
    assert.equal(loaded.has('@grpc/grpc-js'), false, [...loaded].join(', '))
  })

  it('loads the gRPC stack for an OTLP/gRPC exporter', () => {
    assert.equal(loadedPackages(exporter('grpc')).has('@grpc/grpc-js'), true)
  })
})
