/**
 * Issue 16 item 5 on tiny trainings: the Drell–Yan likelihood by morphing-aware estimation
 * and by CARL. Checked where an exact answer exists: the benchmarks' morphing reproduces the
 * events' exact coefficients; the signal-plus-background simulator reweights the signal
 * only; the morphing-aware artifact serves R̂ ≥ 0 at every θ of its range and its Asimov
 * fit returns the SM; CARL's Asimov likelihood on the test events is minimal at the SM; the
 * comparison's truth is the truth of docs/drell-yan.md's evaluation, number for number.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { evaluateMonomials, polynomialValue } from '../../models/basis/monomial-basis.js';
import { morphing } from '../../models/basis/morphing.js';
import { maximumLikelihood } from '../../models/inference/mle.js';
import { resolveDataset } from '../../models/likelihood/datasets.js';
import { parseFrozenNetwork } from '../../models/network/frozen-network.js';
import { createRandom } from '../../models/random.js';
import { polynomialTerms } from '../../models/terms/unbinned-polynomial.js';
import { readArtifactFolder } from '../../scripts/lib/artifact-writer.js';
import { derivativeLearningSignalFraction } from '../../scripts/drell-yan/estimators-run.js';
import { benchmarkPrecision, carlInference, compareEstimators, tailShares, thinnedTestSample } from '../../scripts/drell-yan/estimators-evaluate.js';
import { drellYanBenchmarks, MORPHING_AWARE, QUICK_ESTIMATOR_CONFIG, signalPlusBackground, trainCarlDrellYan, trainMorphingDrellYan } from '../../scripts/drell-yan/estimators.js';
import { evaluateInferences, QUICK_EVALUATION_CONFIG, testSample } from '../../scripts/drell-yan/evaluate.js';
import { drellYanSelectable, publishDrellYan } from '../../scripts/drell-yan/learned.js';
import { BASIS, PARAMETERS } from '../../scripts/simulators/drell-yan-physics.js';

const scratch: string[] = [];
afterAll(async () => {
  for (const dir of scratch) await rm(dir, { recursive: true, force: true });
});

const C = BASIS.size;

describe('benchmarks along the axes (seed 003 app. C) for Drell–Yan', () => {
  it('morph the events\' exact ratios at the benchmarks back into their exact coefficients', () => {
    const benchmarks = drellYanBenchmarks(QUICK_ESTIMATOR_CONFIG);
    expect(benchmarks).toHaveLength(C);
    expect(benchmarks[0]).toEqual([0, 0, 0]);
    const m = morphing(PARAMETERS.length, 2, benchmarks);
    const sample = drellYanSelectable().simulate({ events: 400, seed: 5 });
    const monomials = benchmarks.map((b) => evaluateMonomials(BASIS, b));
    let worst = 0;
    for (let e = 0; e < sample.count; e++) {
      const R = monomials.map((mi) => polynomialValue(sample.coefficients, mi, e * C));
      for (let a = 0; a < C; a++) {
        let c = 0;
        for (let i = 0; i < C; i++) c += m.inverse[a * C + i] * R[i];
        const exact = sample.coefficients[e * C + a];
        worst = Math.max(worst, Math.abs(c - exact) / (1 + Math.abs(exact)));
      }
    }
    expect(worst).toBeLessThan(1e-9);
  });
});

describe('the thinned test sample CARL sees', () => {
  it('keeps every k-th signal and background event with k times the weight; k = 1 is the sample itself', () => {
    const test = testSample({ ...QUICK_EVALUATION_CONFIG, testEvents: 800, testBackgroundEvents: 300 }, { above200: 0.5 });
    const same = thinnedTestSample(test, 1);
    expect(same.mixed.reco).toEqual(test.mixed.reco);
    expect(same.mixed.coefficients).toEqual(test.mixed.coefficients);
    expect(same.weightsFb).toEqual(test.weightsFb);
    const thin = thinnedTestSample(test, 4);
    const D = 10;
    expect(thin.signal.count).toBe(Math.ceil(test.signal.count / 4));
    expect(thin.mixed.reco.subarray(D, 2 * D)).toEqual(test.mixed.reco.subarray(4 * D, 5 * D));
    expect(thin.mixed.weights[1]).toBe(4 * test.mixed.weights[4]);
    const firstBackground = thin.signal.count;
    expect(thin.mixed.reco.subarray(firstBackground * D, (firstBackground + 1) * D)).toEqual(test.background.reco.subarray(0, D));
    expect(() => thinnedTestSample(test, 0)).toThrow(RangeError);
  });
});

describe('the comparison\'s diagnostics, on exact answers', () => {
  const test = testSample({ ...QUICK_EVALUATION_CONFIG, testEvents: 1200, testBackgroundEvents: 400 }, { above200: 0.5 });

  it('benchmark precision: a network that says r̂_i ≡ 1 is wrong by exactly −ln r(z|θ_i)', () => {
    const benchmarks = drellYanBenchmarks(QUICK_ESTIMATOR_CONFIG);
    const crossSectionRatios = [1, 1.1, 0.9, 1.05, 0.95, 1.2, 0.8, 1.3, 0.7, 1.15];
    const zero = parseFrozenNetwork({
      format: 'frozen-mlp/1',
      inputs: 10,
      outputs: C,
      inputScaling: { mean: new Float32Array(10), std: new Float32Array(10).fill(1) },
      head: { kind: 'morphing', parameters: 3, degree: 2, benchmarks, crossSectionRatios },
      members: [{ layers: [{ inputs: 10, outputs: C - 1, kernel: new Float32Array(10 * (C - 1)), bias: new Float32Array(C - 1), activation: 'linear' }] }],
    });
    const precision = benchmarkPrecision(zero, test);
    const { signal } = test;
    const W = signal.weights.reduce((a, b) => a + b, 0);
    precision.forEach((p, b) => {
      const m = evaluateMonomials(BASIS, benchmarks[b + 1]);
      let mean = 0;
      let size = 0;
      for (let e = 0; e < signal.count; e++) {
        const lnr = Math.log(polynomialValue(signal.coefficients, m, e * C) / crossSectionRatios[b + 1]);
        mean -= (signal.weights[e] / W) * lnr;
        size += (signal.weights[e] / W) * Math.abs(lnr);
      }
      expect(p.meanError).toBeCloseTo(mean, 12);
      expect(p.meanAbsLogRatio).toBeCloseTo(size, 12);
      expect(p.rmsError).toBeGreaterThanOrEqual(Math.abs(p.meanError));
    });
  });

  it('tail shares: every event above the cut is the whole sum, none is nothing', () => {
    const D = 10;
    const mll = test.mixed.reco.filter((_, i) => i % D === 6);
    const everything = tailShares(test.mixed.coefficients, test, Math.min(...mll) - 1);
    expect(everything.events).toBe(test.mixed.count);
    everything.shares.forEach((s, k) => (k === 2 || k === 4 ? expect(Math.abs(s)).toBe(0) : expect(s).toBeCloseTo(1, 12))); // C_lq1·C_eu and C_lq3·C_eu vanish in the physics
    const nothing = tailShares(test.mixed.coefficients, test, Math.max(...mll));
    expect(nothing.events).toBe(0);
    for (const s of nothing.shares) expect(Math.abs(s)).toBe(0);
  });
});

describe('signal plus background as one simulator (CARL\'s training samples)', () => {
  it('reweights each signal event by R(z|θ) = c(z)·m(θ) and leaves the background as it is', () => {
    const simulator = signalPlusBackground({ above200: 0.5 }, 0.5);
    const theta = [0.01, -0.005, 0.02];
    const at0 = simulator.simulate({ events: 600, seed: 9 });
    const atTheta = simulator.simulate({ events: 600, theta, seed: 9 });
    expect(atTheta.count).toBe(at0.count);
    const m = evaluateMonomials(BASIS, theta);
    let signal = 0;
    for (let e = 0; e < at0.count; e++) {
      const R = polynomialValue(at0.coefficients, m, e * C);
      const isBackground = at0.coefficients.subarray(e * C + 1, (e + 1) * C).every((v) => v === 0);
      if (!isBackground) signal++;
      expect(atTheta.weights[e]).toBeCloseTo(at0.weights[e] * (isBackground ? 1 : R), 15);
    }
    expect(signal).toBeGreaterThan(0);
    expect(signal).toBeLessThan(at0.count);
    expect(() => simulator.simulate({ events: 10, theta: [0.1], seed: 1 })).toThrow(/3 parameter values/);
  });
});

describe('the Drell–Yan likelihood by morphing-aware estimation and CARL (tiny trainings)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'dy-estimators-'));
  scratch.push(dir);
  const config = QUICK_ESTIMATOR_CONFIG;
  const source = await derivativeLearningSignalFraction('likelihoods');
  const trained = await trainMorphingDrellYan(config, source);
  const { artifact } = await publishDrellYan(config, trained, dir, '0.0.1', { estimator: MORPHING_AWARE });
  const carl = await trainCarlDrellYan(config);

  it('publishes dy-smeft-run3-morphing with dy-smeft-run3\'s signal fraction and a morphing head', () => {
    expect(artifact.manifest.id).toBe('dy-smeft-run3-morphing');
    expect(trained.network.head.kind).toBe('morphing');
    expect(trained.classifier).toBe(source.classifier);
    expect(artifact.manifest.provenance.producer.command).toBe('drell-yan-morphing-aware');
  });

  it('serves R̂(x|θ) ≥ 0 for test events at random θ across the published range, every variant', () => {
    const [term] = polynomialTerms(artifact.likelihood);
    const { mixed } = testSample({ ...QUICK_EVALUATION_CONFIG, testEvents: 1500, testBackgroundEvents: 500 }, trained.generator);
    const variants = term.events!.ratio.coefficientsFor(mixed.reco, mixed.count);
    const rng = createRandom(3);
    let smallest = Infinity;
    for (let t = 0; t < 200; t++) {
      const theta = PARAMETERS.map(() => 2 * (2 * rng.uniform() - 1)); // the published range is [−2, 2]
      const m = evaluateMonomials(BASIS, theta);
      for (const c of variants) for (let e = 0; e < mixed.count; e++) smallest = Math.min(smallest, polynomialValue(c, m, e * C));
    }
    expect(smallest).toBeGreaterThanOrEqual(0);
  });

  it('fits its Asimov data back to the SM', () => {
    const fit = maximumLikelihood(artifact.likelihood, resolveDataset(artifact.likelihood, { kind: 'asimov' }));
    expect(fit.converged).toBe(true);
    for (let j = 0; j < PARAMETERS.length; j++) expect(Math.abs(fit.parameters[j])).toBeLessThan(1e-4);
  });

  it('CARL on the test events: a parametrised likelihood whose Asimov fit returns the SM', () => {
    const test = testSample({ ...QUICK_EVALUATION_CONFIG, testEvents: 1500, testBackgroundEvents: 500 }, carl.generator);
    const model = carlInference(carl, carl.generator, test, 300);
    const fit = maximumLikelihood(model.likelihood, model.data);
    expect(fit.converged).toBe(true);
    for (let j = 0; j < PARAMETERS.length; j++) expect(Math.abs(fit.parameters[j])).toBeLessThan(1e-4);
  });

  it('compares every estimator on the test sample of docs/drell-yan.md: its truth is that evaluation\'s truth', async () => {
    const derivative = await readArtifactFolder('likelihoods/dy-smeft-run3/1.0.1');
    const evaluation = { ...QUICK_EVALUATION_CONFIG, testEvents: 1500, testBackgroundEvents: 500, scanPoints: 5, contourPoints: 3, carlThinning: 3 };
    const comparison = compareEstimators({ derivative, morphing: artifact, morphingNetwork: trained.network, carl, generator: trained.generator }, evaluation, ['truth']);
    const reference = evaluateInferences(derivative, evaluation, trained.generator);
    for (let k = 0; k < PARAMETERS.length; k++) {
      expect(comparison.scans.truth[k][0].intervals).toEqual(reference.scans.truth[k][0].intervals);
      expect(comparison.scans.derivative[k][0].intervals).toEqual(reference.scans.learned[k][0].intervals);
      expect(comparison.scans.histogram[k][0].intervals).toEqual(reference.scans.histogram[k][0].intervals);
    }
    expect(comparison.contours.truth![0][0].contours).toEqual(reference.contours.truth[0][0].contours);
    expect(comparison.scans.carl[0]).toHaveLength(1);
    // CARL's events: every third of the signal and of the background
    expect(comparison.carlTest.signal).toBe(Math.ceil(comparison.test.signal / 3));
    expect(comparison.carlTest.background).toBe(Math.ceil(comparison.test.background / 3));
    expect(comparison.scans.morphing[0]).toHaveLength(config.network.members + 1);
    expect(comparison.crossSections[0].coefficients[0]).toBeCloseTo(1, 12);
    expect(comparison.benchmarks.map((b) => b.benchmark)).toEqual(drellYanBenchmarks(config).slice(1));
    for (const b of comparison.benchmarks) expect(b.rmsError).toBeGreaterThanOrEqual(Math.abs(b.meanError));
  });
});
