/**
 * Repulsive ensembles (seed 003 app. A): a learned likelihood carries K members besides its
 * estimate, and the members' spread is reported with every number, never hidden.
 */

/**
 * The members' standard deviation (population form, over the K members) of a quantity, from
 * its value per member; ensembleSpread([1, 3]) = 1.
 */
export function ensembleSpread(values: ArrayLike<number>): number {
  const K = values.length;
  let sum = 0;
  let sum2 = 0;
  for (let k = 0; k < K; k++) {
    sum += values[k];
    sum2 += values[k] * values[k];
  }
  const mean = sum / K;
  return Math.sqrt(Math.max(0, sum2 / K - mean * mean));
}
