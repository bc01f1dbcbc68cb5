/**
 * The README and docs/ stay true: the generated references are what the code produces
 * today, and every reference the README points to exists and is pointed to.
 */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, test } from 'node:test'

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
