/**
 * The one secret scrubber. Everything that can carry a secret out of the process (log lines,
 * the start line, heartbeat and export errors, `/health`, `config show`, configuration
 * errors) goes through `SecretScrubber.scrub` or `maskUrl`. It masks, with `***`:
 *   - every configured secret value, also as it appears inside a JSON string and URL-encoded;
 *   - the password of any `scheme://user:password@host` in the text;
 *   - the value of any query parameter whose name looks like a credential (`?token=…`).
 */

export const REDACTED = '***'

/**
 * Names (headers, keys, query parameters) whose values are credentials: `authorization`,
 * `x-custom-auth`, `*-token`, `*-key*`, `*secret*`, passwords, cookies, sessions, signatures.
 */
const SECRET_NAME =
  /secret|token|passw(?:or)?d|pwd|auth|api[-_]?key|apikey|(?:^|[-_.])key(?:[-_.]|$)|cookie|credential|session|signature|^sig$/i

/** True for a header, key or query parameter name that carries a credential. */
export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name)
}

/** `scheme://user:password@` — the password group ends at the first `@`, `/`, space or quote. */
const URL_PASSWORD = /([a-z][a-z0-9+.-]*:\/\/[^\s:/@?#"'\\]*):([^\s@/?#"'\\]+)@/gi
/**
 * `?name=value` / `&name=value`: masked when the name looks like a credential. The value does
 * not end in punctuation, so the `:` of `…?token=x: HTTP 500` stays.
 */
const QUERY_PARAM = /([?&;])([^\s=&#"'\\?]+)=((?:[^\s&#"'\\]*[^\s&#"'\\:,.;)\]])?)/g

/** Masks URL passwords and credential-looking query parameters wherever they appear in `text`. */
function maskPatterns(text: string): string {
  return text
    .replace(URL_PASSWORD, `$1:${REDACTED}@`)
    .replace(QUERY_PARAM, (whole, sep: string, name: string, value: string) =>
      value && value !== REDACTED && isSecretName(safeDecode(name)) ? `${sep}${name}=${REDACTED}` : whole,
    )
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}

/**
 * A URL (or `host:port`) fit to print: the password and credential-looking query values
 * masked, everything else as written.
 */
export function maskUrl(url: string | URL): string {
  return maskPatterns(String(url))
}

/** The values of credential-looking query parameters and the password of a URL, for `SecretScrubber`. */
export function urlSecrets(text: string): string[] {
  const out: string[] = []
  let url: URL
  try {
    url = new URL(text)
  } catch {
    return out
  }
  if (url.password) out.push(url.password, safeDecode(url.password))
  for (const [name, value] of url.searchParams) if (value && isSecretName(name)) out.push(value)
  return out
}

export class SecretScrubber {
  #needles: string[] = []

  constructor(secrets: readonly string[] = []) {
    this.set(secrets)
  }

  /** Replaces the secret values (e.g. after a config reload). */
  set(secrets: readonly string[]): void {
    const needles = new Set<string>()
    for (const secret of secrets) {
      if (!secret) continue
      needles.add(secret)
      // As it appears inside a JSON string (quotes, backslashes, control characters escaped),
      // and inside a URL.
      needles.add(JSON.stringify(secret).slice(1, -1))
      needles.add(encodeURIComponent(secret))
    }
    // Longest first, so a secret containing another is replaced whole.
    this.#needles = [...needles].sort((a, b) => b.length - a.length)
  }

  /** The text with every secret value and credential-looking URL part replaced by `***`. */
  scrub(text: string): string {
    let out = text
    for (const needle of this.#needles) if (out.includes(needle)) out = out.split(needle).join(REDACTED)
    return maskPatterns(out)
  }
}

/** `scrub` with a one-off scrubber, for an error that is about to leave (to /health, the heartbeat). */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  return new SecretScrubber(secrets).scrub(text)
}
