/**
 * The agent's own Windows behaviour, run by Windows Node under Wine against the addon
 * built for Windows (scripts/test-windows.sh).
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { stringify } from 'yaml'

import { freePort, pause } from '../helpers/otelcol'

import { ROOT, startWineCli, winPath, wineCli, wineNode } from './wine'

/** Evaluates `body` (CommonJS, with `out(value)` to report) in Windows Node. */
async function inWindowsNode(body: string): Promise<unknown> {
  const script = `const out = (v) => process.stdout.write(JSON.stringify(v)); ${body}`
  const run = await wineNode(['-e', script])
  assert.equal(run.code, 0, `Windows node failed:\n${run.stderr}`)
  return JSON.parse(run.stdout)
}

describe('the agent under Windows Node (Wine)', () => {
  test('loads the addon built for Windows and places its data under ProgramData when elevated', async () => {
    const dist = JSON.stringify(winPath(`${ROOT}/dist`))
    const seen = (await inWindowsNode(`
      const { native } = require(${dist} + '\\\\native.js')
      const { defaultDataDir } = require(${dist} + '\\\\identity\\\\index.js')
      out({ platform: process.platform, elevated: native().isElevated(), dir: defaultDataDir(),
            programData: process.env.ProgramData, local: process.env.LOCALAPPDATA,
            unelevated: defaultDataDir({ elevated: false }) })
    `)) as Record<string, string | boolean>
    assert.equal(seen.platform, 'win32')
    // Wine runs programs with an administrator's elevated token.
    assert.equal(seen.elevated, true)
    assert.equal(seen.dir, `${seen.programData}\\tfo-agent`)
    assert.equal(seen.unelevated, `${seen.local}\\tfo-agent`)
  })

  test('start runs in the Windows node it was given, without trying to replace the process', async () => {
    // A missing config file makes start exit before the pipeline (and LMDB, which Wine 8
    // cannot open) loads; the in-place restart, had it been tried, comes before that.
    const run = await wineCli(['start', '--config', winPath(`${ROOT}/no-such-dir/tfo-agent.yaml`)])
    assert.notEqual(run.code, 0)
    assert.match(run.stderr, /cannot read the config file/)
    assert.doesNotMatch(run.stderr, /could not restart/)
  })

  test('Ctrl-C stops the running agent cleanly', async () => {
    // No OTLP export, so no LMDB store (Wine 8 cannot open one): collection, health and
    // the signal handling are what run. Wine turns a SIGINT to its process into the
    // console's Ctrl-C event, which Windows Node reports as SIGINT.
    const dir = mkdtempSync(join(tmpdir(), 'tfo-agent-wine-start-'))
    after(() => rmSync(dir, { recursive: true, force: true }))
    const port = await freePort()
    const config = join(dir, 'tfo-agent.yaml')
    writeFileSync(
      config,
      stringify({
        agent: { id: 'wine-agent', data_dir: winPath(join(dir, 'data')) },
        collectors: { system: { interval: '1s' } },
        exporter: { otlp: { enabled: false } },
        heartbeat: { enabled: false },
        health: { enabled: true, endpoint: `127.0.0.1:${port}` },
        cloud: { provider: 'none' },
        logging: { format: 'json', level: 'info' },
      }),
    )
    const agent = startWineCli(['start', '--config', winPath(config)])
    let health: { status: string } | undefined
    for (let i = 0; i < 600 && !health && agent.child.exitCode === null; i++) {
      health = await fetch(`http://127.0.0.1:${port}/health`).then(
        (r) => r.json() as Promise<{ status: string }>,
        () => undefined,
      )
      if (!health) await pause(100)
    }
    assert.ok(health, `the agent under Wine never answered /health:\n${agent.child.exitCode}`)
    agent.child.kill('SIGINT')
    const run = await agent.done
    assert.equal(run.code, 0, run.stderr)
    const logs = run.stderr
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { msg: string; signal?: string })
    assert.ok(
      logs.some((l) => l.signal === 'SIGINT' && l.msg.startsWith('stopping')),
      run.stderr,
    )
    assert.ok(
      logs.some((l) => l.msg === 'stopped'),
      run.stderr,
    )
  })
})
