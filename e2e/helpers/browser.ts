/**
 * Headless system Chromium (Debian's `chromium`, installed by scripts/ensure-chromium.sh when
 * missing) driven over CDP with puppeteer-core: nothing downloads a browser. It is kept on
 * loopback: no background networking, no component updates, no proxy, and a host resolver
 * that maps every name to nothing but 127.0.0.1.
 */
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import puppeteer, { type Browser, type Page } from 'puppeteer-core'

const ROOT = join(__dirname, '..', '..')

/** The browser's path: TFO_CHROMIUM_BIN, or the one the script finds or installs. */
export function chromiumPath(): string {
  if (process.env.TFO_CHROMIUM_BIN) return process.env.TFO_CHROMIUM_BIN
  const path = execFileSync('bash', [join(ROOT, 'scripts', 'ensure-chromium.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim()
  process.env.TFO_CHROMIUM_BIN = path
  return path
}

export const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-default-apps',
  '--disable-sync',
  '--no-first-run',
  '--no-default-browser-check',
  '--metrics-recording-only',
  '--no-proxy-server',
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
]

export async function launchBrowser(): Promise<Browser> {
  return puppeteer.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: CHROMIUM_ARGS,
    defaultViewport: { width: 1400, height: 1100 },
  })
}

/** What the page shows: its sample number and every `[data-metric]` value. */
export interface PageReading {
  seq: number
  metrics: Record<string, number>
  drawn: Record<string, number>
}

/** Runs in the page (as text: these files are not compiled for the DOM). */
const READ_PAGE = `(() => {
  const metrics = {}
  for (const el of document.querySelectorAll('[data-metric]'))
    metrics[el.getAttribute('data-metric')] = Number(el.getAttribute('data-value'))
  const drawn = {}
  for (const el of document.querySelectorAll('.chart')) drawn[el.id] = Number(el.getAttribute('data-drawn') ?? '-1')
  return { seq: Number(document.getElementById('seq').getAttribute('data-value')), metrics, drawn }
})()`

export async function readPage(page: Page): Promise<PageReading> {
  return (await page.evaluate(READ_PAGE)) as PageReading
}
