/**
 * Writes docs/wz.md (issue 17) from a W±Z study (study.ts): parton level (seed 003 fig. 7-9),
 * reco level (fig. 10-11), coverage (fig. 12), with every table and figure of the study.
 */
import { writeFile } from 'node:fs/promises';
import { COLORS, contourPlot, linePlot, type Band, type ContourLayer, type Point, type Series } from '../../render/plots.js';
import type { ProfileContourResult } from '../../models/inference/intervals/contour.js';
import type { ProfileIntervalResult } from '../../models/inference/intervals/profile.js';
import { placeFigures, type DocumentFigure } from '../lib/document-figures.js';
import { PARAMETERS } from '../simulators/wz-physics.js';
import { intervalWidth } from '../../models/inference/intervals/profile.js';
import { PAIRS } from './inference.js';
import { BSM_POINT, PARTON_ESTIMATORS, type PartonEstimator } from './parton.js';
import { RECO_INFERENCES, type RecoInference, type WzStudy } from './study.js';

interface Style {
  color: string;
  label: string;
  dash?: string;
}

export const RECO_STYLE: Record<RecoInference, Style> = {
  truth: { color: COLORS.black, label: 'parton-level truth' },
  lgatr: { color: COLORS.vermilion, label: 'L-GATr' },
  mlp: { color: COLORS.blue, label: 'MLP ensemble' },
  histogram: { color: COLORS.green, label: 'm_T^WZ histogram', dash: '7 4' },
  rate: { color: COLORS.purple, label: 'rate', dash: '2 3' },
};
const PARTON_STYLE: Record<PartonEstimator, Style> = {
  truth: { color: COLORS.black, label: 'truth' },
  derivative: { color: COLORS.vermilion, label: 'derivative learning' },
  morphing: { color: COLORS.blue, label: 'morphing-aware', dash: '7 4' },
};

type Figure = DocumentFigure & { caption: string };
const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-');

/** q(θ_k) curves, members of the banded ones as min–max bands. */
function scanFigure(id: string, title: string, results: Partial<Record<string, ProfileIntervalResult[]>>, styles: Record<string, Style>, order: readonly string[], xDomain: [number, number], xLabel: string, yMax: number): string {
  const series: Series[] = [];
  const bands: Band[] = [];
  for (const name of order) {
    const variants = results[name];
    if (!variants) continue;
    const members = variants.slice(1);
    if (members.length) {
      const x = members[0].scan.map((s) => s.value);
      bands.push({ x, lower: x.map((_, j) => Math.min(...members.map((m) => m.scan[j]?.q ?? NaN))), upper: x.map((_, j) => Math.max(...members.map((m) => m.scan[j]?.q ?? NaN))), color: styles[name].color, opacity: 0.22, label: `${styles[name].label}: members` });
    }
    series.push({ points: variants[0].scan.filter((s) => s.converged).map((s) => [s.value, s.q] as Point), color: styles[name].color, width: 2, dash: styles[name].dash, label: styles[name].label });
  }
  return linePlot({ id, title, xDomain, yDomain: [0, yMax], xLabel, yLabel: 'q = −2 Δln L', series, bands, hlines: [{ y: 0.989, label: '68%', dash: '3 3' }, { y: 3.841, label: '95%', dash: '3 3' }] });
}

function contourFigure(id: string, title: string, results: Partial<Record<string, ProfileContourResult>>, styles: Record<string, Style>, order: readonly string[], xDomain: [number, number], yDomain: [number, number], a: number, b: number, marker: [number, number]): string {
  const layers: ContourLayer[] = [];
  for (const name of order) {
    const result = results[name];
    if (!result) continue;
    result.contours.forEach((level, l) => layers.push({ polygons: level.polygons, color: styles[name].color, width: 2, dash: l === 1 ? '6 3' : undefined, fillOpacity: 0, label: `${styles[name].label} ${Math.round(level.cl * 100)}%` }));
  }
  return contourPlot({ id, title, xDomain, yDomain, xLabel: PARAMETERS[a].name, yLabel: PARAMETERS[b].name, layers, markers: [{ x: marker[0], y: marker[1], shape: 'cross', color: COLORS.black, label: marker[0] === 0 ? 'SM' : 'BSM point' }] });
}

