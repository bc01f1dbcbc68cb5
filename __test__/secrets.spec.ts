import { strict as assert } from 'node:assert'
import { test } from 'node:test'

import { parseConfig, scrubSecrets, secretsOf } from '../src/config'

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
