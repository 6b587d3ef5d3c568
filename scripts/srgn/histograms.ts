/** Weighted histograms for the reweighting closures (seed 004 fig. 3, 4, 6), and their χ². */

export interface WeightedHistogram {
  /** Σ w per bin */
  values: number[];
  /** Σ w² per bin: the variance of each bin's content */
  squares: number[];
}

/** x into equal bins between the first and last of `edges`; events outside are dropped. */
export function weightedHistogram(x: Float64Array, w: Float64Array | null, edges: readonly number[]): WeightedHistogram {
  const values = new Array<number>(edges.length - 1).fill(0);
  const squares = new Array<number>(edges.length - 1).fill(0);
  const width = (edges.at(-1)! - edges[0]) / (edges.length - 1);
  for (let i = 0; i < x.length; i++) {
    const b = Math.floor((x[i] - edges[0]) / width);
    if (b < 0 || b >= values.length) continue;
    const weight = w ? w[i] : 1;
    values[b] += weight;
    squares[b] += weight * weight;
  }
  return { values, squares };
}

/** Σ (a − b)² / (σ_a² + σ_b²) over the bins where either has an entry, and how many those are. */
export function histogramChi2(a: WeightedHistogram, b: WeightedHistogram): { chi2: number; bins: number } {
  let chi2 = 0;
  let bins = 0;
  for (let k = 0; k < a.values.length; k++) {
    const variance = a.squares[k] + b.squares[k];
    if (variance <= 0) continue;
    chi2 += (a.values[k] - b.values[k]) ** 2 / variance;
    bins++;
  }
  return { chi2, bins };
}
