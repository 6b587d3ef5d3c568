import { describe, expect, it } from 'vitest';
import { basisSize, evaluateMonomials, monomialBasis, polynomialValue } from '../../../models/basis/monomial-basis.js';
import { axisBenchmarks } from '../../../models/basis/morphing.js';
import { checkPolynomialPositivity, sumOfSquaresLayout } from '../../../models/basis/sum-of-squares.js';
import { denseKernelBytes } from '../../../models/network/dense-simd.js';
import {
  ACTIVATIONS,
  FrozenNetworkSchema,
  InvalidFrozenNetworkError,
  evaluateEnsemble,
  evaluateNetwork,
  networkBackend,
  parseFrozenNetwork,
  setNetworkBackend,
  type Activation,
  type FrozenNetwork,
  type NetworkHead,
} from '../../../models/network/frozen-network.js';
import { createRandom, type Random } from '../../../models/random.js';
import { randomArray, randomNetwork } from '../../helpers/random-network.js';

// ---------------------------------------------------------------------------------------
// An independent reference: event by event, plain nested loops over the row-major
// [inputs, outputs] kernel, float64, activations written from their definitions.

/** erf by its Taylor series (|x| ≤ 3) or the Laplace continued fraction of erfc (|x| > 3). */
function referenceErfc(x: number): number {
  if (Math.abs(x) <= 3) {
    let term = x;
    let sum = x;
    for (let n = 1; n < 200; n++) {
      term *= (-x * x) / n;
      sum += term / (2 * n + 1);
      if (Math.abs(term) < 1e-18) break;
    }
    return 1 - (2 / Math.sqrt(Math.PI)) * sum;
  }
  if (x < 0) return 2 - referenceErfc(-x);
  // erfc(x) = e^{−x²}/√π · 1/(x + 1/2/(x + 1/(x + 3/2/(x + …))))
  let f = x;
  for (let k = 60; k >= 1; k--) f = x + k / 2 / f;
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
}

function referenceActivation(a: Activation, x: number, alpha = 0.2): number {
  switch (a) {
    case 'linear':
      return x;
    case 'relu':
      return Math.max(0, x);
    case 'leaky-relu':
      return x >= 0 ? x : alpha * x;
    case 'elu':
      return x >= 0 ? x : Math.exp(x) - 1;
    case 'selu':
      return 1.0507009873554805 * (x >= 0 ? x : 1.6732632423543772 * (Math.exp(x) - 1));
    case 'tanh':
      return Math.tanh(x);
    case 'sigmoid':
      return 1 / (1 + Math.exp(-x));
    case 'softplus':
      return Math.log(1 + Math.exp(x));
    case 'swish':
      return x / (1 + Math.exp(-x));
    case 'gelu':
      return 0.5 * x * referenceErfc(-x / Math.SQRT2);
    case 'gelu_new':
      return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));
  }
}

function referenceNetwork(net: FrozenNetwork, member: number, x: ArrayLike<number>, n: number): number[][] {
  const rows: number[][] = [];
  for (let e = 0; e < n; e++) {
    let h: number[] = [];
    for (let i = 0; i < net.inputs; i++) h.push((x[e * net.inputs + i] - net.inputScaling.mean[i]) / net.inputScaling.std[i]);
    for (const layer of net.members[member].layers) {
      const y: number[] = [];
      for (let j = 0; j < layer.outputs; j++) {
        let s = layer.bias[j];
        for (let i = 0; i < layer.inputs; i++) s += h[i] * layer.kernel[i * layer.outputs + j];
        y.push(referenceActivation(layer.activation, s, layer.alpha));
      }
      h = y;
    }
    if (net.outputScaling) h = h.map((v, j) => v * net.outputScaling!.std[j] + net.outputScaling!.mean[j]);
    rows.push(referenceHead(net.head, h));
  }
  return rows;
}

