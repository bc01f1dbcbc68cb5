import { strict as assert } from 'node:assert'
import { test } from 'node:test'

import {
  ConfigError,
  configToYaml,
  maskUrl,
  parseConfig,
  redact,
  scrubSecrets,
  secretsOf,
} from '../src/config'

test('a password in the API URL is a secret like the API key secret', () => {
  const { config } = parseConfig(
    [
      'telemetryflow:',
      '  api_endpoint: https://ops:api%2Fpw@api.example/api/v1',
      '  api_key_secret: tfs_very_secret',
    ].join('\n'),
    { env: {} },
  )
  const secrets = secretsOf(config)
  assert.ok(secrets.includes('tfs_very_secret'))
  assert.ok(secrets.includes('api%2Fpw'))
})

test('scrubs every secret out of a server error before it reaches /health or the heartbeat', () => {
  const error =
    'HTTP 400: bad request; echoed headers: X-TelemetryFlow-Key-Secret: tfs_very_secret, again tfs_very_secret'
  assert.equal(
    scrubSecrets(error, ['tfs_very_secret', '']),
    'HTTP 400: bad request; echoed headers: X-TelemetryFlow-Key-Secret: ***, again ***',
  )
})

test('the one scrubber masks a secret as JSON escapes it and as a URL encodes it', () => {
  const secret = 'tfs_"quoted"\\back/slash'
  const inJson = JSON.stringify({ echoed: `key=${secret}` })
  assert.doesNotMatch(scrubSecrets(inJson, [secret]), /quoted|back/)
  assert.doesNotMatch(scrubSecrets(`GET /x?k=${encodeURIComponent(secret)}`, [secret]), /quoted|back/)
})

test('the one scrubber masks URL passwords and credential-looking query values it was never told about', () => {
  const text =
    'POST http://ops:pa55word@127.0.0.1:9/api/v1/agents/a/heartbeat?token=qt123&region=eu&X-Api-Key=k9: HTTP 500'
  assert.equal(
    scrubSecrets(text, []),
    'POST http://ops:***@127.0.0.1:9/api/v1/agents/a/heartbeat?token=***&region=eu&X-Api-Key=***: HTTP 500',
  )
  assert.equal(
    maskUrl('https://127.0.0.1/api?access_token=abc&page=2'),
    'https://127.0.0.1/api?access_token=***&page=2',
  )
})

test('config show masks auth-like headers, query tokens and URL passwords; all of them are guarded secrets', () => {
  const { config } = parseConfig(
    [
      'telemetryflow:',
      '  endpoint: http://user:hunter2pass@127.0.0.1:4318',
      '  protocol: http',
      '  api_endpoint: http://127.0.0.1:9/api/v1?token=querytoken123',
      'exporter:',
      '  otlp:',
      '    headers:',
      '      x-custom-auth: customauthvalue',
      '      x-tenant-token: tenanttokenvalue',
      '      x-api-keyname: keyvalue99',
      '      x-tenant: acme',
    ].join('\n'),
    { env: {} },
  )
  const shown = configToYaml(redact(config))
  assert.doesNotMatch(shown, /hunter2pass|querytoken123|customauthvalue|tenanttokenvalue|keyvalue99/)
  assert.match(shown, /endpoint: http:\/\/user:\*\*\*@127\.0\.0\.1:4318/)
  assert.match(shown, /api_endpoint: http:\/\/127\.0\.0\.1:9\/api\/v1\?token=\*\*\*/)
  assert.match(shown, /x-tenant: acme/)
  const secrets = secretsOf(config)
  for (const s of ['hunter2pass', 'querytoken123', 'customauthvalue', 'tenanttokenvalue', 'keyvalue99'])
    assert.ok(secrets.includes(s), `${s} is guarded`)
})

test('an endpoint with user:pass@ is accepted, and a bad one is refused without its password', () => {
  const ok = parseConfig('telemetryflow:\n  endpoint: http://user:hunter2pass@127.0.0.1:4318\n', { env: {} })
  assert.equal(ok.config.telemetryflow.endpoint, 'http://user:hunter2pass@127.0.0.1:4318')
  assert.throws(
    () => parseConfig('telemetryflow:\n  endpoint: "htp://user:hunter2pass@127.0.0.1:4318"\n', { env: {} }),
    (err: Error) => {
      assert.ok(err instanceof ConfigError)
      assert.doesNotMatch(err.lines().join('\n'), /hunter2pass/)
      assert.match(err.lines()[0], /user:\*\*\*@/)
      return true
    },
  )
})
