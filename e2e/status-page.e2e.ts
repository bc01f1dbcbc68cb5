/**
 * The status page in a real browser: headless system Chromium (e2e/helpers/browser.ts) opens
 * `/` of an agent exporting to the real collector, waits for every chart to draw, and checks
 * that the numbers on the page are those of `/metrics` at the same status sample. Screenshots
 * go to test-output/ (TFO_TEST_OUTPUT to move it).
 */
import assert from 'node:assert/strict'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { after, afterEach, before, describe, test } from 'node:test'
import type { Browser, Page } from 'puppeteer-core'
import {
  agentConfig,
  killAllAgents,
  startAgent,
  tempDir,
  type PromMetrics,
  type RunningAgent,
} from './helpers/agent'
import { launchBrowser, readPage, type PageReading } from './helpers/browser'
import { pause, startCollector, type RunningCollector } from './helpers/otelcol'

const OUTPUT = process.env.TFO_TEST_OUTPUT ?? join(__dirname, '..', 'test-output')

/** `name{a="x",b="y"}` → the /metrics sample with exactly those labels (the sum over all for a bare name). */
function metricValue(m: PromMetrics, key: string): number {
  const match = /^([^{]+)(?:\{(.*)\})?$/.exec(key)!
  const labels: Record<string, string> = {}
  for (const l of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2]
  return m.value(match[1], labels)
}

async function waitForPage(
  page: Page,
  done: (r: PageReading) => boolean,
  what: string,
): Promise<PageReading> {
  const deadline = Date.now() + 60_000
  let last: PageReading | undefined
  for (;;) {
    last = await readPage(page)
    if (done(last)) return last
    if (Date.now() > deadline) throw new Error(`the page never showed ${what}; last: ${JSON.stringify(last)}`)
    await pause(200)
  }
}

const bufferBatches = (r: PageReading) => r.metrics.tfo_agent_buffer_batches
const exportsOk = (r: PageReading) => r.metrics['tfo_agent_exports_total{signal="metrics",outcome="ok"}']

describe('the status page in a browser', () => {
  let col: RunningCollector
  let browser: Browser

  before(async () => {
    mkdirSync(OUTPUT, { recursive: true })
    ;[col, browser] = await Promise.all([startCollector({ grpc: true, http: false }), launchBrowser()])
  })
  afterEach(async () => {
    await killAllAgents()
    await col.ensureRunning()
  })
  after(async () => {
    await browser?.close()
    await killAllAgents()
    await col?.stop()
  })

  async function open(): Promise<{ agent: RunningAgent; page: Page; errors: string[] }> {
    const agent = await startAgent(
      agentConfig({
        collector: col.grpcEndpoint,
        dataDir: tempDir('page'),
        over: { collectors: { process: { enabled: true, interval: '1s', top_n: 5 } } },
      }),
    )
    const page = await browser.newPage()
    const errors: string[] = []
    page.on('pageerror', (err) => errors.push(String(err)))
    // Only the agent is asked for anything: every request the page makes goes to it.
    page.on('request', (req) => {
      if (!req.url().startsWith(`http://${agent.healthEndpoint}/`)) errors.push(`request to ${req.url()}`)
    })
    await page.goto(`http://${agent.healthEndpoint}/`)
    return { agent, page, errors }
  }

  test('draws every chart and shows the numbers /metrics has at the same sample', async () => {
    const { agent, page, errors } = await open()
    const drawn = await waitForPage(
      page,
      (r) => Object.values(r.drawn).every((n) => n >= 3) && exportsOk(r) >= 1,
      'every chart with three points and an export delivered',
    )
    assert.ok(Object.keys(drawn.drawn).length >= 8, `charts: ${Object.keys(drawn.drawn).join(', ')}`)

    // The page and /metrics move on independently: read both until they show the same sample.
    const deadline = Date.now() + 60_000
    let compared = 0
    while (compared < 2) {
      const before = await readPage(page)
      const m = await agent.metrics()
      const seq = m.value('tfo_agent_status_sequence')
      if (seq === before.seq) {
        for (const [key, value] of Object.entries(before.metrics))
          assert.equal(
            value,
            metricValue(m, key),
            `${key} at sample ${seq}: page ${value}, /metrics ${metricValue(m, key)}`,
          )
        compared++
      }
      assert.ok(
        Date.now() < deadline,
        `the page and /metrics never showed the same sample (last ${before.seq} / ${seq})`,
      )
      await pause(100)
    }
    const shown = await readPage(page)
    assert.ok(shown.metrics.tfo_agent_collections_total >= 3)
    assert.ok(exportsOk(shown) >= 1)
    const rows = await page.$$eval('#processes tbody tr', (trs) => trs.length)
    assert.ok(rows >= 1 && rows <= 10, `${rows} process rows`)
    await page.screenshot({ path: join(OUTPUT, 'status-page.png'), fullPage: true })
    assert.deepEqual(errors, [], 'the page had errors or asked elsewhere')
  })

  test('shows the buffer depth rise while the collector is down and fall when it is back', async () => {
    const { page, errors } = await open()
    const flowing = await waitForPage(page, (r) => exportsOk(r) >= 1, 'an export delivered')
    await col.stop()
    const risen = await waitForPage(
      page,
      (r) => bufferBatches(r) >= bufferBatches(flowing) + 3,
      'the buffer depth rise by three batches',
    )
    await page.screenshot({ path: join(OUTPUT, 'status-page-outage.png'), fullPage: true })
    await col.restart()
    const fallen = await waitForPage(
      page,
      (r) => bufferBatches(r) < bufferBatches(risen) && exportsOk(r) > exportsOk(risen),
      'the buffer depth fall after the collector came back',
    )
    const collector = await page.$eval('#collector-state', (el) => el.textContent)
    assert.equal(collector, 'reachable')
    assert.ok(fallen.seq > risen.seq)
    assert.deepEqual(errors, [], 'the page had errors or asked elsewhere')
  })
})
