/**
 * Seed 002's observable optimisation on our top jets (issue 19 items 3-4): for every shape of
 * the grid (n1, n2) ∈ [1, 3]² at the seed's δ = 0.01, and the equilateral window, a neural ratio
 * estimator of m_t from the shape's projection (nre.ts), trained on observations with m_t from
 * the uniform prior [170, 180] GeV; its calibration (expected coverage of the HPD regions over
 * test observations from the prior) and its precision (the 68% HPD half-width over observations
 * at the working point 172.5 GeV). The shape with the narrowest posterior is the optimum.
 */
import { createRandom } from '../../models/random.js';
import { deriveSeed } from '../simulators/types.js';
import { expectedCoverage, massGrid, summarisePosterior, trainRatioEstimator, type RatioEstimatorConfig } from './nre.js';
import { shapeLabel, simulateObservations, SUMMARY_EDGES, type EeecShape } from './observations.js';

export interface EeecStudyConfig {
  /** observations to train each estimator on, to test its calibration on, and at the working point */
  observations: { train: number; test: number; workingPoint: number };
  /** top jets per observation */
  jets: number;
  /** the (n1, n2) grid's values on each axis (the shapes with n1 ≤ n2; the correlator is symmetric) */
  grid: number[];
  delta: number;
  equilateralDelta: number;
  nre: Omit<RatioEstimatorConfig, 'seed'>;
  prior: [number, number];
  workingPoint: number;
  seed: number;
}

export const FULL_EEEC_STUDY: EeecStudyConfig = {
  observations: { train: 3000, test: 300, workingPoint: 20 },
  jets: 1000,
  grid: [1, 1.5, 2, 2.5, 3],
  delta: 0.01,
  equilateralDelta: 0.003,
  nre: { hidden: [64, 64], epochs: 40 },
  prior: [170, 180],
  workingPoint: 172.5,
  seed: 20261208,
};

export const QUICK_EEEC_STUDY: EeecStudyConfig = { ...FULL_EEEC_STUDY, observations: { train: 400, test: 100, workingPoint: 5 }, jets: 50, grid: [1, 2, 3], nre: { hidden: [32, 32], epochs: 15 } };

export interface ShapeResult {
  shape: EeecShape;
  label: string;
  /** mean EEEC weight per observation inside the shape's window */
  populated: number;
  trainingSeconds: number;
  coverage: { level: number; coverage: number; error: number; observations: number }[];
  /** the expected-coverage curve: credibility α against the fraction of truths inside HPD_α */
  curve: { level: number; coverage: number }[];
  /** at the working point: each observation's mode and 68% HPD half-width, and the first observation's posterior */
  workingPoint: { modes: number[]; halfWidths: number[]; hpd68: [number, number][]; hpd95: [number, number][]; posterior: { grid: number[]; density: number[] } };
}

export interface EeecStudy {
  config: EeecStudyConfig;
  shapes: ShapeResult[];
  /** the correlator itself: the (1, √2) triangle and the equilateral window over 10⁴ jets at 172 and 178 GeV, normalised per jet */
  projections: { edges: number[]; shapes: { label: string; at172: number[]; at178: number[] }[] };
  seconds: number;
}

export function studyShapes(config: EeecStudyConfig): EeecShape[] {
  const shapes: EeecShape[] = [];
  for (const n1 of config.grid) for (const n2 of config.grid) if (n1 <= n2) shapes.push({ kind: 'triangle', n1, n2, delta: config.delta });
  shapes.push({ kind: 'triangle', n1: 1.02, n2: 1.99, delta: config.delta }, { kind: 'equilateral', delta: config.equilateralDelta });
  return shapes;
}

export function runEeecStudy(config: EeecStudyConfig, onProgress?: (done: number, total: number) => void): EeecStudy {
  const started = performance.now();
  const shapes = studyShapes(config);
  const random = createRandom(deriveSeed(config.seed, 'masses'));
  const [low, high] = config.prior;
  const draw = (n: number) => Float64Array.from({ length: n }, () => low + (high - low) * random.uniform());
  const masses = { train: draw(config.observations.train), test: draw(config.observations.test), workingPoint: new Float64Array(config.observations.workingPoint).fill(config.workingPoint) };
  const total = shapes.length + 3;
  onProgress?.(0, total);
  const train = simulateObservations(masses.train, config.jets, shapes, deriveSeed(config.seed, 'train'));
  onProgress?.(1, total);
  const test = simulateObservations(masses.test, config.jets, shapes, deriveSeed(config.seed, 'test'));
  onProgress?.(2, total);
  const atWorkingPoint = simulateObservations(masses.workingPoint, config.jets, shapes, deriveSeed(config.seed, 'working-point'));
  onProgress?.(3, total);
  const grid = massGrid(config.prior);
  const levels = Array.from({ length: 19 }, (_, k) => 0.05 * (k + 1));
  const bins = train.bins;
  const results = shapes.map((shape, s): ShapeResult => {
    const estimator = trainRatioEstimator(train.summaries[s], masses.train, bins, { ...config.nre, seed: deriveSeed(config.seed, `nre-${s}`) });
    const calibration = expectedCoverage(estimator, test.summaries[s], masses.test, bins, grid, [0.68, 0.95]);
    const curve = levels.map((level) => ({ level, coverage: calibration.credibilities.filter((c) => c <= level).length / calibration.credibilities.length }));
    const posteriors = Array.from(masses.workingPoint, (_, i) => summarisePosterior(estimator, atWorkingPoint.summaries[s].subarray(i * bins, (i + 1) * bins), grid));
    onProgress?.(4 + s, total);
    return {
      shape,
      label: shapeLabel(shape),
      populated: train.populated[s],
      trainingSeconds: estimator.seconds,
      coverage: calibration.coverage,
      curve,
      workingPoint: {
        modes: posteriors.map((p) => p.mode),
        halfWidths: posteriors.map((p) => p.halfWidth68),
        hpd68: posteriors[0].hpd68,
        hpd95: posteriors[0].hpd95,
        posterior: { grid: Array.from(grid), density: Array.from(posteriors[0].density) },
      },
    };
  });
  return { config, shapes: results, projections: projections(config), seconds: (performance.now() - started) / 1000 };
}

function projections(config: EeecStudyConfig): EeecStudy['projections'] {
  const shapes: EeecShape[] = [{ kind: 'triangle', n1: 1, n2: Math.SQRT2, delta: config.delta }, { kind: 'equilateral', delta: config.equilateralDelta }];
  const jets = 10_000;
  const [at172, at178] = [172, 178].map((m) => simulateObservations(Float64Array.of(m), jets, shapes, deriveSeed(config.seed, `projections-${m}`), 2000, false));
  return { edges: [...SUMMARY_EDGES], shapes: shapes.map((shape, s) => ({ label: shapeLabel(shape), at172: Array.from(at172.summaries[s], (v) => v / jets), at178: Array.from(at178.summaries[s], (v) => v / jets) })) };
}