export function wzFigures(study: WzStudy): Figure[] {
  const h = study.halfWidths;
  const out: Figure[] = [];
  const partonRange = (set: 'sm' | 'bsm', k: number): [number, number] => (set === 'sm' ? [-h[k], h[k]] : [BSM_POINT[k] - 2 * h[k], BSM_POINT[k] + 2 * h[k]]);
  for (const set of ['sm', 'bsm'] as const) {
    PARAMETERS.forEach((p, k) => {
      const name = `wz-parton-${set}-${slug(p.name)}`;
      const results = Object.fromEntries(PARTON_ESTIMATORS.map((e) => [e, study.parton.scans[set][e][k]]));
      out.push({ name, caption: `Parton level, ${set === 'sm' ? 'SM' : 'BSM (1, 0.1, 0.1)'} Asimov data at 300 fb⁻¹: q(${p.name}) with the other coefficients at the data's point (seed 003 fig. ${set === 'sm' ? 7 : 9}); bands: the ensemble members.`, svg: scanFigure(name, `Parton level, ${set.toUpperCase()}: q(${p.name})`, results, PARTON_STYLE, ['morphing', 'derivative', 'truth'], partonRange(set, k), `${p.name} at Λ = 1 TeV`, 12) });
    });
    PAIRS.forEach(([a, b], pair) => {
      const name = `wz-parton-${set}-contour-${slug(PARAMETERS[a].name)}-${slug(PARAMETERS[b].name)}`;
      const results = Object.fromEntries(PARTON_ESTIMATORS.map((e) => [e, study.parton.contours[set][e][pair]]));
      const at = set === 'sm' ? [0, 0] : [BSM_POINT[a], BSM_POINT[b]];
      out.push({ name, caption: `Parton level, ${set === 'sm' ? 'SM' : 'BSM'} Asimov data: 68% (solid) and 95% (dashed) regions in (${PARAMETERS[a].name}, ${PARAMETERS[b].name}), the third at the data's point (seed 003 fig. ${set === 'sm' ? 8 : 9}).`, svg: contourFigure(name, `Parton level, ${set.toUpperCase()}`, results, PARTON_STYLE, ['morphing', 'derivative', 'truth'], partonRange(set, a), partonRange(set, b), a, b, at as [number, number]) });
    });
  }
  PARAMETERS.forEach((p, k) => {
    for (const mode of ['alone', 'profiled'] as const) {
      const name = `wz-reco-${mode}-${slug(p.name)}`;
      const results = Object.fromEntries(RECO_INFERENCES.map((n) => [n, mode === 'alone' ? [study.oneAtATime[n][k]] : study.profiled[n][k]]));
      out.push({ name, caption: `Reco level, 300 fb⁻¹, SM Asimov data: q(${p.name}) ${mode === 'alone' ? 'with the other coefficients at zero' : 'with the others profiled'} (seed 003 fig. 10)${mode === 'profiled' ? '; bands: the ensemble members' : ''}.`, svg: scanFigure(name, `Reco level: q(${p.name}), ${mode === 'alone' ? 'others at 0' : 'others profiled'}`, results, RECO_STYLE, ['rate', 'histogram', 'mlp', 'lgatr', 'truth'], [-h[k], h[k]], `${p.name} at Λ = 1 TeV`, 8) });
    }
  });
  PAIRS.forEach(([a, b], pair) => {
    const name = `wz-reco-contour-${slug(PARAMETERS[a].name)}-${slug(PARAMETERS[b].name)}`;
    const results = Object.fromEntries(RECO_INFERENCES.map((n) => [n, study.contours[n]?.[pair]]));
    out.push({ name, caption: `Reco level, 300 fb⁻¹: 68% (solid) and 95% (dashed) regions in (${PARAMETERS[a].name}, ${PARAMETERS[b].name}), the third profiled (seed 003 fig. 11).`, svg: contourFigure(name, 'Reco level, SM Asimov', results, RECO_STYLE, ['rate', 'histogram', 'mlp', 'lgatr', 'truth'], [-h[a], h[a]], [-h[b], h[b]], a, b, [0, 0]) });
  });
  return out;
}

const width = (r: ProfileIntervalResult) => intervalWidth(r, 0.68);
const fmt = (v: number) => (Number.isFinite(v) ? v.toPrecision(3) : 'open');
const segments = (r: ProfileIntervalResult, cl: number) =>
  r.intervals
    .find((i) => i.cl === cl)
    ?.segments.map((s) => `[${s.lowerOpen ? '…' : s.lower.toPrecision(3)}, ${s.upperOpen ? '…' : s.upper.toPrecision(3)}]`)
    .join(' ∪ ') ?? '—';

