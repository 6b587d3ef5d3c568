/**
 * The EEEC surrogate's projections (issue 19 item 2) by Monte Carlo inside each window, checked
 * on a surrogate whose density is known: e^f constant in u = ln ζ, normalised over D.
 */
import { describe, expect, it } from 'vitest';
import { parseFrozenNetwork } from '../../models/network/frozen-network.js';
import { createRandom } from '../../models/random.js';
import { domainVolume, projectSurrogate, type Surrogate } from '../../scripts/eeec/surrogate.js';

const domain: [number, number] = [0.005, 0.06];
// f = −ln V_u: the density 1/V_u in u, 1/(V_u ζ1ζ2ζ3) in ζ
const flat: Surrogate = {
  network: parseFrozenNetwork({
    format: 'frozen-mlp/1',
    inputs: 4,
    outputs: 1,
    inputScaling: { mean: new Float32Array(4), std: Float32Array.of(1, 1, 1, 1) },
    head: { kind: 'identity' },
    members: [{ layers: [{ inputs: 4, outputs: 1, kernel: new Float32Array(4), bias: Float32Array.of(-Math.log(domainVolume(domain))), activation: 'linear' }] }],
  }),
  domain,
  triplets: 0,
  seconds: 0,
};
const edges = Array.from({ length: 23 }, (_, k) => 0.005 + 0.0025 * k);

/** The same window's integral by brute force: points uniform in D (in ζ), the window's conditions applied. */
function bruteForce(window: (z1: number, z2: number, z3: number) => boolean, points: number): number {
  const random = createRandom(5);
  const [a, b] = domain;
  let sum = 0;
  for (let k = 0; k < points; k++) {
    const [z1, z2, z3] = [a + (b - a) * random.uniform(), a + (b - a) * random.uniform(), a + (b - a) * random.uniform()].sort((x, y) => x - y);
    if (window(z1, z2, z3)) sum += 1 / (domainVolume(domain) * z1 * z2 * z3);
  }
  return (sum * (b - a) ** 3) / 6 / points;
}

describe('projections of the EEEC surrogate', () => {
  it('over all of D the projection onto ζ1 integrates a normalised surrogate to 1', () => {
    const h = projectSurrogate(flat, 175, { kind: 'zeta1' }, edges, 400_000, 1);
    expect(h.reduce((x, y) => x + y, 0)).toBeCloseTo(1, 1);
    // and the ζ1 distribution falls: most of ∫ du sits at small ζ1
    expect(h[0]).toBeGreaterThan(h[10]);
  });

  // within 5%: the brute force keeps a few thousand of its points in the thin equilateral window (it lands at 1.03);
  // a wrong window volume (a factor 2 for the sorted sides) would be off by 50% or more
  it('a thin window sampled inside itself agrees with brute force over D (the triangle and the equilateral window)', () => {
    const triangle = projectSurrogate(flat, 175, { kind: 'triangle', n1: 1, n2: Math.SQRT2, delta: 0.01 }, [0.005, 0.06], 200_000, 2)[0];
    const triangleBrute = bruteForce((z1, z2, z3) => z2 >= z1 && z2 <= z1 + 0.01 && z3 >= Math.SQRT2 * z1 && z3 <= Math.SQRT2 * z1 + 0.01, 2_000_000);
    expect(triangle / triangleBrute).toBeCloseTo(1, 1);
    const equilateral = projectSurrogate(flat, 175, { kind: 'equilateral', delta: 0.003 }, [0.005, 0.06], 200_000, 3)[0];
    const equilateralBrute = bruteForce((z1, _z2, z3) => z3 - z1 <= 0.003, 2_000_000);
    expect(equilateral / equilateralBrute).toBeCloseTo(1, 1);
  });
});
