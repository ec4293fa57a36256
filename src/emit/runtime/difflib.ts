/**
 * Python's `difflib.SequenceMatcher` ratios and `get_close_matches` (CPython 3.11 Lib/difflib.py),
 * over strings: what Flask-RESTX's 404 help ("did you mean …") picks among the app's rules.
 */

interface Match {
  a: number
  b: number
  size: number
}

/** `SequenceMatcher(None, a, b)` (autojunk on, no junk function). */
class SequenceMatcher {
  private readonly b2j = new Map<string, number[]>()
  private readonly popular = new Set<string>()
  private fullBCount: Map<string, number> | null = null

  constructor(
    private readonly a: string,
    private readonly b: string,
  ) {
    const chars = [...b]
    chars.forEach((char, index) => {
      const indices = this.b2j.get(char)
      if (indices === undefined) this.b2j.set(char, [index])
      else indices.push(index)
    })
    const n = chars.length
    if (n >= 200) {
      const ntest = Math.floor(n / 100) + 1
      for (const [char, indices] of this.b2j) if (indices.length > ntest) this.popular.add(char)
      for (const char of this.popular) this.b2j.delete(char)
    }
  }

  private findLongestMatch(alo: number, ahi: number, blo: number, bhi: number): Match {
    const a = [...this.a]
    const b = [...this.b]
    let besti = alo
    let bestj = blo
    let bestsize = 0
    let j2len = new Map<number, number>()
    for (let i = alo; i < ahi; i++) {
      const newj2len = new Map<number, number>()
      for (const j of this.b2j.get(a[i]!) ?? []) {
        if (j < blo) continue
        if (j >= bhi) break
        const k = (j2len.get(j - 1) ?? 0) + 1
        newj2len.set(j, k)
        if (k > bestsize) {
          besti = i - k + 1
          bestj = j - k + 1
          bestsize = k
        }
      }
      j2len = newj2len
    }
    // No junk function: only the popular elements extend a match (isbjunk is always false).
    while (
      besti > alo &&
      bestj > blo &&
      !this.popular.has(b[bestj - 1]!) &&
      a[besti - 1] === b[bestj - 1]
    ) {
      besti -= 1
      bestj -= 1
      bestsize += 1
    }
    while (
      besti + bestsize < ahi &&
      bestj + bestsize < bhi &&
      !this.popular.has(b[bestj + bestsize]!) &&
      a[besti + bestsize] === b[bestj + bestsize]
    )
      bestsize += 1
    while (
      besti > alo &&
      bestj > blo &&
      this.popular.has(b[bestj - 1]!) &&
      a[besti - 1] === b[bestj - 1]
    ) {
      besti -= 1
      bestj -= 1
      bestsize += 1
    }
    while (
      besti + bestsize < ahi &&
      bestj + bestsize < bhi &&
      this.popular.has(b[bestj + bestsize]!) &&
      a[besti + bestsize] === b[bestj + bestsize]
    )
      bestsize += 1
    return { a: besti, b: bestj, size: bestsize }
  }

  private matchingBlocks(): Match[] {
    const la = [...this.a].length
    const lb = [...this.b].length
    const queue: [number, number, number, number][] = [[0, la, 0, lb]]
    const blocks: Match[] = []
    while (queue.length > 0) {
      const [alo, ahi, blo, bhi] = queue.pop()!
      const x = this.findLongestMatch(alo, ahi, blo, bhi)
      if (x.size > 0) {
        blocks.push(x)
        if (alo < x.a && blo < x.b) queue.push([alo, x.a, blo, x.b])
        if (x.a + x.size < ahi && x.b + x.size < bhi)
          queue.push([x.a + x.size, ahi, x.b + x.size, bhi])
      }
    }
    return blocks
  }

  ratio(): number {
    const matches = this.matchingBlocks().reduce((sum, block) => sum + block.size, 0)
    return calculateRatio(matches, [...this.a].length + [...this.b].length)
  }

  quickRatio(): number {
    if (this.fullBCount === null) {
      this.fullBCount = new Map()
      for (const char of this.b) this.fullBCount.set(char, (this.fullBCount.get(char) ?? 0) + 1)
    }
    const avail = new Map<string, number>()
    let matches = 0
    for (const char of this.a) {
      const numb = avail.has(char) ? avail.get(char)! : (this.fullBCount.get(char) ?? 0)
      avail.set(char, numb - 1)
      if (numb > 0) matches += 1
    }
    return calculateRatio(matches, [...this.a].length + [...this.b].length)
  }

  realQuickRatio(): number {
    const la = [...this.a].length
    const lb = [...this.b].length
    return calculateRatio(Math.min(la, lb), la + lb)
  }
}

function calculateRatio(matches: number, length: number): number {
  return length > 0 ? (2.0 * matches) / length : 1.0
}

/** `difflib.get_close_matches(word, possibilities, n=3, cutoff=0.6)`: best first, ties by the larger string. */
export function getCloseMatches(
  word: string,
  possibilities: Iterable<string>,
  n = 3,
  cutoff = 0.6,
): string[] {
  const result: [number, string][] = []
  for (const x of possibilities) {
    const s = new SequenceMatcher(x, word)
    if (s.realQuickRatio() >= cutoff && s.quickRatio() >= cutoff && s.ratio() >= cutoff)
      result.push([s.ratio(), x])
  }
  // heapq.nlargest(n, result): by score, then by the string (tuples compare element-wise).
  result.sort((p, q) => (p[0] !== q[0] ? q[0] - p[0] : p[1] < q[1] ? 1 : p[1] > q[1] ? -1 : 0))
  return result.slice(0, n).map(([, x]) => x)
}
