/**
 * Windows Node under Wine, for the tests in this folder (run by scripts/test-windows.sh,
 * which builds everything and sets TFO_WINE, TFO_WINE_NODE, TFO_WINE_ADDON and
 * TFO_WINE_NODE_PATH, where the Windows build of lmdb's native part is).
 *
 * Wine's standard output is not a pipe a Linux parent can read reliably, so each run
 * writes its stdout and stderr to files, read back when the process has exited.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, openSync, closeSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export const ROOT = join(__dirname, '..', '..')

function required(name: string): string {
  const value = process.env[name]
  if (!value) throw new Error(`${name} is not set: run these tests through scripts/test-windows.sh`)
  return value
}

/** The Windows spelling of a path on this host, as Wine maps it (drive Z: is `/`). */
export function winPath(posix: string): string {
  return `Z:${posix.replace(/\//g, '\\')}`
}

export interface WineRun {
  code: number | null
  stdout: string
  stderr: string
}

export interface WineProcess {
  /** The Wine process on this host: a Unix SIGINT to it reaches Windows Node as Ctrl-C. */
  child: ChildProcess
  /** Resolves when it has exited (killed after `timeoutMs`). */
  done: Promise<WineRun>
}

/** Starts `node.exe args…` under Wine with the Windows addon. */
export function startWineNode(
  args: string[],
  options: { env?: Record<string, string>; timeoutMs?: number } = {},
): WineProcess {
  const dir = mkdtempSync(join(tmpdir(), 'tfo-agent-wine-'))
  const outFile = join(dir, 'stdout')
  const errFile = join(dir, 'stderr')
  const out = openSync(outFile, 'w')
  const err = openSync(errFile, 'w')
  const child = spawn(required('TFO_WINE'), [required('TFO_WINE_NODE'), ...args], {
    cwd: ROOT,
    stdio: ['ignore', out, err],
    env: {
      ...process.env,
      NAPI_RS_NATIVE_LIBRARY_PATH: winPath(required('TFO_WINE_ADDON')),
      NODE_PATH: required('TFO_WINE_NODE_PATH'),
      ...options.env,
    },
  })
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000)
  const done = new Promise<number | null>((resolve, reject) => {
    child.once('error', reject)
    child.once('exit', (c) => resolve(c))
  })
    .then((code) => ({ code, stdout: readFileSync(outFile, 'utf8'), stderr: readFileSync(errFile, 'utf8') }))
    .finally(() => {
      clearTimeout(timer)
      closeSync(out)
      closeSync(err)
      rmSync(dir, { recursive: true, force: true })
    })
  return { child, done }
}

/** Runs `node.exe args…` under Wine with the Windows addon; resolves when it exits. */
export function wineNode(args: string[], options?: Parameters<typeof startWineNode>[1]): Promise<WineRun> {
  return startWineNode(args, options).done
}

/** The CLI (`bin/tfo-agent.js`, running the built `dist/`) under Windows Node. */
export function wineCli(args: string[], options?: Parameters<typeof wineNode>[1]): Promise<WineRun> {
  return wineNode([winPath(join(ROOT, 'bin', 'tfo-agent.js')), ...args], options)
}

/** Starts the CLI under Windows Node (see `startWineNode`). */
export function startWineCli(args: string[], options?: Parameters<typeof startWineNode>[1]): WineProcess {
  return startWineNode([winPath(join(ROOT, 'bin', 'tfo-agent.js')), ...args], options)
}