function referenceHead(head: NetworkHead, y: number[]): number[] {
  switch (head.kind) {
    case 'identity':
      return y;
    case 'sigmoid':
      return y.map((v) => 1 / (1 + Math.exp(-v)));
    case 'softmax': {
      const z = y.map((v) => Math.exp(v));
      const s = z.reduce((a, b) => a + b, 0);
      return z.map((v) => v / s);
    }
    case 'sum-of-squares': {
      // c_γ = Σ_{a,b: e_a + e_b = γ} (LLᵀ)_ab, by brute force over all (a, b)
      const P = head.parameters;
      const half = monomialBasis(P, head.degree / 2);
      const full = monomialBasis(P, head.degree);
      const V = half.size;
      const L: number[][] = Array.from({ length: V }, () => new Array<number>(V).fill(0));
      // the documented packing: row-major lower triangle, L_00 = 1 (not read) with fixReference
      let k = 0;
      for (let a = 0; a < V; a++) for (let b = 0; b <= a; b++) L[a][b] = head.fixReference && a === 0 ? 1 : y[k++];
      expect(k).toBe(y.length);
      const c = new Array<number>(full.size).fill(0);
      for (let a = 0; a < V; a++) {
        for (let b = 0; b < V; b++) {
          let A = 0;
          for (let q = 0; q < V; q++) A += L[a][q] * L[b][q];
          const e = Array.from({ length: P }, (_, i) => half.exponents[a * P + i] + half.exponents[b * P + i]);
          let target = -1;
          for (let g = 0; g < full.size && target < 0; g++) if (e.every((v, i) => full.exponents[g * P + i] === v)) target = g;
          c[target] += A;
        }
      }
      return c;
    }
    case 'morphing':
      return referenceMorphingHead(head, y);
  }
}

/**
 * ĉ = W⁻¹ diag(σ_i/σ0) r̂ by Gaussian elimination on nested arrays, W_ia = Π_j Δθ_ij^{e_aj}
 * from the exponents, then R̂ ≥ 0 in closed form: for P = 1, c₂ ≥ c₁²/(4c₀); for P = 2 the
 * 2 × 2 Schur complement's eigenvalues clipped at 0 (c₀ and the linear terms kept).
 */
function referenceMorphingHead(head: Extract<NetworkHead, { kind: 'morphing' }>, y: number[]): number[] {
  const P = head.parameters;
  const basis = monomialBasis(P, 2);
  const C = basis.size;
  const rows = head.benchmarks.map((b, i) => {
    const w = Array.from({ length: C }, (_, a) => b.reduce((prod, v, j) => prod * v ** basis.exponents[a * P + j], 1));
    return [...w, head.crossSectionRatios[i] * (i === 0 ? 1 : Math.exp(y[i - 1]))];
  });
  for (let col = 0; col < C; col++) {
    let pivot = col;
    for (let r = col + 1; r < C; r++) if (Math.abs(rows[r][col]) > Math.abs(rows[pivot][col])) pivot = r;
    [rows[col], rows[pivot]] = [rows[pivot], rows[col]];
    for (let r = 0; r < C; r++) {
      if (r === col) continue;
      const f = rows[r][col] / rows[col][col];
      for (let k = col; k <= C; k++) rows[r][k] -= f * rows[col][k];
    }
  }
  const c = rows.map((row, a) => row[C] / row[a]);
  if (P === 1) c[2] = Math.max(c[2], (c[1] * c[1]) / (4 * c[0]));
  else if (P === 2) {
    // S = [[c3 − c1²/4c0, c4/2 − c1c2/4c0], [·, c5 − c2²/4c0]]
    const [c0, c1, c2] = c;
    const s11 = c[3] - (c1 * c1) / (4 * c0);
    const s12 = c[4] / 2 - (c1 * c2) / (4 * c0);
    const s22 = c[5] - (c2 * c2) / (4 * c0);
    const mid = (s11 + s22) / 2;
    const rad = Math.hypot((s11 - s22) / 2, s12);
    const eig = [mid - rad, mid + rad];
    if (eig[0] < 0) {
      // add −λ v vᵀ for each negative eigenvalue λ (v its unit eigenvector)
      for (const lambda of eig.filter((l) => l < 0)) {
        const v = Math.abs(s12) > 0 ? [s12, lambda - s11] : s11 <= s22 ? (lambda === s11 ? [1, 0] : [0, 1]) : lambda === s22 ? [0, 1] : [1, 0];
        const norm = Math.hypot(v[0], v[1]);
        const [v1, v2] = [v[0] / norm, v[1] / norm];
        c[3] -= lambda * v1 * v1;
        c[4] -= 2 * lambda * v1 * v2;
        c[5] -= lambda * v2 * v2;
      }
    }
  } else throw new Error('the reference morphing head covers P ≤ 2');
  return c;
}

