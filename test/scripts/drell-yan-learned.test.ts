/**
 * The Drell–Yan learned pipeline of issue 6 on a tiny configuration: the artifact it
 * publishes, σ by the control variate, the toys of the coverage study and the four
 * inferences on one test sample. The physics is checked where an exact answer exists.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { maximumLikelihood } from '../../models/inference/mle.js';
import { resolveDataset, eventsDataset } from '../../models/likelihood/datasets.js';
import type { UnbinnedData } from '../../models/terms/unbinned-polynomial.js';
import { drawToy, expectedBoundary, toyModel, DEFAULT_COVERAGE_CONFIG } from '../../scripts/drell-yan/coverage.js';
import { othersFixed } from '../../models/likelihood/likelihood.js';
import { fisherDiagnostics, inferenceModels, QUICK_EVALUATION_CONFIG } from '../../scripts/drell-yan/evaluate.js';
import { controlVariateCrossSection, generatorCrossSection, learnedCoefficients, mixedSample, publishDrellYan, QUICK_LEARNED_CONFIG, trainDrellYan } from '../../scripts/drell-yan/learned.js';
import { ANALYSIS_SELECTION, BASIS, detector, PARAMETERS, RECO_OBSERVABLES, sampleDrellYan, SELECTABLE_REGION } from '../../scripts/simulators/drell-yan-physics.js';
import { rowsInsideSelection, SelectionError } from '../../models/likelihood/selection.js';
import { createRandom } from '../../models/random.js';
import { evaluateMonomials, monomialIndex, polynomialValue } from '../../models/basis/monomial-basis.js';
import { chiSquaredThreshold } from '../../models/numeric/distributions.js';

const scratch: string[] = [];
afterAll(async () => {
  for (const dir of scratch) await rm(dir, { recursive: true, force: true });
});

describe('the Drell–Yan learned likelihood (tiny training)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'dy-learned-'));
  scratch.push(dir);
  const config = QUICK_LEARNED_CONFIG;
  const trained = await trainDrellYan(config);
  const { artifact, crossSection } = await publishDrellYan(config, trained, dir, '0.0.1');

  it('publishes the WCxf names, the classifier as the signal fraction and a loadable artifact', () => {
    expect(artifact.manifest.parameters.map((p) => p.wcxf?.name)).toEqual(['lq1_1111', 'lq3_1111', 'eu_1111']);
    const term = artifact.manifest.terms[0];
    expect(term.kind === 'unbinned-polynomial' && term.signalFraction).toBe('signal-fraction');
    expect(term.kind === 'unbinned-polynomial' && term.crossSection.origin).toBe('control-variate');
    expect(artifact.manifest.observables.map((o) => o.name)).toEqual([...RECO_OBSERVABLES]);
    expect(artifact.likelihood.variants).toBe(config.network.members + 1);
  });

  it('states the analysis selection, keeps every sample inside it, and refuses events outside (m_ll above 6 TeV, where the signal is not generated)', () => {
    const mll = artifact.manifest.observables.find((o) => o.name === 'm_ll');
    expect(mll?.selection).toEqual({ min: 150, max: 6000 });
    expect(artifact.manifest.observables.find((o) => o.name === 'lm_eta')?.selection).toEqual({ min: -2.4, max: 2.4 });
    const { mixed } = mixedSample(3000, 3000, 31, trained.generator.above200);
    expect(rowsInsideSelection(mixed.reco, mixed.count, RECO_OBSERVABLES, ANALYSIS_SELECTION).length).toBe(mixed.count);
    const unselected = mixedSample(3000, 3000, 31, trained.generator.above200, { selection: false }).mixed;
    expect(unselected.count).toBeGreaterThanOrEqual(mixed.count);
    const column = RECO_OBSERVABLES.indexOf('m_ll');
    const event = Float64Array.from(mixed.reco.subarray(0, RECO_OBSERVABLES.length));
    expect(() => resolveDataset(artifact.likelihood, eventsDataset(artifact.likelihood, event, 1))).not.toThrow();
    event[column] = 7000;
    expect(() => resolveDataset(artifact.likelihood, eventsDataset(artifact.likelihood, event, 1))).toThrow(SelectionError);
  });

  it('serves submitted events f_s ĉ + 1 − f_s, the coefficients the pipeline computed', () => {
    const { mixed } = mixedSample(300, 200, 99, trained.generator.above200);
    const data = resolveDataset(artifact.likelihood, eventsDataset(artifact.likelihood, mixed.reco, mixed.count));
    const served = (data.terms.dy as UnbinnedData).coefficients;
    const direct = learnedCoefficients(trained.network, trained.classifier, mixed.reco, mixed.count);
    expect(served.length).toBe(direct.length);
    served.forEach((v, k) => expect(Array.from(v)).toEqual(Array.from(direct[k])));
    // c_0 = 1: R̂(θ0) = 1 for signal and background alike
    for (let i = 0; i < mixed.count; i++) expect(served[0][i * 10]).toBeCloseTo(1, 12);
  });

  it('the control variate returns the exact cross section when the learned coefficients are the exact ones', () => {
    const { background, mixed } = mixedSample(2000, 1000, 5, trained.generator.above200);
    const backgroundPb = background.count * background.weights[0];
    const exact = controlVariateCrossSection(trained.generator, backgroundPb, [{ sample: mixed, learned: mixed.coefficients }]);
    const total = trained.generator.sigma + backgroundPb;
    exact.coefficients.forEach((s, k) => expect(s).toBeCloseTo((trained.generator.sigma * trained.generator.coefficients[k] + (k === 0 ? backgroundPb : 0)) / total, 12));
    // the published one: s_0 = 1 exactly, and its error estimate is finite
    expect(crossSection.coefficients[0]).toBeCloseTo(1, 12);
    expect(crossSection.errors.every(Number.isFinite)).toBe(true);
  });

  it('the control variate over batches is the control variate over their union, value and error', () => {
    const { mixed } = mixedSample(3000, 1200, 41, trained.generator.above200);
    const [learned] = learnedCoefficients(trained.network, trained.classifier, mixed.reco, mixed.count);
    const half = Math.floor(mixed.count / 2);
    const part = (from: number, to: number) => ({
      sample: { count: to - from, reco: mixed.reco.subarray(from * 10, to * 10), coefficients: mixed.coefficients.subarray(from * 10, to * 10), weights: mixed.weights.subarray(from, to) },
      learned: learned.subarray(from * 10, to * 10),
    });
    const whole = controlVariateCrossSection(trained.generator, 0.1, [part(0, mixed.count)]);
    const split = controlVariateCrossSection(trained.generator, 0.1, [part(0, half), part(half, mixed.count)]);
    expect(split.events).toBe(mixed.count);
    whole.coefficients.forEach((s, k) => expect(split.coefficients[k]).toBeCloseTo(s, 12));
    whole.errors.forEach((e, k) => expect(split.errors[k]).toBeCloseTo(e, 12));
    // the tiny training's ĉ differs from c, so the correction is not zero
    expect(Math.abs(whole.correction[4])).toBeGreaterThan(1e-6);
  });

  it("the generator's σ splits into batches without changing its meaning: two seeds agree within their errors", () => {
    const a = generatorCrossSection(30_000, 1);
    const b = generatorCrossSection(30_000, 2);
    expect(Math.abs(a.sigma - b.sigma)).toBeLessThan(4 * Math.hypot(a.sigmaError, b.sigmaError));
    expect(a.coefficients[0]).toBe(1);
  });

  it('Asimov data at the SM are fitted at the SM', () => {
    const fit = maximumLikelihood(artifact.likelihood, resolveDataset(artifact.likelihood, { kind: 'asimov' }));
    expect(fit.converged).toBe(true);
    for (let j = 0; j < 3; j++) expect(Math.abs(fit.parameters[j])).toBeLessThan(1e-6);
  });

  it('coverage toys are Poisson processes of the selected events: their mean count is L σ', () => {
    const model = { ...toyModel(artifact, { ...DEFAULT_COVERAGE_CONFIG, pilotEvents: 40_000 }, crossSection.backgroundFb), luminosityPb: 2000 };
    const expected = model.luminosityPb * (trained.generator.sigma + crossSection.backgroundFb / 1000);
    const counts = Array.from({ length: 12 }, (_, t) => drawToy(model, 17, t));
    const mean = counts.reduce((s, c) => s + c.count, 0) / counts.length;
    expect(counts.every((c) => c.overshoots === 0)).toBe(true);
    // Poisson: the mean of 12 toys has standard deviation √(expected/12) (plus σ's 0.3% error)
    expect(Math.abs(mean - expected)).toBeLessThan(4 * Math.sqrt(expected / counts.length) + 0.01 * expected);
    expect(counts[0].reco.length).toBe(counts[0].count * RECO_OBSERVABLES.length);
  });

  it('coverage toys away from the SM are Poisson processes of intensity L dσ(θ): their mean count is L σ(θ), and the truth they carry is the exact R', () => {
    const at = [0, 0.5, 0]; // σ_signal about doubles (C_lq3: linear 0.89, quadratic 2.4)
    const model = { ...toyModel(artifact, { ...DEFAULT_COVERAGE_CONFIG, pilotEvents: 40_000 }, crossSection.backgroundFb, { at }), luminosityPb: 2000 };
    const g = trained.generator;
    const monomials = evaluateMonomials(BASIS, at);
    const signalRatio = polynomialValue(g.coefficients, monomials);
    const ratioError = Math.hypot(...Array.from(g.errors, (e, k) => e * monomials[k]));
    expect(signalRatio).toBeGreaterThan(1.5);
    const expected = model.luminosityPb * (g.sigma * signalRatio + crossSection.backgroundFb / 1000);
    const toys = Array.from({ length: 12 }, (_, t) => drawToy(model, 17, t, true));
    const mean = toys.reduce((s, c) => s + c.count, 0) / toys.length;
    expect(toys.every((c) => c.overshoots === 0)).toBe(true);
    expect(Math.abs(mean - expected)).toBeLessThan(4 * Math.sqrt(expected / toys.length) + model.luminosityPb * g.sigma * (4 * ratioError + 0.003 * signalRatio));
    // the SM model's toys are not these: at the SM the same seed keeps fewer events
    const sm = { ...toyModel(artifact, { ...DEFAULT_COVERAGE_CONFIG, pilotEvents: 40_000 }, crossSection.backgroundFb), luminosityPb: 2000 };
    expect(drawToy(sm, 17, 0).count).toBeLessThan(toys[0].count);
    // every event's exact coefficients: c_0 = 1, and the background's are e_0
    const C = BASIS.size;
    const c = toys[0].coefficients!;
    for (let i = 0; i < toys[0].count; i++) expect(c[i * C]).toBe(1);
    expect(Array.from(c.subarray((toys[0].count - 1) * C, toys[0].count * C))).toEqual([1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('the expected 95.45% boundary on an axis: in the linear regime the truth\'s Fisher information puts it at √(χ²₃ quantile / L Σ w c²)', () => {
    const L = 300_000;
    const t = expectedBoundary(1, 0.9545, L, { events: 40_000 });
    const below = expectedBoundary(1, 0.9545, L, { events: 40_000, sign: -1 });
    // the same weighted events (seed 1): Σ w c_k² over the selected signal, c_k the linear coefficient of C_lq3
    const rng = createRandom(1);
    const sample = sampleDrellYan(40_000, () => rng.uniform(), SELECTABLE_REGION);
    const { accepted } = detector(sample, rng);
    const linear = monomialIndex(BASIS, [0, 1, 0]);
    let information = 0;
    for (const i of accepted) information += sample.weights[i] * sample.coefficients[i * BASIS.size + linear] ** 2;
    const fisher = Math.sqrt(chiSquaredThreshold(0.9545, 3) / (L * information));
    expect(t / fisher).toBeCloseTo(1, 1);
    expect(-below / fisher).toBeCloseTo(1, 1);
    // the quadratic terms make the two sides differ, by less than the linear scale
    expect(t).not.toBe(-below);
  });

  it('the four inferences share the test sample; truth and learned Asimov data are fitted at the SM', () => {
    const { models, test } = inferenceModels(artifact, QUICK_EVALUATION_CONFIG, trained.generator);
    expect(test.signal).toBeGreaterThan(1000);
    for (const inference of ['truth', 'learned', 'histogram'] as const) {
      const { likelihood, data } = models[inference];
      const fit = maximumLikelihood(likelihood, data);
      expect(fit.converged).toBe(true);
      for (let j = 0; j < 3; j++) expect(Math.abs(fit.parameters[j])).toBeLessThan(1e-5);
    }
    expect(models.learned.variants).toBe(config.network.members + 1);
    // one at a time: the other two are fixed
    const alone = othersFixed(models.truth.likelihood, PARAMETERS[1].name);
    expect(alone.parameters.slice(0, 3).map((p) => p.fixed)).toEqual([true, false, true]);
  });

  it('the linear-regime diagnostics: exact coefficients are calibrated; doubled ones claim half the width, respond by ½, and calibrate back to the truth', () => {
    const { mixed } = mixedSample(3000, 1000, 8, trained.generator.above200);
    const exact = fisherDiagnostics(mixed.coefficients, mixed.coefficients, mixed.weights, mixed.count);
    const identity = [1, 0, 0, 0, 1, 0, 0, 0, 1];
    exact.response.forEach((v, k) => expect(v).toBeCloseTo(identity[k], 10));
    exact.claimed.forEach((v, k) => {
      expect(v / exact.truth[k]).toBeCloseTo(1, 10);
      expect(exact.calibrated[k] / exact.truth[k]).toBeCloseTo(1, 10);
    });
    const doubled = mixed.coefficients.map((c, k) => (k % 10 === 0 ? c : 2 * c));
    const d = fisherDiagnostics(mixed.coefficients, doubled, mixed.weights, mixed.count);
    d.response.forEach((v, k) => expect(v).toBeCloseTo(identity[k] / 2, 10));
    d.claimed.forEach((v, k) => {
      expect(v / d.truth[k]).toBeCloseTo(0.5, 10);
      expect(d.calibrated[k] / d.truth[k]).toBeCloseTo(1, 10);
    });
  });
});
