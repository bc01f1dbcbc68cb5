/** Runs the real CLI (`node bin/tfo-agent.js`, from the built dist) in a clean environment. */
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export const BIN = join(__dirname, '..', 'bin', 'tfo-agent.js')

export interface CliResult {
  code: number
  stdout: string
  stderr: string
}

export function makeTmp(): { dir: string; write(name: string, text: string): string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'tfo-agent-test-'))
  return {
    dir,
    write: (name, text) => {
      const file = join(dir, name)
      writeFileSync(file, text)
      return file
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  }
}

/** No TELEMETRYFLOW_* from the outer environment; HOME and XDG dirs inside `home`. */
export function cleanEnv(home: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    XDG_CONFIG_HOME: join(home, 'config'),
    XDG_STATE_HOME: join(home, 'state'),
    ...extra,
  }
}

export function runCli(
  args: string[],
  options: { cwd: string; env: Record<string, string> },
): Promise<CliResult> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { cwd: options.cwd, env: options.env },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0
        done({ code, stdout, stderr })
      },
    )
  })
}