// ---------------------------------------------------------------------------------------

function maxError(got: ArrayLike<number>, expected: number[][], H: number): number {
  let worst = 0;
  expected.forEach((row, e) =>
    row.forEach((v, j) => {
      const d = Math.abs(got[e * H + j] - v) / (1 + Math.abs(v));
      if (!(d <= worst)) worst = d; // NaN propagates as a failure
    }),
  );
  return worst;
}

const simd = networkBackend() === 'wasm-simd';
const backends = simd ? (['wasm-simd', 'typescript'] as const) : (['typescript'] as const);

function withBackend<T>(backend: 'wasm-simd' | 'typescript', f: () => T): T {
  setNetworkBackend(backend);
  try {
    return f();
  } finally {
    setNetworkBackend('auto');
  }
}

describe('frozen-network runtime against a naive float64 reference', () => {
  const random = createRandom(2024);
  const sizes = [0, 1, 3, 17, 129, 300]; // across block boundaries (128) and SIMD groups (8, 16)

  for (const activation of ACTIVATIONS) {
    it(`evaluates a ${activation} network (identity head, output scaling)`, () => {
      const net = randomNetwork(random, { inputs: 5, hidden: [9, 7], raw: 3, head: { kind: 'identity' }, activations: [activation, activation, 'linear'], outputScaling: true, alpha: 0.1 });
      const x = randomArray(random, 300 * 5, 2);
      for (const backend of backends) {
        for (const n of sizes) {
          const expected = referenceNetwork(net, 0, x, n);
          const got = withBackend(backend, () => evaluateNetwork(net, 0, x, n));
          expect(got.length).toBe(n * 3);
          expect(maxError(got, expected, 3)).toBeLessThan(1e-12);
          const got32 = withBackend(backend, () => evaluateNetwork(net, 0, x, n, undefined, { precision: 'float32' }));
          expect(maxError(got32, expected, 3)).toBeLessThan(2e-5);
        }
      }
    });
  }

  it('uses the leaky-relu default slope 0.2 when alpha is absent', () => {
    const net = randomNetwork(random, { inputs: 3, hidden: [6], raw: 2, head: { kind: 'identity' }, activations: ['leaky-relu', 'linear'] });
    expect(net.members[0].layers[0].alpha).toBeUndefined();
    const x = randomArray(random, 40 * 3, 2);
    expect(maxError(evaluateNetwork(net, 0, x, 40), referenceNetwork(net, 0, x, 40), 2)).toBeLessThan(1e-12);
  });

  const heads: { head: NetworkHead; raw: number; outputs: number }[] = [
    { head: { kind: 'sigmoid' }, raw: 2, outputs: 2 },
    { head: { kind: 'softmax' }, raw: 4, outputs: 4 },
    { head: { kind: 'sum-of-squares', parameters: 2, degree: 2, fixReference: true }, raw: 5, outputs: 6 },
    { head: { kind: 'sum-of-squares', parameters: 3, degree: 2, fixReference: false }, raw: 10, outputs: 10 },
    { head: { kind: 'sum-of-squares', parameters: 2, degree: 4, fixReference: true }, raw: 20, outputs: 15 },
    { head: { kind: 'morphing', parameters: 1, degree: 2, benchmarks: [[0], [-1], [1]], crossSectionRatios: [1, 2, 2] }, raw: 2, outputs: 3 },
    { head: { kind: 'morphing', parameters: 2, degree: 2, benchmarks: axisBenchmarks(2, [0.5, 2]), crossSectionRatios: [1, 1.3, 0.8, 2.5, 4, 3] }, raw: 5, outputs: 6 },
  ];
  for (const { head, raw, outputs } of heads) {
    it(`evaluates a ${head.kind} head (${JSON.stringify(head)})`, () => {
      const net = randomNetwork(random, { inputs: 4, hidden: [16, 16], raw, outputs, head, activations: ['tanh', 'relu', 'linear'], outputScaling: head.kind !== 'softmax' });
      const x = randomArray(random, 150 * 4, 1.5);
      for (const backend of backends) {
        const expected = referenceNetwork(net, 0, x, 150);
        const got = withBackend(backend, () => evaluateNetwork(net, 0, x, 150));
        expect(maxError(got, expected, outputs)).toBeLessThan(1e-12);
      }
    });
  }

  it('gives a sum-of-squares head whose polynomials are non-negative and 1 at θ0 with fixReference', () => {
    const head = { kind: 'sum-of-squares', parameters: 2, degree: 2, fixReference: true } as const;
    const layout = sumOfSquaresLayout(2, 2, true);
    const net = randomNetwork(random, { inputs: 3, hidden: [8], raw: layout.rawSize, outputs: layout.size, head, activations: ['relu', 'linear'] });
    const n = 64;
    const c = evaluateNetwork(net, 0, randomArray(random, n * 3, 1), n);
    const basis = monomialBasis(2, 2);
    for (let e = 0; e < n; e++) {
      expect(c[e * basis.size]).toBe(1);
      for (let t = 0; t < 10; t++) {
        const m = evaluateMonomials(basis, [3 * random.normal(), 3 * random.normal()]);
        expect(polynomialValue(c, m, e * basis.size)).toBeGreaterThanOrEqual(0);
      }
    }
  });

  it('gives a morphing head whose polynomials are non-negative, exactly 1 at θ0 and equal to r̂_i σ_i/σ0 at the benchmarks where no projection was needed', () => {
    const head: Extract<NetworkHead, { kind: 'morphing' }> = { kind: 'morphing', parameters: 2, degree: 2, benchmarks: axisBenchmarks(2, 1), crossSectionRatios: [1, 1.5, 1.5, 2, 2, 3] };
    const net = randomNetwork(random, { inputs: 3, hidden: [8], raw: 5, outputs: 6, head, activations: ['tanh', 'linear'], members: 2 });
    const n = 200;
    const x = randomArray(random, n * 3, 1.5);
    const c = evaluateNetwork(net, 1, x, n);
    const raw = referenceNetwork({ ...net, head: { kind: 'identity' }, outputs: 5 }, 1, x, n);
    const basis = monomialBasis(2, 2);
    let projected = 0;
    for (let e = 0; e < n; e++) {
      expect(c[e * 6]).toBeCloseTo(1, 14);
      const positivity = checkPolynomialPositivity(c, basis, undefined, { offset: e * 6 });
      expect(positivity.nonNegative).toBe(true);
      const atBenchmarks = head.benchmarks.map((b) => polynomialValue(c, evaluateMonomials(basis, b), e * 6));
      const expected = head.benchmarks.map((_, i) => head.crossSectionRatios[i] * (i === 0 ? 1 : Math.exp(raw[e][i - 1])));
      const exact = atBenchmarks.every((v, i) => Math.abs(v - expected[i]) <= 1e-12 * (1 + expected[i]));
      if (!exact) projected++;
      // the projection only ever raises R̂: never below the learned value at a benchmark
      atBenchmarks.forEach((v, i) => expect(v).toBeGreaterThanOrEqual(expected[i] * (1 - 1e-12)));
    }
    // random networks give indefinite quadratics for some events and definite ones for others: both paths ran
    expect(projected).toBeGreaterThan(0);
    expect(projected).toBeLessThan(n);
  });
});