/** The order of the reco-level inferences by their mean relative 68% width (profiled), narrowest first. */
export function recoOrdering(study: WzStudy): { order: RecoInference[]; perCoefficient: RecoInference[][] } {
  const perCoefficient = PARAMETERS.map((_, k) => [...RECO_INFERENCES].sort((x, y) => width(study.profiled[x][k][0]) - width(study.profiled[y][k][0])));
  const score = (n: RecoInference) => PARAMETERS.reduce((s, _, k) => s + Math.log(Math.min(1e9, width(study.profiled[n][k][0]) / width(study.profiled.truth[k][0]))), 0);
  return { order: [...RECO_INFERENCES].sort((x, y) => score(x) - score(y)), perCoefficient };
}

/** The parton-level estimators whose SM intervals are narrower than the truth's: over-confident, since no likelihood of the same events can know more. */
function overConfident(study: WzStudy): string {
  const found = (['derivative', 'morphing'] as const).flatMap((e) =>
    PARAMETERS.flatMap((p, k) => {
      const ratio = width(study.parton.scans.sm[e][k][0]) / width(study.parton.scans.sm.truth[k][0]);
      return ratio < 0.95 ? [`${PARTON_STYLE[e].label} on ${p.name} (${(100 * ratio).toFixed(0)}% of the truth's width)`] : [];
    }),
  );
  if (!found.length) return 'No estimator is narrower than the truth.';
  return `Narrower than the truth, which no likelihood of the same events can be: ${found.join(', ')}. Those intervals are over-confident: the learned ratio is wrong there, not more informative.`;
}

/** Why the two architectures come out in the order they do, from the training record. */
function architectureComparison(study: WzStudy, order: readonly RecoInference[]): string {
  const t = study.training;
  const c = study.config.reco;
  const facts = `The L-GATr (${c.lgatr.members} members, ${c.lgatr.blocks} block of ${c.lgatr.channels} multivector and ${c.lgatr.scalarChannels} scalar channels) trained ${c.lgatr.epochs} epochs in ${t.lgatr.seconds.toFixed(0)} s at ${t.lgatr.eventsPerSecond.toFixed(0)} events/s on ${t.lgatr.backend}, the MLP ensemble (${c.mlp.members} × ${JSON.stringify(c.mlp.hidden)}) ${c.mlp.epochs} epochs in ${t.mlp.seconds.toFixed(0)} s at ${t.mlp.eventsPerSecond.toFixed(0)} events/s, on the same ${t.mlp.trainingEvents} events; their final validation losses are ${t.lgatr.finalValidationLoss?.toFixed(4)} and ${t.mlp.finalValidationLoss?.toFixed(4)}.`;
  if (order.indexOf('lgatr') < order.indexOf('mlp')) return `${facts} The L-GATr's likelihood is the tighter, as in the seed.`;
  return `${facts} Here the MLP's likelihood is the tighter, against the seed's finding: the L-GATr is trained on the CPU's WebAssembly backend, about ${(t.mlp.eventsPerSecond / t.lgatr.eventsPerSecond).toFixed(0)} times slower per event than the MLP, so it is far smaller than the seed's (one block of four multivector channels) within the same epochs. The seed's advantage of equivariance (sample efficiency on the lepton momenta) is not reproduced at this budget; the GPU backend (issue 22) is where a seed-sized L-GATr would train.`;
}

