/**
 * Issue 17: the W±Z study's pieces (the parton-level truth, the histogram, the learned
 * likelihood) and, on a quick study, the published artifacts served by the app: the L-GATr's
 * ĉ at the edge equals the frozen network's, it stays Lorentz invariant on the study's events,
 * and the API's Asimov intervals with default arguments are the document's.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../functions/app.js';
import { fileStore } from '../../functions/node.js';
import { evaluateMonomials, polynomialValue } from '../../models/basis/monomial-basis.js';
import { evaluateEnsemble, type AnyFrozenNetwork, type FrozenLgatr } from '../../models/network/frozen-network.js';
import { deriveSeed } from '../../scripts/simulators/types.js';
import { WZ_RECO_OBSERVABLES } from '../../scripts/simulators/wz-detector.js';
import { BASIS, buildPoint, hadronicCoefficients, M_W, M_Z } from '../../scripts/simulators/wz-physics.js';
import { histogramSpec, MTWZ_EDGES } from '../../scripts/wz/inference.js';
import { partonLevelCoefficients } from '../../scripts/wz/parton.js';
import { betterArchitecture, publishWz } from '../../scripts/wz/publish.js';
import { C, LUMINOSITY_FB, PB, selectedSample } from '../../scripts/wz/samples.js';
import { QUICK_WZ_STUDY, runWzStudy, type WzStudy } from '../../scripts/wz/study.js';
import type { WzArchitecture } from '../../scripts/wz/train.js';
import { gaussLegendre } from '../helpers/gauss-legendre.js';
import { equivarianceError } from '../helpers/lgatr-events.js';

/** The decay-averaged hadronic coefficients by a Gauss–Legendre × uniform-azimuth product rule on each sphere (n × 2n points). */
function decayAverageByProductRule(charge: 1 | -1, m: number, y: number, cos: number, n: number, rotate = 0): Float64Array {
  const { x: nodes, w: weights } = gaussLegendre(n);
  const directions: [number, number, number][] = [];
  nodes.forEach((c, i) => {
    for (let j = 0; j < 2 * n; j++) directions.push([c, rotate + (2 * Math.PI * j) / (2 * n), weights[i] / (4 * n)]);
  });
  const out = new Float64Array(C);
  const scratch = new Float64Array(C);
  for (const [cw, fw, ww] of directions) {
    for (const [cz, fz, wz] of directions) {
      hadronicCoefficients(charge, buildPoint(m, y, cos, 0, [cw, fw, cz, fz]), scratch);
      for (let k = 0; k < C; k++) out[k] += ww * wz * scratch[k];
    }
  }
  return out.map((v) => v / out[0]);
}

/** t̂ of the parton along +z for the W at cos θ in the partonic frame of √ŝ = m. */
function mandelstamT(m: number, cos: number): number {
  const q = Math.sqrt((m * m - (M_W + M_Z) ** 2) * (m * m - (M_W - M_Z) ** 2)) / (2 * m);
  return M_W * M_W - m * (Math.hypot(q, M_W) - q * cos);
}

describe('the W±Z parton-level truth (issue 17 item 3)', () => {
  it('averages the decays exactly: the tetrahedral 2-design equals an 8 × 16-point product rule on each sphere to 1e-10, a single direction does not', () => {
    const out = new Float64Array(C);
    for (const [charge, m, y, cos] of [
      [1, 300, 0.4, 0.2],
      [-1, 650, -1.1, -0.7],
      [1, 1500, 0.1, 0.93],
    ] as const) {
      partonLevelCoefficients(charge, m * m, mandelstamT(m, cos), y, out);
      const reference = decayAverageByProductRule(charge, m, y, cos, 8);
      for (let k = 0; k < C; k++) expect(Math.abs(out[k] - reference[k])).toBeLessThan(1e-10 * Math.max(1, Math.abs(reference[k])));
      // one fixed decay direction is not the average: the check can fail
      const single = new Float64Array(C);
      hadronicCoefficients(charge, buildPoint(m, y, cos, 0, [0.3, 1, -0.5, 2]), single);
      expect(Math.max(...Array.from(single, (v, k) => Math.abs(v / single[0] - reference[k])))).toBeGreaterThan(1e-3);
    }
  });
});

describe('the m_T^WZ histogram (issue 17 item 4)', () => {
  it('holds every selected event once: its yields sum to L σ(θ) for every coefficient', () => {
    const sample = selectedSample(4000, 17);
    const spec = histogramSpec(sample, MTWZ_EDGES);
    const yields = spec.channels[0].samples[0].coefficients;
    expect(yields).toHaveLength(MTWZ_EDGES.length - 1);
    for (let k = 0; k < C; k++) {
      let total = 0;
      for (let i = 0; i < sample.count; i++) total += sample.weights[i] * PB * LUMINOSITY_FB * sample.coefficients[i * C + k];
      const binned = yields.reduce((s, bin) => s + bin[k], 0);
      expect(binned).toBeCloseTo(total, 6);
    }
  });
});

