/**
 * The last line of defence for secrets: whatever a log call was given, a configured
 * secret value is replaced by `***` in the bytes written.
 */
export class SecretGuard {
  #needles: string[] = []

  constructor(secrets: readonly string[] = []) {
    this.set(secrets)
  }

  /** Replaces the guarded values (e.g. after a config reload). */
  set(secrets: readonly string[]): void {
    const needles = new Set<string>()
    for (const secret of secrets) {
      if (!secret) continue
      needles.add(secret)
      // As it appears inside a JSON string (quotes, backslashes, control characters escaped).
      needles.add(JSON.stringify(secret).slice(1, -1))
    }
    // Longest first, so a secret containing another is replaced whole.
    this.#needles = [...needles].sort((a, b) => b.length - a.length)
  }

  scrub(text: string): string {
    let out = text
    for (const needle of this.#needles) if (out.includes(needle)) out = out.split(needle).join('***')
    return out
  }
}
