/**
 * The four-top figures (seed 000 figs. 3, 5, 9-13), drawn with the result pages' SVG plots
 * and published as figure components of the artifacts.
 */
import { COLORS, contourPlot, heatmapPlot, linePlot, type ContourLayer, type Series } from '../../render/plots.js';
import type { ProfileContourResult } from '../../models/inference/intervals/contour.js';
import type { ProfileIntervalResult } from '../../models/inference/intervals/profile.js';
import type { BinnedModelSpec } from '../../models/terms/binned/schema.js';
import { eventRatio, FEATURE_COUNT, TTTT_YT_COEFFICIENTS, type FourTopSample, type Process } from '../simulators/four-top.js';
import { categoryCell, CATEGORY_COUNT } from './binning.js';
import type { TrainedMlp } from '../training/weighted-mlp.js';
import { channelName } from './templates.js';

const LUMI_COLORS = [COLORS.sky, COLORS.blue, COLORS.vermilion, COLORS.green];

export function categoryMapFigure(spec: BinnedModelSpec): string {
  const cells = [];
  for (let c = 0; c < CATEGORY_COUNT; c++) {
    const { i, j } = categoryCell(c);
    const channel = spec.channels.find((ch) => ch.name === channelName(c));
    let s = 0;
    let b = 0;
    for (const sample of channel?.samples ?? []) for (const k of sample.coefficients) (sample.name === 'tttt' ? (s += k[0]) : (b += k[0]));
    cells.push({ x0: i / 10, x1: (i + 1) / 10, y0: j / 10, y1: (j + 1) / 10, value: b > 0 ? s / Math.sqrt(b) : 0, text: channel ? `${s.toFixed(1)}` : '' });
  }
  return heatmapPlot({
    id: 'category-map',
    xDomain: [0, 1],
    yDomain: [0, 1],
    xLabel: 'p(tt̄tt̄) of the background-rejection network',
    yLabel: 'p(tt̄H)',
    title: 'The 55 categories',
    description: 'Cells of 0.1 × 0.1 in (p_tttt, p_ttH) with p_tttt + p_ttH ≤ 1; shading S/√B, text the expected tt̄tt̄ events.',
    cells,
    color: COLORS.blue,
    valueLabel: 'S/√B; text: expected tt̄tt̄ events',
  });
}

/** Histogram of the parameter network's output for tt̄tt̄ at Y_t = 0, 1, 2 and for the backgrounds (unit area). */
export function outputFigure(samples: Record<Process, FourTopSample>, evaluate: (s: FourTopSample, c: TrainedMlp, p: TrainedMlp) => { score: Float32Array }, networks: { classifier: TrainedMlp; parameter: TrainedMlp }): string {
  const bins = 25;
  const histogram = (sample: FourTopSample, weightAt: (i: number) => number) => {
    const { score } = evaluate(sample, networks.classifier, networks.parameter);
    const h = new Array<number>(bins).fill(0);
    let total = 0;
    for (let i = 0; i < sample.count; i++) {
      const w = weightAt(i);
      h[Math.min(bins - 1, Math.floor(score[i] * bins))] += w;
      total += w;
    }
    return h.map((v) => v / total);
  };
  const tttt = samples.tttt;
  const at = (Y: number) => (i: number) => eventRatio(tttt, i, [Y]);
  const step = (values: number[]) => values.flatMap((v, b) => [[b / bins, v] as const, [(b + 1) / bins, v] as const]);
  const series: Series[] = [
    { points: step(histogram(tttt, at(1))), color: COLORS.black, label: 'tt̄tt̄, Y_t = 1' },
    { points: step(histogram(tttt, at(0))), color: COLORS.blue, dash: '6 4', label: 'tt̄tt̄, Y_t = 0' },
    { points: step(histogram(tttt, at(2))), color: COLORS.vermilion, dash: '2 3', label: 'tt̄tt̄, Y_t = 2' },
    { points: step(histogram(samples.ttH, () => 1)), color: COLORS.green, label: 'tt̄H' },
    { points: step(histogram(samples.tt, () => 1)), color: COLORS.orange, label: 'tt̄' },
  ];
  const top = Math.max(...series.flatMap((s) => s.points.map((p) => p[1])));
  return linePlot({ id: 'parameter-output', xDomain: [0, 1], yDomain: [0, top * 1.15], xLabel: 'parameter-network output s(x)', yLabel: 'fraction of events', title: 'Parameter-network output', series });
}

/**
 * A feature's distribution for tt̄tt̄ events weighted to Y_t = 0, 1 and 2 (seed 000 fig. 2):
 * high-weight events (those the Higgs-mediated amplitude dominates) look different.
 */
