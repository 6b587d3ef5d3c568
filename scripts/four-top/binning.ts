/**
 * Categories and optimal binning of seed 000 (figs. 3 and 6).
 *
 * Categories: the background-rejection network's (p_tttt, p_ttH) plane cut in 0.1-wide bins;
 * p_tttt + p_ttH ≤ 1 leaves the triangle i + j ≤ 9 of 55 cells (i = ⌊10 p_tttt⌋, j = ⌊10 p_ttH⌋).
 *
 * Binning: inside a category, the parameter network's output is first cut into fine bins
 * (weighted quantiles of all events), then adjacent fine bins are merged by dynamic
 * programming into the partition that maximises an additive sensitivity Σ_b g(b), subject to
 * an expected background of at least `minBackground` per bin (so that no bin's statistical
 * uncertainty explodes); a category whose whole background is below it is one bin.
 */

/** 55 categories: index of cell (i, j) with i + j ≤ 9, row by row. */
export const CATEGORY_COUNT = 55;

export function categoryCell(index: number): { i: number; j: number } {
  let k = index;
  for (let i = 0; i < 10; i++) {
    const row = 10 - i;
    if (k < row) return { i, j: k };
    k -= row;
  }
  throw new RangeError(`no category ${index}`);
}

/** The category of an event from its softmax outputs (p_tttt, p_ttH). */
export function categoryOf(pTttt: number, pTtH: number): number {
  const i = Math.min(9, Math.floor(10 * pTttt));
  let j = Math.min(9, Math.floor(10 * pTtH));
  if (i + j > 9) j = 9 - i; // p_tttt + p_ttH ≤ 1 up to rounding
  let index = 0;
  for (let r = 0; r < i; r++) index += 10 - r;
  return index + j;
}

/** Fine-bin edges: weighted quantiles of `values` (ascending, first −∞ … last +∞ implied). */
export function quantileEdges(values: ArrayLike<number>, weights: ArrayLike<number>, bins: number): number[] {
  const order = Array.from({ length: values.length }, (_, i) => i).sort((a, b) => values[a] - values[b]);
  let total = 0;
  for (const i of order) total += weights[i];
  const edges: number[] = [];
  let running = 0;
  let next = 1;
  for (const i of order) {
    running += weights[i];
    while (next < bins && running >= (total * next) / bins) {
      const edge = values[i];
      if (!edges.length || edge > edges[edges.length - 1]) edges.push(edge);
      next++;
    }
  }
  return edges; // interior edges: bin k is (edges[k−1], edges[k]]
}

export function binOf(value: number, edges: readonly number[]): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (value <= edges[mid]) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * The optimal merge of F fine bins into at most `maxGroups` contiguous groups: maximise
 * Σ gain(group) with background(group) ≥ minBackground for every group (one group when
 * impossible). `gain(a, b)` and `background(a, b)` describe fine bins a..b−1. Returns the group
 * boundaries in fine-bin indices ([0, …, F]).
 */
export function optimalMerge(F: number, gain: (a: number, b: number) => number, background: (a: number, b: number) => number, minBackground: number, maxGroups = F): number[] {
  // best[g][b]: the best partition of fine bins 0..b−1 into exactly g groups
  const G = Math.max(1, Math.min(maxGroups, F));
  const best = Array.from({ length: G + 1 }, () => new Float64Array(F + 1).fill(-Infinity));
  const from = Array.from({ length: G + 1 }, () => new Int32Array(F + 1).fill(-1));
  best[0][0] = 0;
  for (let g = 1; g <= G; g++) {
    for (let b = 1; b <= F; b++) {
      for (let a = g - 1; a < b; a++) {
        if (best[g - 1][a] === -Infinity || background(a, b) < minBackground) continue;
        const value = best[g - 1][a] + gain(a, b);
        if (value > best[g][b]) {
          best[g][b] = value;
          from[g][b] = a;
        }
      }
    }
  }
  let bestG = -1;
  for (let g = 1; g <= G; g++) if (best[g][F] > -Infinity && (bestG < 0 || best[g][F] > best[bestG][F])) bestG = g;
  if (bestG < 0) return [0, F];
  const bounds = [F];
  for (let g = bestG, b = F; g > 0; b = from[g][b], g--) bounds.push(from[g][b]);
  return bounds.reverse();
}
