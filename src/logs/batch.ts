/**
 * Records on their way to the buffer: the include/exclude filter and the batch that collects
 * what passes it, each record with the file offset just past it (so a batch cut short is
 * pushed with the cursor of its last record).
 */

/** Keeps records matching one of `include` (all when empty) and none of `exclude`. */
export class RecordFilter {
  private readonly include: RegExp[]
  private readonly exclude: RegExp[]

  constructor(include: readonly string[] = [], exclude: readonly string[] = []) {
    this.include = include.map((p) => new RegExp(p))
    this.exclude = exclude.map((p) => new RegExp(p))
  }

  keeps(text: string): boolean {
    if (this.include.length && !this.include.some((re) => re.test(text))) return false
    return !this.exclude.some((re) => re.test(text))
  }

  /** An empty batch that keeps what this filter keeps. */
  batch(): Batch {
    return new Batch(this)
  }
}

export class Batch {
  readonly texts: string[] = []
  private readonly ends: number[] = []
  /** UTF-16 length of the texts held (close enough to their size for a cap). */
  private chars = 0

  constructor(private readonly filter: RecordFilter) {}

  get size(): number {
    return this.texts.length
  }

  /** Whether it holds `maxRecords` records or `maxChars` of text. */
  full(maxRecords: number, maxChars: number): boolean {
    return this.texts.length >= maxRecords || this.chars >= maxChars
  }

  /** Adds a record ending at file offset `end`, unless the filter drops it. */
  add(text: string, end: number): void {
    if (!this.filter.keeps(text)) return
    this.texts.push(text)
    this.ends.push(end)
    this.chars += text.length
  }

  /** Removes the first `max` records: their texts and the offset just past the last of them. */
  take(max: number): { texts: string[]; end: number } {
    const n = Math.min(max, this.texts.length)
    const texts = this.texts.splice(0, n)
    const end = this.ends.splice(0, n)[n - 1]
    for (const t of texts) this.chars -= t.length
    return { texts, end }
  }
}
