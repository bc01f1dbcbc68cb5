import { strict as assert } from 'node:assert'
import { appendFileSync, mkdtempSync, renameSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { ProtobufLogsSerializer } from '@opentelemetry/otlp-transformer'
import { resourceFromAttributes } from '@opentelemetry/resources'
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs'
import { LogEncoder, parseSeverity, SCOPE_NAME } from '../src/logs'
import { VERSION } from '../src/version'
import { decodeLogsRequest } from '../e2e/helpers/log-otlp'
import { lines, numbered, openRig } from '../e2e/helpers/log-rig'

const root = mkdtempSync(join(tmpdir(), 'tfo-logs-enc-'))
after(() => rmSync(root, { recursive: true, force: true }))

describe('the OTLP log encoding', () => {
  const resource = {
    'service.name': 'tfo-agent',
    'host.name': 'h',
    pid: 42,
    neg: -3,
    ratio: 1.5,
    up: true,
    off: false,
  }
  const texts = [
    '2024-05-01 ERROR boom',
    'héllo wörld ✓ \ud800 lone surrogate',
    '',
    '{"level":"warn","msg":"json"}',
    '<11>syslog line',
    'x'.repeat(20_000),
  ]
  const observedMs = 1_700_000_000_123

  it('decodes to exactly what the OpenTelemetry SDK serializer writes for the same records', () => {
    const ours = new LogEncoder(resource).encode('/var/log/app.log', texts, observedMs)
    const sdkResource = resourceFromAttributes(resource)
    const records = texts.map((body): ReadableLogRecord => {
      const severity = parseSeverity(body)
      return {
        hrTime: [0, 0],
        hrTimeObserved: [Math.floor(observedMs / 1000), (observedMs % 1000) * 1e6],
        severityNumber: severity.number || undefined,
        severityText: severity.text || undefined,
        body,
        resource: sdkResource,
        instrumentationScope: { name: SCOPE_NAME, version: VERSION },
        attributes: { 'log.file.path': '/var/log/app.log', 'log.file.name': 'app.log' },
        droppedAttributesCount: 0,
      }
    })
    const sdk = ProtobufLogsSerializer.serializeRequest(records)!
    const decoded = decodeLogsRequest(ours)
    assert.deepEqual(decoded, decodeLogsRequest(sdk))
    assert.equal(decoded.length, texts.length)
    assert.equal(decoded[1].body, 'héllo wörld ✓ \ufffd lone surrogate')
    assert.deepEqual(decoded[0].resource, resource)
  })

  it('keeps each path’s attributes apart when one encoder serves several files', () => {
    const enc = new LogEncoder(resource)
    const a = decodeLogsRequest(enc.encode('/var/log/a.log', ['one'], observedMs))
    const b = decodeLogsRequest(enc.encode('/srv/b.txt', ['two', 'three'], observedMs))
    assert.deepEqual(a[0].attributes, { 'log.file.path': '/var/log/a.log', 'log.file.name': 'a.log' })
    assert.deepEqual(
      b.map((r) => [r.body, r.attributes['log.file.name']]),
      [
        ['two', 'b.txt'],
        ['three', 'b.txt'],
      ],
    )
  })
})

describe('log backpressure', () => {
  it('stops reading while the buffer holds more than the backlog limit, resumes as it drains, and loses no line', async () => {
    let rig: Awaited<ReturnType<typeof openRig>> | undefined
    const waiting = () => {
      const s = rig!.buffer.stats()
      return s.memoryBytes + s.diskBytes
    }
    rig = await openRig(join(root, 'backpressure'), {
      maxBatchRecords: 100,
      backlog: { maxBytes: 2048, waitingBytes: waiting },
    })
    const total = 20_000
    appendFileSync(rig.file('app.log'), lines(1, total))
    await rig.collector.poll()
    const first = rig.collector.stats()
    assert.ok(first.linesRead < total, `read ${first.linesRead} of ${total} lines past the limit`)
    // Nothing drains the buffer: further polls read nothing more, and say why.
    await rig.collector.poll()
    await rig.collector.poll()
    assert.equal(rig.collector.stats().linesRead, first.linesRead)
    assert.equal(rig.collector.stats().backlogPauses, first.backlogPauses + 2)

    const bodies: string[] = []
    for (let polls = 0; bodies.length < total && polls < 10_000; polls++) {
      bodies.push(...(await rig.bodies()))
      await rig.collector.poll()
    }
    bodies.push(...(await rig.bodies()))
    assert.deepEqual(bodies, numbered(1, total))
    await rig.close()
  })

  it('reads a file rotated away during a pause to its end before closing it', async () => {
    let limit = 0
    const rig = await openRig(join(root, 'rotate'), {
      backlog: { maxBytes: 0, waitingBytes: () => limit },
    })
    const file = rig.file('app.log')
    appendFileSync(file, lines(1, 3))
    await rig.collector.poll()
    assert.deepEqual(await rig.bodies(), numbered(1, 3))
    limit = 1 // over the limit from now on
    appendFileSync(file, lines(4, 6))
    renameSync(file, rig.file('app.log.1'))
    for (let i = 0; i < 3; i++) await rig.collector.poll()
    assert.deepEqual(await rig.bodies(), [])
    limit = 0
    for (let i = 0; i < 3; i++) await rig.collector.poll()
    assert.deepEqual(await rig.bodies(), numbered(4, 6))
    await rig.close()
  })
})
