/**
 * The README and docs/ stay true: the generated references are what the code produces
 * today, every reference the README points to exists and is pointed to, and the
 * embedding example, taken from the README as it stands, runs against the built package.
 */
import assert from 'node:assert/strict'
import { execFile, spawnSync } from 'node:child_process'
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import pino from 'pino'

import { Agent, parseConfig } from '../dist/index.js'

const root = join(__dirname, '..')
const readme = readFileSync(join(root, 'README.md'), 'utf8')

describe('docs', () => {
  test('the generated references match the config schema, the heartbeat schema and the metric model', () => {
    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', join(root, 'scripts', 'gen-docs.ts'), '--check'],
      {
        cwd: root,
        encoding: 'utf8',
      },
    )
    assert.equal(run.status, 0, run.stderr)
  })

  test('the README links every page in docs/, and every docs/ page it links exists', () => {
    const linked = new Set([...readme.matchAll(/\]\((docs\/[^)#\s]+\.md)(#[^)]*)?\)/g)].map((m) => m[1]))
    const pages = readdirSync(join(root, 'docs'))
      .filter((f) => f.endsWith('.md'))
      .map((f) => `docs/${f}`)
    assert.deepEqual(
      [...linked].filter((p) => !existsSync(join(root, p))),
      [],
      'links to missing pages',
    )
    assert.deepEqual(
      pages.filter((p) => !linked.has(p)),
      [],
      'pages in docs/ the README does not link',
    )
  })

  test('the README keeps the references out of its own text', () => {
    assert.ok(!readme.includes('<!-- BEGIN'), 'a generated section is still in README.md')
    assert.ok(readme.split('\n').length < 300, `README.md has ${readme.split('\n').length} lines`)
  })
})

/** The README's code blocks in the section under `heading`. */
function codeBlocks(heading: string): string[] {
  const start = readme.indexOf(`\n## ${heading}\n`)
  assert.ok(start >= 0, `the README has no "## ${heading}" section`)
  const end = readme.indexOf('\n## ', start + 1)
  const section = readme.slice(start, end < 0 ? undefined : end)
  return [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1])
}

/** A port on 127.0.0.1 that nothing listens on: the collector the example cannot reach. */
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

describe("the README's embedding example", () => {
  test('runs as written: one call starts the agent, which collects, reports its status and stops', async () => {
    const [example] = codeBlocks('Embedding as a library').filter((code) => code.includes('startAgent('))
    assert.ok(example, 'no startAgent example in the README')
    const dir = mkdtempSync(join(tmpdir(), 'tfo-agent-readme-'))
    try {
      // The example imports 'tfo-agent': this checkout, as an installed package.
      mkdirSync(join(dir, 'node_modules'))
      symlinkSync(root, join(dir, 'node_modules', 'tfo-agent'), 'dir')
      writeFileSync(join(dir, 'example.mjs'), example)
      const env = {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: dir,
        XDG_STATE_HOME: join(dir, 'state'),
        TELEMETRYFLOW_ENDPOINT: `127.0.0.1:${await closedPort()}`,
      }
      const run = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
        execFile(
          process.execPath,
          ['example.mjs'],
          { cwd: dir, env, timeout: 120_000 },
          (err, stdout, stderr) =>
            resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
        ),
      )
      assert.equal(run.code, 0, run.stderr)
      assert.match(run.stdout, /^cpu \d+\.\d%, status page at http:\/\/127\.0\.0\.1:\d+\/$/m)
      const id = /^agent (\S+) is (starting|healthy|degraded)$/m.exec(run.stdout)?.[1]
      assert.ok(id, run.stdout)
      // The identity and the buffer are where the example said: in ./tfo-agent-data.
      assert.equal(readFileSync(join(dir, 'tfo-agent-data', 'agent-id'), 'utf8').trim(), id)
      assert.ok(existsSync(join(dir, 'tfo-agent-data', 'buffer')), 'no buffer in the data directory')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  test('every TypeScript block of the section type-checks against the built declarations', () => {
    const blocks = codeBlocks('Embedding as a library')
    assert.ok(blocks.length >= 2)
    const dir = mkdtempSync(join(tmpdir(), 'tfo-agent-readme-types-'))
    try {
      mkdirSync(join(dir, 'node_modules'))
      symlinkSync(root, join(dir, 'node_modules', 'tfo-agent'), 'dir')
      // What the examples take from their surroundings: an Electron window.
      const context =
        'declare const win: { webContents: { send(channel: string, payload: unknown): void } }\n'
      const files = blocks.map((code, i) => {
        writeFileSync(join(dir, `block-${i}.mts`), context + code)
        return `block-${i}.mts`
      })
      const tsconfig = {
        compilerOptions: {
          target: 'ES2022',
          lib: ['ES2022'],
          module: 'node16',
          moduleResolution: 'node16',
          strict: true,
          noEmit: true,
          types: ['node'],
          typeRoots: [join(root, 'node_modules', '@types')],
        },
        files,
      }
      writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(tsconfig))
      const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc')
      const run = spawnSync(process.execPath, [tsc, '-p', dir, '--pretty', 'false'], { encoding: 'utf8' })
      assert.equal(run.status, 0, `${run.stdout}${run.stderr}`)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  test('the two-step form, new Agent(config) then start(), resolves the identity itself', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tfo-agent-readme-'))
    try {
      const { config } = parseConfig(
        `telemetryflow:\n  endpoint: 127.0.0.1:${await closedPort()}\nagent:\n  data_dir: ${dir}\nhealth:\n  enabled: false\ncloud:\n  provider: none\n`,
        { env: {} },
      )
      const agent = new Agent(config, { logger: pino({ level: 'silent' }) })
      await agent.start()
      try {
        const id = readFileSync(join(dir, 'agent-id'), 'utf8').trim()
        assert.equal(agent.config.agent.id, id)
        assert.equal(agent.status().agentId, id)
        assert.equal(config.agent.id, '', "the caller's config object is left as it was")
      } finally {
        await agent.stop({ deadlineMs: 1000 })
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
