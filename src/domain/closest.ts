/**
 * "Did you mean …": the candidate a mistyped word most likely meant, for a setup file's keys and
 * values and a sheet's township names.
 */

/**
 * The candidate `word` most likely meant: with `containing`, one that contains it or is contained
 * in it (乡镇 names typed short or long), if only one does; else the nearest by edit distance,
 * ignoring ASCII case — one edit away for words of up to four characters, two for longer ones.
 */
export function closest(word: string, candidates: readonly string[], options: { containing?: boolean } = {}): string | undefined {
  if (options.containing === true) {
    const containing = candidates.filter((c) => c.includes(word) || word.includes(c));
    if (containing.length === 1) return containing[0];
  }
  const w = word.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = editDistance(w, candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return bestDistance <= (Array.from(w).length <= 4 ? 1 : 2) ? best : undefined;
}

/** Levenshtein distance in characters (code points, so a CJK character or an emoji is one). */
export function editDistance(a: string, b: string): number {
  const x = Array.from(a);
  const y = Array.from(b);
  let previous = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= y.length; j += 1) {
      const substitution = (previous[j - 1] ?? 0) + (x[i - 1] === y[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[y.length] ?? 0;
}