describe('frozen-network runtime details', () => {
  const random = createRandom(77);

  it('reads the kernel row-major [inputs, outputs] like tfjs', () => {
    const net = parseFrozenNetwork({
      format: 'frozen-mlp/1',
      inputs: 2,
      outputs: 3,
      inputScaling: { mean: new Float32Array([0, 1]), std: new Float32Array([1, 2]) },
      head: { kind: 'identity' },
      members: [{ layers: [{ inputs: 2, outputs: 3, kernel: new Float32Array([1, 2, 3, 4, 5, 6]), bias: new Float32Array([0.5, 0, -1]), activation: 'linear' }] }],
    });
    // x = (2, 5) → scaled (2, 2); y_j = b_j + 2·W[0][j] + 2·W[1][j]
    const y = evaluateNetwork(net, 0, new Float32Array([2, 5]), 1);
    expect(Array.from(y)).toEqual([0.5 + 2 * 1 + 2 * 4, 2 * 2 + 2 * 5, -1 + 2 * 3 + 2 * 6]);
  });

  it('writes Float32Array output and reuses the given array', () => {
    const net = randomNetwork(random, { inputs: 3, hidden: [10], raw: 2, head: { kind: 'identity' }, activations: ['relu', 'linear'] });
    const x = randomArray(random, 20 * 3, 1);
    const out = new Float32Array(40);
    expect(evaluateNetwork(net, 0, x, 20, out)).toBe(out);
    const ref = evaluateNetwork(net, 0, x, 20);
    for (let k = 0; k < 40; k++) expect(out[k]).toBe(Math.fround(ref[k]));
  });

  it('averages the members of an ensemble', () => {
    const net = randomNetwork(random, { inputs: 3, hidden: [12, 12], raw: 2, head: { kind: 'sigmoid' }, activations: ['elu', 'swish', 'linear'], members: 3 });
    const n = 50;
    const x = randomArray(random, n * 3, 1);
    const { members, mean } = evaluateEnsemble(net, x, n);
    expect(members.length).toBe(3);
    for (let m = 0; m < 3; m++) expect(maxError(members[m], referenceNetwork(net, m, x, n), 2)).toBeLessThan(1e-12);
    for (let k = 0; k < n * 2; k++) expect(mean[k]).toBeCloseTo((members[0][k] + members[1][k] + members[2][k]) / 3, 14);
    // the members differ
    expect(members[0][0]).not.toBe(members[1][0]);
  });

  it('computes stable activations at extreme inputs', () => {
    const activations: Activation[] = ['softplus', 'sigmoid', 'swish', 'gelu', 'gelu_new', 'elu', 'selu', 'tanh'];
    for (const activation of activations) {
      const net = parseFrozenNetwork({
        format: 'frozen-mlp/1',
        inputs: 1,
        outputs: 1,
        inputScaling: { mean: new Float32Array([0]), std: new Float32Array([1]) },
        head: { kind: 'identity' },
        members: [{ layers: [{ inputs: 1, outputs: 1, kernel: new Float32Array([1]), bias: new Float32Array([0]), activation }] }],
      });
      const xs = [-1000, -40, -5, -1e-3, 0, 1e-3, 1, 5, 40, 1000];
      const y = evaluateNetwork(net, 0, new Float64Array(xs), xs.length);
      xs.forEach((x, k) => {
        expect(Number.isFinite(y[k])).toBe(true);
        if (Math.abs(x) < 100) expect(Math.abs(y[k] - referenceActivation(activation, x))).toBeLessThanOrEqual(1e-13 * (1 + Math.abs(y[k])));
      });
    }
    // known values
    const one = (a: Activation, x: number) =>
      evaluateNetwork(
        parseFrozenNetwork({
          format: 'frozen-mlp/1',
          inputs: 1,
          outputs: 1,
          inputScaling: { mean: new Float32Array([0]), std: new Float32Array([1]) },
          head: { kind: 'identity' },
          members: [{ layers: [{ inputs: 1, outputs: 1, kernel: new Float32Array([1]), bias: new Float32Array([0]), activation: a }] }],
        }),
        0,
        new Float64Array([x]),
        1,
      )[0];
    expect(one('softplus', 1000)).toBe(1000);
    expect(one('softplus', -1000)).toBe(0);
    expect(one('gelu', 1)).toBeCloseTo(0.8413447460685429, 15);
    expect(one('gelu', -3)).toBeCloseTo(-3 * 0.0013498980316300933, 16);
    expect(one('selu', -1)).toBeCloseTo(1.7580993408473766 * (Math.exp(-1) - 1), 15);
    expect(one('selu', 2)).toBeCloseTo(2.101401974710961, 15);
  });

  it('stays correct when a wider network re-lays out the shared buffers', () => {
    const small = randomNetwork(random, { inputs: 4, hidden: [32], raw: 2, head: { kind: 'identity' }, activations: ['relu', 'linear'] });
    const wide = randomNetwork(random, { inputs: 4, hidden: [200, 90], raw: 3, head: { kind: 'identity' }, activations: ['relu', 'tanh', 'linear'] });
    const n = 140;
    const x = randomArray(random, n * 4, 1);
    for (const precision of ['float64', 'float32'] as const) {
      const tolerance = precision === 'float64' ? 1e-12 : 1e-4;
      for (const net of [small, wide, small, wide]) {
        const H = net.outputs;
        expect(maxError(evaluateNetwork(net, 0, x, n, undefined, { precision }), referenceNetwork(net, 0, x, n), H)).toBeLessThan(tolerance);
      }
    }
  });

  it('rejects bad arguments', () => {
    const net = randomNetwork(random, { inputs: 3, hidden: [4], raw: 1, head: { kind: 'identity' }, activations: ['relu', 'linear'] });
    expect(() => evaluateNetwork(net, 1, new Float32Array(3), 1)).toThrow(/member index/);
    expect(() => evaluateNetwork(net, 0, new Float32Array(5), 2)).toThrow(/inputs/);
    expect(() => evaluateNetwork(net, 0, new Float32Array(6), 2, new Float64Array(1))).toThrow(/output/);
  });

  it.runIf(simd)('gives bit-identical results with the SIMD and TypeScript backends', () => {
    expect(WebAssembly.validate(denseKernelBytes())).toBe(true);
    for (const precision of ['float64', 'float32'] as const) {
      // 64-wide layers and an odd width, several members (weights resident side by side)
      const net = randomNetwork(random, { inputs: 8, hidden: [64, 33, 64], raw: 1, head: { kind: 'identity' }, activations: ['relu', 'gelu', 'relu', 'linear'], members: 3 });
      const n = 1000;
      const x = randomArray(random, n * 8, 1);
      for (let m = 0; m < 3; m++) {
        const a = withBackend('wasm-simd', () => evaluateNetwork(net, m, x, n, undefined, { precision }));
        const b = withBackend('typescript', () => evaluateNetwork(net, m, x, n, undefined, { precision }));
        expect(a).toEqual(b);
      }
    }
  });
});