describe('the W±Z study, quick, published and served (issue 17 items 4-5)', () => {
  let study: WzStudy;
  let networks: Record<WzArchitecture, AnyFrozenNetwork>;
  let root: string;
  let app: ReturnType<typeof createApp>;
  beforeAll(async () => {
    ({ study, networks } = await runWzStudy(QUICK_WZ_STUDY, () => undefined));
    root = await mkdtemp(join(tmpdir(), 'wz-'));
    await publishWz({ out: root, version: '0.0.1', study, networks, log: () => undefined });
    app = createApp(fileStore(root));
    return () => rm(root, { recursive: true, force: true });
  }, 300_000);

  const post = (path: string, body: unknown) => app.request(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const idOf = (architecture: WzArchitecture) => (betterArchitecture(study) === architecture ? 'wz-smeft-run3' : `wz-smeft-run3-${architecture}`);

  it('serves the frozen L-GATr at the edge: POST …/ratio equals ln ĉ(x)·m(θ) − ln s·m(θ) of the network the study trained, for test events at a θ away from the SM', async () => {
    const test = selectedSample(2000, deriveSeed(QUICK_WZ_STUDY.seed, 'test'));
    const n = 6;
    const events = Array.from({ length: n }, (_, i) => Array.from(test.reco.subarray(i * WZ_RECO_OBSERVABLES.length, (i + 1) * WZ_RECO_OBSERVABLES.length)));
    const theta = [0.3, -0.05, 0.02];
    const res = await post(`/v1/likelihoods/${idOf('lgatr')}/ratio`, { events, points: [{ c_phiWB: theta[0], c_WWW: theta[1], c_phiq3: theta[2] }] });
    expect(res.status).toBe(200);
    const body = await res.json();
    const { mean } = evaluateEnsemble(networks.lgatr, Float64Array.from(events.flat()), n);
    const m = evaluateMonomials(BASIS, theta);
    const manifest = await (await app.request(`/v1/likelihoods/${idOf('lgatr')}`)).json();
    const s = Float64Array.from(manifest.terms[0].crossSection.coefficients as number[]);
    const normalisation = Math.log(polynomialValue(s, m, 0));
    (body.logRatio[0] as number[]).forEach((v, i) => expect(v).toBeCloseTo(Math.log(polynomialValue(mean, m, i * C)) - normalisation, 9));
  });

  it('the trained L-GATr is Lorentz invariant on the study\'s events: < 1e-5 relative under random boosts and rotations of the three leptons', () => {
    const test = selectedSample(2000, deriveSeed(QUICK_WZ_STUDY.seed, 'test'));
    expect(networks.lgatr.format).toBe('frozen-lgatr/1');
    expect(equivarianceError(networks.lgatr as FrozenLgatr, test.reco.slice(0, 20 * WZ_RECO_OBSERVABLES.length), 20, 4, 5)).toBeLessThan(1e-5);
  });

  it("reproduces the document's numbers: the API's default Asimov interval of each coefficient is the study's profiled one", async () => {
    const better = betterArchitecture(study);
    for (const [k, name] of ['c_phiWB', 'c_WWW', 'c_phiq3'].entries()) {
      const res = await post('/v1/likelihoods/wz-smeft-run3/interval', { parameters: [name] });
      expect(res.status, `${name}: ${await res.clone().text()}`).toBe(200);
      const body = await res.json();
      const served = body.intervals.find((i: { cl: number }) => Math.abs(i.cl - 0.68) < 1e-3) ?? body.intervals[0];
      const documented = study.profiled[better][k][0].intervals.find((i) => i.cl === 0.68)!;
      expect(served.segments.length, name).toBe(documented.segments.length);
      served.segments.forEach((s: { lower: number; upper: number }, j: number) => {
        const width = study.halfWidths[k];
        expect(Math.abs(s.lower - documented.segments[j].lower), `${name} lower`).toBeLessThan(1e-6 * width);
        expect(Math.abs(s.upper - documented.segments[j].upper), `${name} upper`).toBeLessThan(1e-6 * width);
      });
    }
  });

  it('refuses an ONNX export of the L-GATr as not applicable, and publishes the histogram as a binned likelihood', async () => {
    const onnx = await app.request(`/v1/likelihoods/${idOf('lgatr')}/onnx/network`);
    expect(onnx.status).toBe(422);
    const res = await post('/v1/likelihoods/wz-smeft-run3-mtwz/nll', { points: [{}], data: 'asimov' });
    expect(res.status).toBe(200);
    expect(Number.isFinite((await res.json()).nll[0])).toBe(true);
  });
});
