/**
 * Issue 6's figures as SVG components of `dy-smeft-run3` (and files beside docs/drell-yan.md):
 * the profile scans of each Wilson coefficient for the four inferences with the ensemble's
 * band (seed 003 fig. 10), the 2-D contours of each pair (fig. 11), the coverage (fig. 12)
 * and the training curves.
 */
import { COLORS, contourPlot, linePlot, type Band, type ContourLayer, type Point, type Series } from '../../render/plots.js';
import type { CoverageRun } from '../../models/inference/coverage.js';
import type { ComponentInput } from '../lib/artifact-writer.js';
import { PARAMETERS } from '../simulators/drell-yan-physics.js';
import { PAIRS, type Evaluation, type EvaluationConfig, type Inference, type InferenceScans } from './evaluate.js';
import type { TrainedDrellYan } from './learned.js';

export const STYLE: Record<Inference, InferenceStyle> = {
  truth: { color: COLORS.black, label: 'parton-level truth' },
  learned: { color: COLORS.vermilion, label: 'learned (ensemble mean)' },
  histogram: { color: COLORS.blue, label: 'm_ℓℓ histogram', dash: '7 4' },
  rate: { color: COLORS.green, label: 'rate', dash: '2 3' },
};

const figure = (name: string, description: string, svg: string): ComponentInput => ({ name, kind: 'figure', file: `${name}.svg`, description, payload: { svg } });

export interface InferenceStyle {
  color: string;
  label: string;
  dash?: string;
}

/** The scans and contours a figure draws, by inference (evaluate.ts's `InferenceScans`). */
type Drawn<N extends string> = Pick<InferenceScans<N>, 'scans' | 'contours'> & { config: EvaluationConfig };

/** q(θ_k) of the four inferences, the learned members as a band (min–max over members). */
export function scanFigure(evaluation: Evaluation, k: number): ComponentInput {
  return inferenceScanFigure(evaluation, k, ['rate', 'histogram', 'learned', 'truth'], STYLE, 'learned', 'the four inferences');
}

/**
 * q(θ_k) of each inference in `order` (drawn in that order, the last on top); the members of
 * `banded` (when it has any) as a band, min–max over members.
 */
export function inferenceScanFigure<N extends string>(evaluation: Drawn<N>, k: number, order: readonly N[], style: Record<N, InferenceStyle>, banded: N, what: string): ComponentInput {
  const p = PARAMETERS[k];
  const points = (inference: N, variant = 0): Point[] => evaluation.scans[inference][k][variant].scan.filter((s) => s.converged).map((s) => [s.value, s.q] as Point);
  const series: Series[] = order.map((inference) => ({ points: points(inference), color: style[inference].color, width: 2, dash: style[inference].dash, label: style[inference].label }));
  const members = evaluation.scans[banded][k].slice(1);
  const bands: Band[] = [];
  if (members.length) {
    const x = members[0].scan.map((s) => s.value);
    bands.push({
      x,
      lower: x.map((_, j) => Math.min(...members.map((m) => m.scan[j].q))),
      upper: x.map((_, j) => Math.max(...members.map((m) => m.scan[j].q))),
      color: style[banded].color,
      opacity: 0.25,
      label: `${style[banded].label.replace(/ \(ensemble mean\)$/, '')}: members (min–max of ${members.length})`,
    });
  }
  const svg = linePlot({
    id: `scan-${p.name}`,
    title: `Expected q(${p.name}), the others profiled (300 fb⁻¹, SM)`,
    xDomain: evaluation.config.range,
    yDomain: [0, 8],
    xLabel: `${p.name} (${p.wcxf}) at Λ = 1 TeV`,
    yLabel: 'q = −2 Δln L',
    series,
    bands,
    hlines: [
      { y: 0.989, label: '68%', dash: '3 3' },
      { y: 3.841, label: '95%', dash: '3 3' },
    ],
  });
  return figure(`scan-${p.name.toLowerCase().replace(/_/g, '-')}`, `Expected profile-likelihood ratio of ${p.name} with the other two coefficients profiled, for ${what} on the same test data (seed 003 fig. 10); band: the ensemble members.`, svg);
}

/** 68% and 95% regions of a pair, truth, learned (mean and members) and histogram. */
export function contourFigure(evaluation: Evaluation, pair: number): ComponentInput {
  return inferenceContourFigure(evaluation, pair, ['histogram', 'learned', 'truth'], STYLE);
}

/** 68% and 95% regions of a pair for each inference in `order` (the last on top), each variant's (thin lines: members). */
export function inferenceContourFigure<N extends string>(evaluation: Drawn<N>, pair: number, order: readonly N[], style: Record<N, InferenceStyle>): ComponentInput {
  const [a, b] = PAIRS[pair];
  const layers: ContourLayer[] = [];
  order.forEach((inference) => {
    const results = evaluation.contours[inference]?.[pair] ?? [];
    results.forEach((result, variant) => {
      result.contours.forEach((level, l) => {
        layers.push({
          polygons: level.polygons,
          color: style[inference].color,
          width: variant === 0 ? 2 : 0.8,
          dash: l === 1 ? '6 3' : undefined,
          fillOpacity: 0,
          label: variant === 0 ? `${style[inference].label} ${Math.round(level.cl * 100)}%` : variant === 1 ? `${style[inference].label.replace(/ \(ensemble mean\)$/, '')}: members ${Math.round(level.cl * 100)}%` : undefined,
        });
      });
    });
  });
  const svg = contourPlot({
    id: `contour-${pair}`,
    title: `Expected 68% and 95% regions in (${PARAMETERS[a].name}, ${PARAMETERS[b].name}), the third profiled`,
    xDomain: [-evaluation.config.contourHalfWidths[a], evaluation.config.contourHalfWidths[a]],
    yDomain: [-evaluation.config.contourHalfWidths[b], evaluation.config.contourHalfWidths[b]],
    xLabel: PARAMETERS[a].name,
    yLabel: PARAMETERS[b].name,
    layers,
    markers: [{ x: 0, y: 0, shape: 'cross', color: COLORS.black, label: 'SM' }],
  });
  const name = `contour-${PARAMETERS[a].name}-${PARAMETERS[b].name}`.toLowerCase().replace(/_/g, '-');
  return figure(name, `Expected 2-D regions of (${PARAMETERS[a].name}, ${PARAMETERS[b].name}), the third coefficient profiled (seed 003 fig. 11): solid 68%, dashed 95%; thin lines: the ensemble members.`, svg);
}

