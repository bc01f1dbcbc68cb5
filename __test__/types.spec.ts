/**
 * The library's public face, pinned at the type level:
 *  - a consumer program, written as an embedder would write it, must compile against the
 *    built declarations (`dist/index.d.ts`, reached through the package name), and the
 *    misuses marked `@ts-expect-error` in it must keep failing;
 *  - the list of exported names, their kinds and the public members of exported classes
 *    is compared with `__test__/fixtures/public-api.txt`. A change there is an API change:
 *    regenerate with `TFO_UPDATE_API=1 node --import tsx --test __test__/types.spec.ts`
 *    and let the diff be reviewed.
 */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import ts from 'typescript'

const root = join(__dirname, '..')
const entry = join(root, 'dist', 'index.d.ts')
const fixture = join(__dirname, 'fixtures', 'public-api.txt')

const consumer = `
import { HostCollector, NativeBindingError } from 'tfo-agent'
import type { CpuUtilization, GroupError, HostCollectorOptions, HostSnapshot, MemorySnapshot } from 'tfo-agent'

const options: HostCollectorOptions = {
  rootPath: '/hostfs',
  perCore: false,
  topProcesses: 5,
  groups: ['cpu', 'memory'],
}
const host = new HostCollector(options)
const groups: string[] = host.groups

export async function sample(signal: AbortSignal): Promise<number> {
  const snapshot: HostSnapshot = await host.collect(signal)
  const cpu: CpuUtilization = snapshot.cpu.utilization
  const memory: MemorySnapshot = snapshot.memory
  const failed: GroupError[] = snapshot.errors
  const sync: HostSnapshot = host.collectSync()
  return cpu.usagePercent + memory.usedPercent + failed.length + sync.intervalSeconds + groups.length
}

export function describeFailure(err: unknown): string {
  if (err instanceof NativeBindingError) {
    const asError: Error = err
    return asError.message
  }
  return String(err)
}

// @ts-expect-error topProcesses is a number
new HostCollector({ topProcesses: 'five' })
// @ts-expect-error unknown options are refused
new HostCollector({ rootpath: '/hostfs' })
// @ts-expect-error groups is read-only
host.groups = []
// @ts-expect-error collect resolves to a snapshot, not a string
export const wrong: Promise<string> = host.collect()
`

function compileConsumer(): { status: number | null; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'tfo-agent-types-'))
  try {
    mkdirSync(join(dir, 'node_modules'))
    symlinkSync(root, join(dir, 'node_modules', 'tfo-agent'), 'dir')
    writeFileSync(join(dir, 'consumer.ts'), consumer)
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
      files: ['consumer.ts'],
    }
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(tsconfig))
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc')
    const run = spawnSync(process.execPath, [tsc, '-p', dir, '--pretty', 'false'], { encoding: 'utf8' })
    return { status: run.status, output: `${run.stdout}${run.stderr}` }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

function kindOf(symbol: ts.Symbol): string {
  const f = symbol.flags
  if (f & ts.SymbolFlags.Class) return 'class'
  if (f & ts.SymbolFlags.Function) return 'function'
  if (f & ts.SymbolFlags.Enum) return 'enum'
  if (f & ts.SymbolFlags.Variable) return 'const'
  if (f & ts.SymbolFlags.Interface) return 'interface'
  if (f & ts.SymbolFlags.TypeAlias) return 'type'
  return 'other'
}

/** One line per export, then one indented line per public member of each exported class. */
function publicApi(): string {
  const program = ts.createProgram([entry], { strict: true, types: ['node'], skipLibCheck: true })
  const checker = program.getTypeChecker()
  const source = program.getSourceFile(entry)
  assert.ok(source, `cannot read ${entry}`)
  const moduleSymbol = checker.getSymbolAtLocation(source)
  assert.ok(moduleSymbol)
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const runtimeExports = new Set(Object.keys(require(root) as object))
  const lines: string[] = []
  const exports = checker
    .getExportsOfModule(moduleSymbol)
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  for (const exported of exports) {
    const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported
    const kind = kindOf(symbol)
    // `export type *` also re-exports values, usable only in type positions: say so.
    const typeOnly = kind !== 'interface' && kind !== 'type' && !runtimeExports.has(exported.name)
    lines.push(`${exported.name}: ${kind}${typeOnly ? ' (type-only)' : ''}`)
    if (kind !== 'class') continue
    const decl = symbol.valueDeclaration
    assert.ok(decl)
    const instance = checker
      .getTypeOfSymbolAtLocation(symbol, decl)
      .getConstructSignatures()[0]
      ?.getReturnType()
    const members = (instance?.getProperties() ?? [])
      .filter((m) => !m.name.startsWith('#') && !m.name.startsWith('__'))
      .filter((m) => {
        const mods = m.valueDeclaration ? ts.getCombinedModifierFlags(m.valueDeclaration) : 0
        return !(mods & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected))
      })
      .map((m) => m.name)
      .sort()
    for (const member of members) lines.push(`  .${member}`)
  }
  return `${lines.join('\n')}\n`
}

describe('the public type surface', () => {
  test('an embedder’s program compiles against the built declarations, and misuse does not', () => {
    assert.ok(existsSync(entry), 'run "npm run build" first')
    const { status, output } = compileConsumer()
    assert.equal(status, 0, output)
  })

  test('the exported names and class members are the reviewed ones', () => {
    assert.ok(existsSync(entry), 'run "npm run build" first')
    const actual = publicApi()
    if (process.env.TFO_UPDATE_API === '1') {
      mkdirSync(join(__dirname, 'fixtures'), { recursive: true })
      writeFileSync(fixture, actual)
    }
    const expected = existsSync(fixture) ? readFileSync(fixture, 'utf8') : '(no fixture yet)\n'
    assert.equal(
      actual,
      expected,
      'the public API changed: review it, then regenerate the fixture (TFO_UPDATE_API=1)',
    )
  })
})