describe('frozen-network schema', () => {
  const random = createRandom(5);
  const good = () =>
    randomNetwork(random, {
      inputs: 3,
      hidden: [4],
      raw: 5,
      outputs: 6,
      head: { kind: 'sum-of-squares', parameters: 2, degree: 2, fixReference: true },
      activations: ['relu', 'linear'],
      outputScaling: true,
    });

  const issuesOf = (value: unknown) => {
    const r = FrozenNetworkSchema.safeParse(value);
    expect(r.success).toBe(false);
    return r.error!.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
  };

  it('accepts a well-formed network', () => {
    expect(FrozenNetworkSchema.safeParse(good()).success).toBe(true);
    expect(basisSize(2, 2)).toBe(6);
  });

  it('rejects a kernel of the wrong length, with its path', () => {
    const net = good();
    net.members[0].layers[1].kernel = new Float32Array(7);
    expect(issuesOf(net)).toContainEqual({ path: 'members.0.layers.1.kernel', message: expect.stringMatching(/4 × 5 = 20 values, got 7/) });
  });

  it('rejects non-finite weights', () => {
    const net = good();
    net.members[0].layers[0].bias[2] = NaN;
    net.members[0].layers[1].kernel[3] = Infinity;
    const issues = issuesOf(net);
    expect(issues).toContainEqual({ path: 'members.0.layers.0.bias', message: expect.stringMatching(/finite.*element 2/) });
    expect(issues).toContainEqual({ path: 'members.0.layers.1.kernel', message: expect.stringMatching(/finite.*element 3/) });
  });

  it('rejects layers that do not chain and a head that does not fit', () => {
    const net = good();
    net.members[0].layers[1].inputs = 5;
    net.members[0].layers[1].kernel = new Float32Array(25);
    expect(issuesOf(net)).toContainEqual({ path: 'members.0.layers.1.inputs', message: expect.stringMatching(/receives 4/) });

    const wrongRaw = good();
    wrongRaw.members[0].layers[1].outputs = 6;
    wrongRaw.members[0].layers[1].kernel = new Float32Array(24);
    wrongRaw.members[0].layers[1].bias = new Float32Array(6);
    expect(issuesOf(wrongRaw)).toContainEqual({ path: 'members.0.layers.1.outputs', message: expect.stringMatching(/needs 5 raw outputs/) });

    const wrongOutputs = { ...good(), outputs: 5 };
    expect(issuesOf(wrongOutputs)).toContainEqual({ path: 'outputs', message: expect.stringMatching(/gives 6 coefficients/) });
  });

  it('rejects malformed scaling, types and heads', () => {
    const net = good();
    net.inputScaling.std[1] = 0;
    expect(issuesOf(net)).toContainEqual({ path: 'inputScaling.std', message: expect.stringMatching(/positive/) });
    expect(issuesOf({ ...good(), inputScaling: { mean: [0, 0, 0], std: new Float32Array(3).fill(1) } }).map((i) => i.path)).toContain('inputScaling.mean');
    expect(issuesOf({ ...good(), format: 'frozen-mlp/2' }).map((i) => i.path)).toContain('format');
    expect(issuesOf({ ...good(), head: { kind: 'sum-of-squares', parameters: 2, degree: 3, fixReference: true } }).map((i) => i.path)).toContain('head.degree');
    const badAct = good() as unknown as { members: { layers: { activation: string }[] }[] };
    badAct.members[0].layers[0].activation = 'mish';
    expect(issuesOf(badAct).map((i) => i.path)).toContain('members.0.layers.0.activation');
    expect(issuesOf({ ...good(), members: [] }).map((i) => i.path)).toContain('members');
  });

  it('accepts a morphing head whose benchmarks fix the quadratic and rejects one that does not, with the path of each problem', () => {
    const morphingHead = { kind: 'morphing', parameters: 2, degree: 2, benchmarks: axisBenchmarks(2, 1), crossSectionRatios: [1, 2, 2, 2, 2, 3] };
    expect(FrozenNetworkSchema.safeParse({ ...good(), head: morphingHead }).success).toBe(true);
    const twice = axisBenchmarks(2, 1);
    twice[5] = twice[4];
    expect(issuesOf({ ...good(), head: { ...morphingHead, benchmarks: twice } })).toContainEqual({ path: 'head.benchmarks', message: expect.stringMatching(/condition number/) });
    expect(issuesOf({ ...good(), head: { ...morphingHead, benchmarks: [[1, 0], ...axisBenchmarks(2, 1).slice(1)] } })).toContainEqual({ path: 'head.benchmarks.0', message: expect.stringMatching(/θ0 itself/) });
    expect(issuesOf({ ...good(), head: { ...morphingHead, crossSectionRatios: [1, 2, 2] } }).map((i) => i.path)).toContain('head.crossSectionRatios');
    expect(issuesOf({ ...good(), head: { ...morphingHead, crossSectionRatios: [1, 2, -2, 2, 2, 3] } }).map((i) => i.path)).toContain('head.crossSectionRatios.2');
    expect(issuesOf({ ...good(), head: { ...morphingHead, benchmarks: axisBenchmarks(2, 1).slice(0, 5) } }).map((i) => i.path)).toEqual(expect.arrayContaining(['head.benchmarks', 'members.0.layers.1.outputs']));
  });

  it('throws InvalidFrozenNetworkError with a readable message', () => {
    const net = good();
    net.members[0].layers[0].kernel = new Float32Array(2);
    expect(() => parseFrozenNetwork(net)).toThrow(InvalidFrozenNetworkError);
    expect(() => parseFrozenNetwork(net)).toThrow(/members\[0\]\.layers\[0\]\.kernel/);
  });
});