/** Empirical against nominal coverage with binomial errors (seed 003 fig. 12). */
export function coverageFigure(coverage: CoverageRun): ComponentInput {
  const e = coverage.estimates;
  const svg = linePlot({
    id: 'coverage',
    title: `Coverage of the learned likelihood: ${e[0]?.toys ?? 0} toys at the SM, joint 3-D regions`,
    xDomain: [0, 1],
    yDomain: [0, 1],
    xLabel: 'nominal coverage',
    yLabel: 'empirical coverage',
    series: [
      { points: [[0, 0], [1, 1]], color: COLORS.grey, width: 1, dash: '4 4', label: 'ideal' },
      { points: e.map((x) => [x.cl, x.coverage] as Point), color: COLORS.vermilion, width: 1.5, label: 'learned, ±1σ binomial band' },
    ],
    bands: [{ x: e.map((x) => x.cl), lower: e.map((x) => x.coverage - x.error), upper: e.map((x) => x.coverage + x.error), color: COLORS.vermilion, opacity: 0.25 }],
    markers: e.map((x) => ({ x: x.cl, y: x.coverage, shape: 'circle' as const, color: COLORS.vermilion })),
  });
  return figure('coverage', 'Empirical against nominal coverage of the joint 3-D confidence regions of the learned likelihood, toys drawn from the generator at the SM (seed 003 fig. 12); band: binomial standard errors.', svg);
}

/**
 * Coverage curves of several toy studies (drell-yan-coverage): per true θ, the learned
 * likelihood (solid, with its binomial band) and the parton-level truth on the same toys (dashed).
 */
export function coverageComparisonFigure(studies: readonly { at: readonly number[]; learned: CoverageRun; truth: CoverageRun; label?: string }[]): ComponentInput {
  const colors = [COLORS.vermilion, COLORS.blue, COLORS.green, COLORS.purple];
  const where = (at: readonly number[]) => (at.every((v) => v === 0) ? 'the SM' : PARAMETERS.flatMap((p, k) => (at[k] === 0 ? [] : [`${p.name} = ${at[k]}`])).join(', '));
  const series: Series[] = [{ points: [[0, 0], [1, 1]], color: COLORS.grey, width: 1, dash: '4 4', label: 'ideal' }];
  const bands: Band[] = [];
  studies.forEach((study, i) => {
    const color = colors[i % colors.length];
    const e = study.learned.estimates;
    const name = study.label ? `${study.label}, ` : '';
    series.push({ points: e.map((x) => [x.cl, x.coverage] as Point), color, width: 1.5, label: `learned ${name}at ${where(study.at)}` });
    series.push({ points: study.truth.estimates.map((x) => [x.cl, x.coverage] as Point), color, width: 1, dash: '6 3', label: `truth, at ${where(study.at)}` });
    bands.push({ x: e.map((x) => x.cl), lower: e.map((x) => x.coverage - x.error), upper: e.map((x) => x.coverage + x.error), color, opacity: 0.2 });
  });
  const toys = studies[0]?.learned.estimates[0]?.toys ?? 0;
  const svg = linePlot({ id: 'coverage-comparison', title: `Coverage of the joint 3-D regions: ${toys} toys per point, learned and truth on the same events`, xDomain: [0, 1], yDomain: [0, 1], xLabel: 'nominal coverage', yLabel: 'empirical coverage', series, bands });
  return figure('coverage-comparison', 'Empirical against nominal coverage of the joint 3-D confidence regions, toys drawn from the generator at each true θ: the learned likelihood (solid, band: binomial standard errors) and the parton-level truth on the same toys (dashed).', svg);
}

/** The ensemble's training and validation loss per epoch. */
export function trainingFigure(trained: TrainedDrellYan): ComponentInput {
  const h = trained.training.history;
  const values = h.flatMap((x) => (x.validationLoss === null ? [x.loss] : [x.loss, x.validationLoss]));
  const svg = linePlot({
    id: 'training',
    title: `Derivative learning: ${trained.training.members} members, ${trained.training.trainingEvents} weighted events, ${trained.training.backend}`,
    xDomain: [1, Math.max(2, h.length)],
    yDomain: [0, Math.max(...values) * 1.05],
    xLabel: 'epoch',
    yLabel: 'loss (mean over members, standardised)',
    series: [
      { points: h.map((x) => [x.epoch, x.loss] as Point), color: COLORS.blue, width: 2, label: 'training' },
      { points: h.filter((x) => x.validationLoss !== null).map((x) => [x.epoch, x.validationLoss!] as Point), color: COLORS.orange, width: 2, dash: '6 3', label: 'validation' },
    ],
  });
  return figure('training', 'Training and validation loss of the derivative-learning ensemble per epoch.', svg);
}
