/**
 * `tfo-agent start` restarts itself in place under the V8 flags the agent is tuned for.
 *
 * With Node's defaults V8 grows the young generation to two 16 MB semi-spaces once enough
 * short-lived objects have survived a scavenge, which a collection loop reaches within a
 * few hundred cycles: about 25 MB of resident memory the agent does not need, since it
 * keeps little from one cycle to the next. `--max-semi-space-size=2` bounds that. V8 reads
 * the flag only when it starts, so `bin/tfo-agent.js` calls `restartInPlace()` first: the
 * process is replaced (execv: same pid, environment and stdio) by node run with the
 * flags, before anything else is loaded. A supervisor (systemd, Docker, npx) sees nothing
 * but the command line change.
 *
 * `npm run bench` prints what it buys, side by side with an agent under node's defaults: over
 * 1,000 cycles at 50 ms (bench/pipeline.bench.ts) the young generation grows and the flag
 * saves about 25 MB; over 120 cycles at 1 s (bench/footprint.bench.ts) the two differed by
 * -2 to +16 MB between runs, as V8's memory reducer shrinks an idle agent's heap sometimes.
 *
 * Flags the user already gave node (on its command line or in NODE_OPTIONS) win, and
 * `TFO_AGENT_NODE_FLAGS` replaces the list: empty, it turns the restart off.
 */
import { native, NativeBindingError } from '../native'

export const AGENT_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=2']
export const NODE_FLAGS_ENV = 'TFO_AGENT_NODE_FLAGS'

/** What the decision reads from the process (tests pass their own). */
export interface Invocation {
  execPath: string
  execArgv: readonly string[]
  argv: readonly string[]
  env: NodeJS.ProcessEnv
  platform: NodeJS.Platform
  electron?: string
}

export type Restart =
  | { restart: false; reason: string; problem?: string }
  | { restart: true; file: string; args: string[]; flags: string[] }

const FLAG = /^--[a-z0-9][a-z0-9_-]*(=\S+)?$/i

/** `--max_semi_space_size=4` and `--max-semi-space-size` name the same flag. */
const flagName = (flag: string): string => flag.split('=')[0]!.replace(/_/g, '-')

/** Whether to restart, and with which command line. */
export function planRestart(inv: Invocation): Restart {
  if (inv.argv[2] !== 'start') return { restart: false, reason: 'not the start command' }
  if (inv.argv.includes('--help') || inv.argv.includes('-h')) return { restart: false, reason: 'help' }
  if (inv.platform === 'win32') return { restart: false, reason: 'Windows cannot replace a process' }
  if (inv.electron) return { restart: false, reason: 'running inside Electron' }
  const spec = inv.env[NODE_FLAGS_ENV]
  const wanted = spec === undefined ? [...AGENT_NODE_FLAGS] : spec.split(/\s+/).filter(Boolean)
  const bad = wanted.filter((f) => !FLAG.test(f))
  if (bad.length > 0) {
    return {
      restart: false,
      reason: `${NODE_FLAGS_ENV} is not a list of --flags`,
      problem: `${NODE_FLAGS_ENV}: ${bad.map((b) => JSON.stringify(b)).join(', ')} is not a node option (--name or --name=value); running with the flags node was given`,
    }
  }
  const given = new Set(
    [...inv.execArgv, ...(inv.env.NODE_OPTIONS ?? '').split(/\s+/)]
      .filter((a) => a.startsWith('--'))
      .map(flagName),
  )
  const flags = wanted.filter((f) => !given.has(flagName(f)))
  if (flags.length === 0) return { restart: false, reason: 'node already has the flags' }
  const script = inv.argv[1]
  if (!script) return { restart: false, reason: 'no script path in argv' }
  return {
    restart: true,
    file: inv.execPath,
    args: [inv.execPath, ...inv.execArgv, ...flags, script, ...inv.argv.slice(2)],
    flags,
  }
}

/**
 * Replaces this process when `planRestart` says so; returns when it does not, or when the
 * replacement fails (said on stderr: the agent then runs with node's defaults).
 */
export function restartInPlace(
  inv: Invocation = {
    execPath: process.execPath,
    execArgv: process.execArgv,
    argv: process.argv,
    env: process.env,
    platform: process.platform,
    electron: process.versions.electron,
  },
  replace: (file: string, args: string[]) => void = (file, args) => native().replaceProcess(file, args),
  warn: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Restart {
  const plan = planRestart(inv)
  if (!plan.restart) {
    if (plan.problem) warn(`tfo-agent: ${plan.problem}`)
    return plan
  }
  try {
    replace(plan.file, plan.args)
  } catch (err) {
    // No addon for this platform: the command itself will say so, in full.
    if (err instanceof NativeBindingError) return plan
    const why = err instanceof Error ? err.message.split('\n')[0] : String(err)
    warn(`tfo-agent: could not restart with ${plan.flags.join(' ')} (${why}); running with node's defaults`)
  }
  return plan
}
