/**
 * Who this agent is across restarts: its data directory and its id. The id comes from
 * the config (or `TELEMETRYFLOW_AGENT_ID`, which the config loader applies), else from
 * `<data_dir>/agent-id`, else it is generated once and written there atomically.
 */
import { randomUUID } from 'node:crypto'
import { link, mkdir, open, readFile, rename, unlink } from 'node:fs/promises'
import { homedir } from 'node:os'
import { join, win32 } from 'node:path'
import type { AgentConfig, Env } from '../config'
import { native } from '../native'

export const AGENT_ID_FILE = 'agent-id'

/** The data directory could not be created or the id file could not be written. */
export class IdentityError extends Error {
  override readonly name = 'IdentityError'
}

export interface DataDirContext {
  /** Default `process.env` (HOME, XDG_STATE_HOME; ProgramData, LOCALAPPDATA on Windows). */
  env?: Env
  /** Default: the process's uid (0 is root). Unix only. */
  uid?: number
  /** Default `os.homedir()`. */
  home?: string
  /** Default `process.platform`. */
  platform?: NodeJS.Platform
  /** Windows: whether the process is elevated; default: asked of the addon (false without it). */
  elevated?: boolean
}

/** Windows: an elevated token (an administrator past UAC, or a service account). */
function elevatedOnWindows(): boolean {
  try {
    return native().isElevated()
  } catch {
    return false // no addon for this platform: the command says so itself
  }
}

/**
 * The data directory when `agent.data_dir` is empty: machine-wide for a privileged
 * process, the user's own otherwise, so an agent run by hand never fights a service
 * for one buffer.
 * - Linux and other Unix: `/var/lib/tfo-agent` for root, else `$XDG_STATE_HOME/tfo-agent`
 *   or `~/.local/state/tfo-agent`.
 * - macOS: `/Library/Application Support/tfo-agent` for root, else
 *   `~/Library/Application Support/tfo-agent`.
 * - Windows: `%ProgramData%\tfo-agent` when elevated (a service, an administrator's
 *   shell), else `%LOCALAPPDATA%\tfo-agent`.
 */
export function defaultDataDir(context: DataDirContext = {}): string {
  const env = context.env ?? process.env
  const platform = context.platform ?? process.platform
  const home = () => context.home ?? (env.HOME || homedir())
  if (platform === 'win32') {
    if (context.elevated ?? elevatedOnWindows()) {
      return win32.join(env.ProgramData || env.ALLUSERSPROFILE || 'C:\\ProgramData', 'tfo-agent')
    }
    const local =
      env.LOCALAPPDATA || win32.join(context.home ?? (env.USERPROFILE || homedir()), 'AppData', 'Local')
    return win32.join(local, 'tfo-agent')
  }
  const uid = context.uid ?? process.getuid?.() ?? -1
  if (platform === 'darwin') {
    return uid === 0
      ? '/Library/Application Support/tfo-agent'
      : join(home(), 'Library', 'Application Support', 'tfo-agent')
  }
  if (uid === 0) return '/var/lib/tfo-agent'
  if (env.XDG_STATE_HOME) return join(env.XDG_STATE_HOME, 'tfo-agent')
  return join(home(), '.local', 'state', 'tfo-agent')
}

/** `agent.data_dir` when set, else the default for this user. */
export function resolveDataDir(config: AgentConfig, context: DataDirContext = {}): string {
  return config.agent.data_dir || defaultDataDir(context)
}

export interface Identity {
  agentId: string
  dataDir: string
  /** `config`: given by config or environment; `file`: read back; `generated`: new. */
  source: 'config' | 'file' | 'generated'
}

const VALID_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/

const REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'read-only filesystem',
  ENOTDIR: 'not a directory',
}

function explain(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code ?? ''
  return REASONS[code] ?? (err as Error).message
}

/** Creates the data directory (0700) if needed. */
export async function ensureDataDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 })
  } catch (err) {
    throw new IdentityError(
      `cannot create the data directory ${dir}: ${explain(err)}; set agent.data_dir to a writable directory`,
    )
  }
}

/** The stored id; `exists` is true also for a file whose content is not an id. */
async function readId(file: string): Promise<{ id?: string; exists: boolean }> {
  try {
    const id = (await readFile(file, 'utf8')).trim()
    return { id: VALID_ID.test(id) ? id : undefined, exists: true }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { exists: false }
    throw new IdentityError(`cannot read ${file}: ${explain(err)}`)
  }
}

/**
 * Writes the id so that a reader sees either no file or the whole id. `link` fails if
 * another process won the race; then its id is the one kept. A corrupt file is replaced.
 */
async function persistId(file: string, id: string, replace: boolean): Promise<string> {
  const tmp = `${file}.${process.pid}.${randomUUID().slice(0, 8)}.tmp`
  try {
    const handle = await open(tmp, 'wx', 0o600)
    try {
      await handle.writeFile(`${id}\n`)
      await handle.sync()
    } finally {
      await handle.close()
    }
    if (replace) {
      await rename(tmp, file)
      return id
    }
    try {
      await link(tmp, file)
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      if (code === 'EEXIST') return (await readId(file)).id ?? id
      // Filesystems without hard links: rename is still atomic, only the race is lost.
      if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP') await rename(tmp, file)
      else throw err
    }
    return id
  } catch (err) {
    if (err instanceof IdentityError) throw err
    throw new IdentityError(`cannot write ${file}: ${explain(err)}; set agent.id or agent.data_dir`)
  } finally {
    await unlink(tmp).catch(() => {})
  }
}

/** Resolves the agent id, creating the data directory and the id file when needed. */
export async function resolveIdentity(config: AgentConfig, context: DataDirContext = {}): Promise<Identity> {
  const dataDir = resolveDataDir(config, context)
  if (config.agent.id) return { agentId: config.agent.id, dataDir, source: 'config' }
  await ensureDataDir(dataDir)
  const file = join(dataDir, AGENT_ID_FILE)
  const stored = await readId(file)
  if (stored.id) return { agentId: stored.id, dataDir, source: 'file' }
  const agentId = await persistId(file, randomUUID(), stored.exists)
  return { agentId, dataDir, source: 'generated' }
}
