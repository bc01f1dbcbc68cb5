/** Maps a key path in the parsed YAML back to the line it was written on. */
import { isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml'

export type KeyPath = Array<string | number>

/** Dotted spelling of a key path: `collectors.process.include[2]`. */
export function keyPathText(path: KeyPath): string {
  let out = ''
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : out ? `.${seg}` : seg
  return out
}

/**
 * The line of the deepest node of `path` present in the document: the key's own
 * line for a mapping entry, so an unknown or mistyped key points where it is written.
 */
export function lineOf(doc: Document, counter: LineCounter, path: KeyPath): number | undefined {
  let node: unknown = doc.contents
  let offset: number | undefined = rangeStart(node)
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg))
      if (!pair) break
      offset = rangeStart(pair.key) ?? offset
      node = pair.value
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg]
      if (item === undefined) break
      offset = rangeStart(item) ?? offset
      node = item
    } else {
      break
    }
  }
  return offset === undefined ? undefined : counter.linePos(offset).line
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as Node | null | undefined)?.range
  return range ? range[0] : undefined
}
