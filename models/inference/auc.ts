/**
 * The area under the ROC curve of a score that separates a positive from a negative sample,
 * with per-event weights: AUC = P(s₊ > s₋) + ½ P(s₊ = s₋) over weighted pairs (the
 * Mann–Whitney statistic). Seed 004 eq. 5 fits θ' by minimising it: a classifier that cannot
 * tell the data from the simulation reweighted to θ' has AUC ½.
 *
 * One sort of both samples' scores, then a sweep that counts for each group of equal scores the
 * negative weight below it: O(n log n). weightedAuc([2, 3], null, [1, 2], null) = 0.875.
 */
export function weightedAuc(positive: ArrayLike<number>, positiveWeights: ArrayLike<number> | null, negative: ArrayLike<number>, negativeWeights: ArrayLike<number> | null): number {
  const np = positive.length;
  const nn = negative.length;
  if (np === 0 || nn === 0) throw new RangeError('the AUC needs events in both samples');
  if ((positiveWeights && positiveWeights.length !== np) || (negativeWeights && negativeWeights.length !== nn)) throw new RangeError('one weight per event');
  const n = np + nn;
  const score = new Float64Array(n);
  const weight = new Float64Array(n);
  const isPositive = new Uint8Array(n);
  let totalPositive = 0;
  let totalNegative = 0;
  for (let i = 0; i < np; i++) {
    score[i] = positive[i];
    weight[i] = positiveWeights ? positiveWeights[i] : 1;
    isPositive[i] = 1;
    totalPositive += weight[i];
  }
  for (let i = 0; i < nn; i++) {
    score[np + i] = negative[i];
    weight[np + i] = negativeWeights ? negativeWeights[i] : 1;
    totalNegative += weight[np + i];
  }
  for (let i = 0; i < n; i++) if (Number.isNaN(score[i]) || !(weight[i] >= 0)) throw new RangeError('scores must be numbers and weights non-negative');
  if (!(totalPositive > 0 && totalNegative > 0)) throw new RangeError('the AUC needs positive total weight in both samples');
  const order = Uint32Array.from({ length: n }, (_, i) => i).sort((a, b) => score[a] - score[b]);
  let negativeBelow = 0;
  let pairs = 0;
  for (let start = 0; start < n; ) {
    let end = start;
    let groupPositive = 0;
    let groupNegative = 0;
    while (end < n && score[order[end]] === score[order[start]]) {
      const i = order[end++];
      if (isPositive[i]) groupPositive += weight[i];
      else groupNegative += weight[i];
    }
    pairs += groupPositive * (negativeBelow + 0.5 * groupNegative);
    negativeBelow += groupNegative;
    start = end;
  }
  return pairs / (totalPositive * totalNegative);
}