export async function writeWzReport(study: WzStudy, documentPath: string, command: string): Promise<void> {
  const figures = wzFigures(study);
  const paths = await placeFigures(documentPath, figures, []);
  const show = (name: string) => `![${name}](${paths.get(name)})\n\n*${figures.find((f) => f.name === name)!.caption}*`;
  const g = study.generator;
  const t = study.training;
  const { order, perCoefficient } = recoOrdering(study);
  const expected = ['truth', 'lgatr', 'mlp', 'histogram', 'rate'];
  const names = PARAMETERS.map((p) => p.name);
  const recoRows = (mode: 'alone' | 'profiled') =>
    RECO_INFERENCES.map((n) => `| ${RECO_STYLE[n].label} | ${PARAMETERS.map((_, k) => {
      const r = mode === 'alone' ? study.oneAtATime[n][k] : study.profiled[n][k][0];
      return `${segments(r, 0.68)} (${fmt(width(r))})`;
    }).join(' | ')} |`).join('\n');
  const partonRows = (set: 'sm' | 'bsm') => PARTON_ESTIMATORS.map((e) => `| ${PARTON_STYLE[e].label} | ${PARAMETERS.map((_, k) => segments(study.parton.scans[set][e][k][0], 0.68)).join(' | ')} |`).join('\n');
  const coverageRows = (['truth', 'mlp', 'lgatr'] as const).map((n) => `| ${n === 'truth' ? 'exact coefficients (control)' : RECO_STYLE[n].label} | ${study.coverage[n].estimates.map((e) => `${(100 * e.coverage).toFixed(1)} ± ${(100 * e.error).toFixed(1)}%`).join(' | ')} | ${study.coverage[n].toys} (${study.coverage[n].failed} failed) |`).join('\n');
  const text = `# W±Z in the SMEFT: parton and reco level, derivative learning, morphing and L-GATr (seed 003 sec. 4)

Generated by \`${command}\` (${study.seconds.toFixed(0)} s; every number below is from that run, seed ${study.config.seed}).

**Physics** (scripts/simulators/wz-physics.ts, wz-amplitudes.ts): q q̄' → W±Z → ℓν ℓℓ at leading order, √s = 13.6 TeV, 300 fb⁻¹, both diagrams, narrow-width W and Z with full spin correlations, the three operators of seed 003 eq. 45 (${names.join(', ')}; WCxf ${PARAMETERS.map((p) => p.wcxf).join(', ')}) at Λ = 1 TeV through the project's stated linearised dictionary, the Drell–Yan study's stand-in parton densities. Every event carries its exact coefficients on the degree-2 basis.
**Detector** (scripts/simulators/wz-detector.ts): Drell–Yan-like lepton smearing and 95% efficiency, missing E_T from the neutrino and a measured ISR recoil, and the seed's cuts (eq. 47-48, without the jet veto).

## The selected cross section

σ × BR × acceptance = **${(g.sigmaPb * 1000).toFixed(2)} ± ${(g.sigmaErrorPb * 1000).toFixed(2)} fb** at the SM (${g.selected} selected events of ${study.config.generatorEvents} generated, worth ${g.effectiveEvents.toFixed(0)} unweighted ones), ${(g.sigmaPb * 1000 * 300).toFixed(0)} events expected at 300 fb⁻¹ (W → eν, μν and Z → ee, μμ; generated as e ν μμ, the four combinations counted alike). Its coefficients on the basis (1, ${names.join(', ')}, then the quadratic monomials):

| | ${g.coefficients.map((_, k) => `s_${k}`).join(' | ')} |
| --- | ${g.coefficients.map(() => '---').join(' | ')} |
| value | ${g.coefficients.map((c) => c.toPrecision(4)).join(' | ')} |
| MC error | ${g.errors.map((c) => c.toPrecision(2)).join(' | ')} |

The m_T^WZ histogram's underflow (below 200 GeV) holds ${(100 * study.test.belowHistogram).toFixed(1)}% of the selected cross section; it is kept as an eighth bin so that the histogram holds every event the rate does.

## Parton level (fig. 7-9)

Derivative learning at θ0 (${study.parton.training.derivative.events} events, ${study.config.parton.derivative.members} members of ${JSON.stringify(study.config.parton.derivative.hidden)}, ${study.parton.training.derivative.seconds.toFixed(0)} s) and morphing-aware estimation at app. C's nine basis points (${study.config.parton.morphingEventsPerBenchmark} events per benchmark, ${study.config.parton.morphing.members} members of ${JSON.stringify(study.config.parton.morphing.hidden)} each, eq. 55's MSE loss, ${study.parton.training.morphing.seconds.toFixed(0)} s), both on (ln ŝ, −t̂/ŝ, y, charge), against the exact production-level ratio (the decays averaged exactly). Asimov data of ${study.parton.test.events} test events (${study.parton.test.expectedEvents.toFixed(0)} expected at 300 fb⁻¹, stable W and Z).

68% intervals, one coefficient at a time, SM data:

| | ${names.join(' | ')} |
| --- | --- | --- | --- |
${partonRows('sm')}

${overConfident(study)}

68% intervals at the BSM point (1, 0.1, 0.1), the others held there:

| | ${names.join(' | ')} |
| --- | --- | --- | --- |
${partonRows('bsm')}

${PARAMETERS.map((p) => show(`wz-parton-sm-${slug(p.name)}`)).join('\n\n')}

${PAIRS.map(([a, b]) => show(`wz-parton-sm-contour-${slug(PARAMETERS[a].name)}-${slug(PARAMETERS[b].name)}`)).join('\n\n')}

${PARAMETERS.map((p) => show(`wz-parton-bsm-${slug(p.name)}`)).join('\n\n')}

${PAIRS.map(([a, b]) => show(`wz-parton-bsm-contour-${slug(PARAMETERS[a].name)}-${slug(PARAMETERS[b].name)}`)).join('\n\n')}

## Reco level (fig. 10-11)

Derivative learning with fractional smearing (t = ${study.config.reco.fractionalSmearing.threshold} on every R_i, R_ij, at most ${study.config.reco.fractionalSmearing.maxCopies} copies): ${study.config.reco.partonEvents} parton events became ${t.mlp.smearing.expanded} copies and ${t.mlp.trainingEvents} selected training events, the same for both architectures.

| | MLP ensemble | L-GATr |
| --- | --- | --- |
| members | ${study.config.reco.mlp.members} × ${JSON.stringify(study.config.reco.mlp.hidden)} | ${study.config.reco.lgatr.members} × (${study.config.reco.lgatr.blocks} blocks, ${study.config.reco.lgatr.channels} multivector and ${study.config.reco.lgatr.scalarChannels} scalar channels, ${study.config.reco.lgatr.heads} heads) |
| epochs, loss weighting | ${study.config.reco.mlp.epochs}, relative floor ${study.config.reco.mlp.relativeFloor ?? '—'} | ${study.config.reco.lgatr.epochs}, relative floor ${study.config.reco.lgatr.relativeFloor ?? '—'} |
| training | ${t.mlp.seconds.toFixed(0)} s (${t.mlp.eventsPerSecond.toFixed(0)} events/s, ${t.mlp.backend}) | ${t.lgatr.seconds.toFixed(0)} s (${t.lgatr.eventsPerSecond.toFixed(0)} events/s, ${t.lgatr.backend}) |
| final loss (validation) | ${t.mlp.finalLoss.toFixed(4)} (${t.mlp.finalValidationLoss?.toFixed(4) ?? '—'}) | ${t.lgatr.finalLoss.toFixed(4)} (${t.lgatr.finalValidationLoss?.toFixed(4) ?? '—'}) |
| frozen runtime vs tfjs (max relative) | ${t.mlp.parity.toExponential(2)} | ${t.lgatr.parity.toExponential(2)} |

All five inferences see the same ${study.test.events} selected test events as Asimov data at the SM (${study.test.expectedEvents.toFixed(0)} expected events).

68% intervals (total width in brackets), one coefficient at a time (others 0):

| | ${names.join(' | ')} |
| --- | --- | --- | --- |
${recoRows('alone')}

68% intervals, the others profiled:

| | ${names.join(' | ')} |
| --- | --- | --- | --- |
${recoRows('profiled')}

**Ordering found** (profiled 68% widths, geometric mean relative to the truth): ${order.map((n) => RECO_STYLE[n].label).join(' ≤ ')}. ${order.join(',') === expected.join(',') ? 'This is the seed\'s ordering, truth ≤ L-GATr ≤ MLP ≤ histogram ≤ rate.' : `The seed's ordering is truth ≤ L-GATr ≤ MLP ≤ histogram ≤ rate; here it differs.`} Per coefficient: ${PARAMETERS.map((p, k) => `${p.name}: ${perCoefficient[k].map((n) => RECO_STYLE[n].label).join(' ≤ ')}`).join('; ')}.

${architectureComparison(study, order)}

${PARAMETERS.map((p) => show(`wz-reco-alone-${slug(p.name)}`)).join('\n\n')}

${PARAMETERS.map((p) => show(`wz-reco-profiled-${slug(p.name)}`)).join('\n\n')}

${PAIRS.map(([a, b]) => show(`wz-reco-contour-${slug(PARAMETERS[a].name)}-${slug(PARAMETERS[b].name)}`)).join('\n\n')}

## Coverage (fig. 12)

Toys at the SM: n ~ Poisson(${study.coverage.mlp.expectedEvents.toFixed(0)}) events drawn (∝ weight, with replacement) from the generator's ${study.coverage.mlp.pool} selected events, which no network was trained on; q(θ_SM) with all three coefficients pinned against χ²₃. The likelihoods are the published ones: the network's ĉ with σ(θ) the mean ĉ over those same events (eq. 34); the control uses the events' exact coefficients the same way. Because the toys come from the sample σ(θ) was summed over, they see σ(θ) as exact: its own Monte Carlo error shifts the score at the SM by about √(${study.coverage.mlp.expectedEvents.toFixed(0)}/${g.effectiveEvents.toFixed(0)}) = ${Math.sqrt(study.coverage.mlp.expectedEvents / g.effectiveEvents).toFixed(2)} of its standard deviation, which real data would see and these toys do not.

| | ${study.coverage.mlp.estimates.map((e) => `${(100 * e.cl).toFixed(1)}%`).join(' | ')} | toys |
| --- | ${study.coverage.mlp.estimates.map(() => '---').join(' | ')} | --- |
${coverageRows}
`;
  await writeFile(documentPath, text);
}
