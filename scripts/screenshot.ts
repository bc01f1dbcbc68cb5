/**
 * Makes the README's picture of the status page, docs/status-page.png: an agent on this host
 * exports to the real OpenTelemetry Collector (both on 127.0.0.1) for a minute, then headless
 * system Chromium takes the page. Run `npm run build` first (the agent runs from dist/).
 *   TFO_SCREENSHOT_SECONDS  how long the charts fill before the picture (default 60)
 *   TFO_SCREENSHOT_OUT      where to write it (default docs/status-page.png)
 */
import { execFileSync } from 'node:child_process'
import { appendFileSync, mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { agentConfig, killAllAgents, startAgent, tempDir } from '../e2e/helpers/agent'
import { launchBrowser, readPage } from '../e2e/helpers/browser'
import { pause, startCollector } from '../e2e/helpers/otelcol'

const ROOT = join(__dirname, '..')

async function main(): Promise<void> {
  const seconds = Number(process.env.TFO_SCREENSHOT_SECONDS ?? 60)
  const out = process.env.TFO_SCREENSHOT_OUT ?? join(ROOT, 'docs', 'status-page.png')
  process.env.TFO_OTELCOL_BIN ??= execFileSync('bash', [join(ROOT, 'scripts', 'ensure-otelcol.sh')], {
    encoding: 'utf8',
  }).trim()
  const col = await startCollector({ grpc: true, http: false })
  const browser = await launchBrowser()
  const logFile = join(tempDir('screenshot-logs'), 'app.log')
  appendFileSync(logFile, 'started\n')
  const writer = setInterval(
    () => appendFileSync(logFile, `${new Date().toISOString()} request served\n`),
    500,
  )
  try {
    const agent = await startAgent(
      agentConfig({
        collector: col.grpcEndpoint,
        dataDir: tempDir('screenshot'),
        over: {
          collectors: {
            system: { interval: '2s' },
            process: { enabled: true, interval: '2s', top_n: 5 },
            logs: { enabled: true, paths: [logFile], start_at: 'beginning' },
          },
          exporter: { otlp: { flush_interval: '2s' } },
        },
      }),
    )
    console.error(`filling the charts for ${seconds} s from ${agent.healthEndpoint}…`)
    await pause(seconds * 1000)
    const page = await browser.newPage()
    await page.setViewport({ width: 1400, height: 900 })
    await page.goto(`http://${agent.healthEndpoint}/`)
    for (let i = 0; i < 100; i++) {
      const reading = await readPage(page)
      if (Object.values(reading.drawn).every((n) => n >= 2)) break
      await pause(100)
    }
    mkdirSync(dirname(out), { recursive: true })
    await page.screenshot({ path: out, fullPage: true })
    console.error(`wrote ${out}`)
  } finally {
    clearInterval(writer)
    await browser.close()
    await killAllAgents()
    await col.stop()
  }
}

main().catch((err: unknown) => {
  console.error(err)
  process.exitCode = 1
})
