/**
 * The macOS launch daemon (deploy/launchd) and the Windows service (deploy/windows). Neither
 * service manager runs here, so these tests check what can be checked without them: the
 * command each one runs, how it stops the agent and how long it gives it, and that the
 * configuration each ships is one the agent's own parser accepts, with the data directory
 * the service's account gets by default.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join, posix } from 'node:path'
import { describe, test } from 'node:test'

import { parseConfig } from '../src/config'
import { defaultDataDir } from '../src/identity'

const root = join(__dirname, '..')
const read = (path: string) => readFileSync(join(root, path), 'utf8')

/** The shipped configuration as the agent would load it, with no environment overrides. */
function shippedConfig(path: string) {
  const { config, warnings } = parseConfig(read(path), { file: path, env: {} })
  assert.deepEqual(warnings, [], `${path} has warnings`)
  return config
}

/** The agent's own stop deadline (a last export after moving memory to disk). */
const AGENT_STOP_SECONDS = 10

/** A plist's top-level dict: each `<key>` with the element after it, comments removed. */
function plistEntries(xml: string): Map<string, string> {
  const body = xml.replace(/<!--[\s\S]*?-->/g, '')
  const dict = /<plist[^>]*>\s*<dict>([\s\S]*)<\/dict>\s*<\/plist>/.exec(body)
  assert.ok(dict, 'a plist with one top-level dict')
  const entries = new Map<string, string>()
  const item = /<key>([^<]+)<\/key>\s*(<(\w+)\s*\/>|<(\w+)>[\s\S]*?<\/\4>)/g
  for (const m of dict[1]!.matchAll(item)) {
    if (!entries.has(m[1]!)) entries.set(m[1]!, m[2]!)
  }
  return entries
}

const strings = (element: string) => [...element.matchAll(/<string>([^<]*)<\/string>/g)].map((m) => m[1]!)

describe('the macOS launch daemon', () => {
  const plist = plistEntries(read('deploy/launchd/io.telemetryflow.tfo-agent.plist'))
  const configPath = '/Library/Application Support/tfo-agent/tfo-agent.yaml'

  test('runs the globally installed CLI with the config in the root data directory', () => {
    assert.deepEqual(strings(plist.get('Label')!), ['io.telemetryflow.tfo-agent'])
    const [bin, ...args] = strings(plist.get('ProgramArguments')!)
    assert.match(bin!, /^\/.+\/tfo-agent$/, 'the CLI by absolute path')
    assert.deepEqual(args, ['start', '--config', configPath])
    // launchd runs daemons as root: the config sits in root's default data directory.
    assert.equal(posix.join(defaultDataDir({ platform: 'darwin', uid: 0 }), 'tfo-agent.yaml'), configPath)
  })

  test('restarts after a failure only, and leaves time for the clean stop', () => {
    assert.equal(plist.get('RunAtLoad'), '<true/>')
    assert.match(plist.get('KeepAlive')!, /<key>SuccessfulExit<\/key>\s*<false\/>/)
    const exitTimeout = Number(/<integer>(\d+)<\/integer>/.exec(plist.get('ExitTimeOut')!)?.[1])
    assert.ok(exitTimeout > AGENT_STOP_SECONDS, `ExitTimeOut ${exitTimeout}s`)
    assert.match(strings(plist.get('EnvironmentVariables')!).join(' '), /\/usr\/local\/bin/, 'node on PATH')
  })

  test('ships a config the agent accepts, without secrets in the world-readable plist', () => {
    const config = shippedConfig('deploy/launchd/tfo-agent.yaml')
    assert.equal(config.agent.data_dir, '', 'the default data directory for root')
    assert.equal(config.health.endpoint, '127.0.0.1:13133')
    assert.doesNotMatch(read('deploy/launchd/io.telemetryflow.tfo-agent.plist'), /API_KEY|tfs_/)
  })
})

describe('the Windows service (WinSW)', () => {
  const xml = read('deploy/windows/tfo-agent.xml').replace(/<!--[\s\S]*?-->/g, '')
  const element = (name: string) => {
    const m = new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)
    assert.ok(m, `<${name}> is set`)
    return m[1]!
  }

  test('runs the agent installed under ProgramData with the config there', () => {
    assert.equal(element('id'), 'tfo-agent')
    assert.equal(element('executable'), 'node')
    const args = element('arguments')
      .match(/"[^"]*"|\S+/g)!
      .map((a) => a.replace(/^"|"$/g, ''))
    assert.deepEqual(args, [
      '%ProgramData%\\tfo-agent\\app\\node_modules\\tfo-agent\\bin\\tfo-agent.js',
      'start',
      '--config',
      '%ProgramData%\\tfo-agent\\tfo-agent.yaml',
    ])
    // The service account (LocalSystem) is elevated: its default data directory holds the config.
    const dataDir = defaultDataDir({
      platform: 'win32',
      elevated: true,
      env: { ProgramData: '%ProgramData%' },
    })
    assert.equal(args[3], `${dataDir}\\tfo-agent.yaml`)
  })

  test('gives the agent longer than its own stop deadline after Ctrl-C, and restarts it on failure', () => {
    const stop = /^(\d+) sec$/.exec(element('stoptimeout'))
    assert.ok(stop && Number(stop[1]) > AGENT_STOP_SECONDS, `stoptimeout ${element('stoptimeout')}`)
    assert.match(xml, /<onfailure action="restart"/)
  })

  test('ships a config the agent accepts', () => {
    const config = shippedConfig('deploy/windows/tfo-agent.yaml')
    assert.equal(config.agent.data_dir, '', 'the default data directory for the elevated service')
    assert.equal(config.health.endpoint, '127.0.0.1:13133')
  })
})
