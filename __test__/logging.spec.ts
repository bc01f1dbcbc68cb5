import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { createLogger, setLogSecrets, type LoggerOptions } from '../src/logging'
import { makeTmp } from './cli-helpers'

function recorder(options: Omit<LoggerOptions, 'destination'>, secrets: string[] = []) {
  const lines: string[] = []
  const logger = createLogger(
    { ...options, destination: { write: (chunk: string) => lines.push(chunk) } },
    secrets,
  )
  return { logger, text: () => lines.join('') }
}

const SECRET = 'tfs_Sup3r"Secret\\Value'

describe('the agent logger', () => {
  const tmp = makeTmp()
  after(() => tmp.cleanup())

  test('writes one JSON object per line with a level name and ISO time', () => {
    const { logger, text } = recorder({ level: 'info', format: 'json' })
    logger.info({ batches: 3 }, 'flushed')
    const record = JSON.parse(text()) as Record<string, unknown>
    assert.equal(record.level, 'info')
    assert.equal(record.msg, 'flushed')
    assert.equal(record.batches, 3)
    assert.match(String(record.time), /^\d{4}-\d\d-\d\dT/)
  })

  test('writes one readable line per record in text format', () => {
    const { logger, text } = recorder({ level: 'info', format: 'text' })
    logger.warn(
      { endpoint: 'localhost:4317', reason: 'connection refused' },
      'export failed; data stays in the buffer',
    )
    assert.match(
      text(),
      /^\S+Z WARN  export failed; data stays in the buffer endpoint=localhost:4317 reason="connection refused"\n$/,
    )
  })

  test('leaves out records below the level', () => {
    const { logger, text } = recorder({ level: 'warn', format: 'text' })
    logger.info('not shown')
    logger.debug('not shown either')
    assert.equal(text(), '')
  })

  test('never writes the API key secret, wherever it is passed', () => {
    for (const format of ['text', 'json'] as const) {
      const { logger, text } = recorder({ level: 'trace', format }, [SECRET])
      logger.info({ config: { telemetryflow: { api_key_secret: SECRET } } }, 'loaded')
      logger.info({ headers: { 'X-TelemetryFlow-Key-Secret': SECRET } }, 'request')
      logger.error({ err: new Error(`rejected key ${SECRET}`) }, `message with ${SECRET}`)
      logger.child({ secret: SECRET }).warn('child')
      const out = text()
      assert.ok(!out.includes(SECRET), `${format} output holds the secret`)
      assert.ok(
        !out.includes(JSON.stringify(SECRET).slice(1, -1)),
        `${format} output holds the escaped secret`,
      )
      assert.match(out, /\*\*\*/)
    }
  })

  test('guards a secret that a reload introduced', () => {
    const { logger, text } = recorder({ level: 'info', format: 'json' }, ['tfs_old_secret'])
    setLogSecrets(logger, ['tfs_old_secret', 'tfs_new_secret'])
    logger.info(`rotated to tfs_new_secret from tfs_old_secret`)
    assert.doesNotMatch(text(), /tfs_new_secret|tfs_old_secret/)
  })

  test('appends to the configured file', () => {
    const file = join(tmp.dir, 'logs', 'agent.log')
    createLogger({ level: 'info', format: 'json', file }).info('first')
    createLogger({ level: 'info', format: 'json', file }).info('second')
    const messages = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { msg: string }).msg)
    assert.deepEqual(messages, ['first', 'second'])
  })
})