export function featureFigure(sample: FourTopSample, feature: number, name: string, range: [number, number], id: string): string {
  const bins = 30;
  const histogram = (Y: number) => {
    const h = new Array<number>(bins).fill(0);
    let total = 0;
    for (let i = 0; i < sample.count; i++) {
      const w = sample.weights[i] * eventRatio(sample, i, [Y]);
      const v = sample.features[i * FEATURE_COUNT + feature];
      const b = Math.floor(((v - range[0]) / (range[1] - range[0])) * bins);
      if (b >= 0 && b < bins) h[b] += w;
      total += w;
    }
    return h.map((v) => v / total);
  };
  const width = (range[1] - range[0]) / bins;
  const step = (values: number[]) => values.flatMap((v, b) => [[range[0] + b * width, v] as const, [range[0] + (b + 1) * width, v] as const]);
  const series: Series[] = [
    { points: step(histogram(1)), color: COLORS.black, label: 'tt̄tt̄ at Y_t = 1' },
    { points: step(histogram(0)), color: COLORS.blue, dash: '6 4', label: 'weighted to Y_t = 0' },
    { points: step(histogram(2)), color: COLORS.vermilion, dash: '2 3', label: 'weighted to Y_t = 2' },
  ];
  const top = Math.max(...series.flatMap((x) => x.points.map((p) => p[1])));
  return linePlot({ id, xDomain: range, yDomain: [0, top * 1.15], xLabel: name, yLabel: 'fraction of events', title: `${name} of tt̄tt̄ events at three Y_t`, series });
}

export function scanFigure(scans: readonly { label: string; luminosity: number; result: ProfileIntervalResult }[], id: string): string {
  const luminosities = [...new Set(scans.map((s) => s.luminosity))];
  const labels = [...new Set(scans.map((s) => s.label))];
  const dashes = ['', '7 4', '2 3', '10 3 2 3'];
  const series: Series[] = scans.map((s) => ({
    points: s.result.scan.map((p) => [p.value, p.q] as const),
    color: luminosities.length > 1 ? LUMI_COLORS[luminosities.indexOf(s.luminosity) % LUMI_COLORS.length] : LUMI_COLORS[labels.indexOf(s.label) % LUMI_COLORS.length],
    dash: luminosities.length > 1 ? dashes[labels.indexOf(s.label)] || undefined : dashes[labels.indexOf(s.label)] || undefined,
    label: `${s.label}, ${s.luminosity} fb⁻¹`,
  }));
  return linePlot({
    id,
    xDomain: [0, 3.5],
    yDomain: [0, 6],
    xLabel: 'Y_t = |y_t / y_t^SM|',
    yLabel: '−2 Δln L (expected)',
    title: 'Expected profile-likelihood scans of Y_t',
    series,
    hlines: [
      { y: 1, label: '68%' },
      { y: 3.84, label: '95%' },
    ],
  });
}

export function crossSectionFigure(scans: readonly { luminosity: number; result: ProfileIntervalResult }[]): string {
  const { c0, c2, c4 } = TTTT_YT_COEFFICIENTS;
  const sigma = (y: number) => 12 * (c0 + c2 * y * y + c4 * y ** 4);
  const xs = Array.from({ length: 141 }, (_, k) => (3.5 * k) / 140);
  const spans = scans.flatMap((s, k) =>
    (s.result.intervals.find((i) => i.cl === 0.68)?.segments ?? []).map((seg) => ({ from: seg.lower, to: seg.upper, color: LUMI_COLORS[k % LUMI_COLORS.length], opacity: 0.18, label: `68% CL, ${s.luminosity} fb⁻¹` })),
  );
  return linePlot({
    id: 'cross-section',
    xDomain: [0, 3.5],
    yDomain: [0, sigma(3.5) * 1.05],
    xLabel: 'Y_t = |y_t / y_t^SM|',
    yLabel: 'σ(tt̄tt̄) [fb]',
    title: 'σ(tt̄tt̄) against Y_t',
    series: [{ points: xs.map((x) => [x, sigma(x)] as const), color: COLORS.black, label: `σ = 12 fb × (${c0.toFixed(3)} ${c2.toFixed(3)} Y² + ${c4.toFixed(3)} Y⁴)` }],
    spans,
  });
}

export function contourFigure(contours: readonly { label: string; luminosity: number; result: ProfileContourResult }[]): string {
  const layers: ContourLayer[] = [];
  contours.forEach((c, k) => {
    for (const level of c.result.contours) {
      layers.push({
        polygons: level.polygons,
        color: LUMI_COLORS[k % LUMI_COLORS.length],
        dash: level.cl === 0.68 ? undefined : '7 4',
        width: level.cl === 0.68 ? 2.2 : 1.6,
        label: `${Math.round(level.cl * 100)}%, ${c.label}, ${c.luminosity} fb⁻¹`,
      });
    }
  });
  return contourPlot({
    id: 'cp-contours',
    xDomain: [0, 2],
    yDomain: [-1.5, 1.5],
    xLabel: 'a_t',
    yLabel: 'b_t',
    title: 'Expected regions in (a_t, b_t)',
    layers,
    markers: [{ x: 1, y: 0, shape: 'diamond', color: COLORS.black, label: 'SM' }],
  });
}

