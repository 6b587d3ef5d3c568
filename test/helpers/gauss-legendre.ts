/** Gauss–Legendre nodes and weights on [a, b] (Newton's method on P_n from Tricomi's starting points): exact for polynomials of degree ≤ 2n − 1. */
export function gaussLegendre(n: number, a = -1, b = 1): { x: number[]; w: number[] } {
  const x: number[] = [];
  const w: number[] = [];
  for (let i = 1; i <= n; i++) {
    let z = Math.cos((Math.PI * (i - 0.25)) / (n + 0.5));
    let dp = 0;
    for (let it = 0; it < 100; it++) {
      let p0 = 1;
      let p1 = z;
      for (let k = 2; k <= n; k++) [p0, p1] = [p1, ((2 * k - 1) * z * p1 - (k - 1) * p0) / k];
      dp = (n * (z * p1 - p0)) / (z * z - 1);
      const dz = p1 / dp;
      z -= dz;
      if (Math.abs(dz) < 1e-15) break;
    }
    x.push(((b - a) / 2) * z + (a + b) / 2);
    w.push((b - a) / ((1 - z * z) * dp * dp));
  }
  return { x, w };
}