// ---------------------------------------------------------------------------------------
// Optional parity with TensorFlow.js itself (cpu backend), where it is installed.

// Not a dependency of the project (it comes with the optional tfjs-node): loaded by a name
// the type checker does not resolve, and the test is skipped where it is absent.
const tfModule = '@tensorflow/tfjs';
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const tf: any = await import(/* @vite-ignore */ tfModule).catch(() => null);

describe.runIf(tf)('parity with TensorFlow.js layers', () => {
  it('matches tf.sequential dense layers, kernel layout and activations', async () => {
    const t = tf!;
    await t.setBackend('cpu');
    const random = createRandom(99);
    const tfActivations: Record<Activation, string | null> = {
      linear: 'linear',
      relu: 'relu',
      'leaky-relu': null, // a separate LeakyReLU layer in tfjs
      elu: 'elu',
      selu: 'selu',
      tanh: 'tanh',
      sigmoid: 'sigmoid',
      softplus: 'softplus',
      swish: 'swish',
      gelu: 'gelu',
      gelu_new: 'gelu_new',
    };
    for (const activation of ACTIVATIONS) {
      const model = t.sequential();
      const widths = [6, 16, 16, 2];
      for (let l = 1; l < widths.length; l++) {
        const last = l === widths.length - 1;
        const act = last ? 'linear' : tfActivations[activation];
        model.add(t.layers.dense({ units: widths[l], inputShape: l === 1 ? [widths[0]] : undefined, activation: act ?? 'linear', kernelInitializer: t.initializers.glorotNormal({ seed: 10 * l + 1 }), biasInitializer: t.initializers.randomNormal({ stddev: 0.3, seed: 10 * l + 2 }) }));
        if (!last && act === null) model.add(t.layers.leakyReLU({ alpha: 0.3 }));
      }
      const dense = model.layers.filter((l: { getClassName(): string }) => l.getClassName() === 'Dense');
      const net = parseFrozenNetwork({
        format: 'frozen-mlp/1',
        inputs: 6,
        outputs: 2,
        inputScaling: { mean: new Float32Array(6), std: new Float32Array(6).fill(1) },
        head: { kind: 'identity' },
        members: [
          {
            layers: dense.map((layer: { getWeights(): { dataSync(): Float32Array }[] }, l: number) => {
              const [kernel, bias] = layer.getWeights().map((w) => w.dataSync());
              const last = l === dense.length - 1;
              return {
                inputs: widths[l],
                outputs: widths[l + 1],
                kernel: Float32Array.from(kernel),
                bias: Float32Array.from(bias),
                activation: last ? 'linear' : activation,
                ...(activation === 'leaky-relu' && !last ? { alpha: 0.3 } : {}),
              };
            }),
          },
        ],
      });
      const n = 200;
      const x = randomArray(random, n * 6, 1.5);
      const expected: Float32Array = model.predict(t.tensor2d(x, [n, 6])).dataSync();
      // Relative difference, floored at a tenth of the outputs' rms: an output that cancels
      // to near zero carries tfjs's float32 rounding of its terms (~1e-7 of their size) and
      // has no meaningful relative difference.
      let rms = 0;
      for (let k = 0; k < n * 2; k++) rms += expected[k] ** 2;
      const floor = 0.1 * Math.sqrt(rms / (n * 2));
      for (const precision of ['float64', 'float32'] as const) {
        const got = evaluateNetwork(net, 0, x, n, undefined, { precision });
        let worst = 0;
        for (let k = 0; k < n * 2; k++) worst = Math.max(worst, Math.abs(got[k] - expected[k]) / Math.max(floor, Math.abs(expected[k])));
        expect(worst, `${activation} ${precision}`).toBeLessThan(1e-5);
      }
    }
  });
});
