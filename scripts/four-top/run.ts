/**
 * `four-top`: the whole of issue 7 in one command — train, bin, build templates, scan, export
 * to pyhf, publish `tttt-yukawa`, `tttt-yukawa-np`, `tttt-cp`, `tttt-cp-np`, and write
 * docs/four-top.md with every figure and number.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { profileContour, type ProfileContourResult } from '../../models/inference/intervals/contour.js';
import type { ProfileIntervalResult } from '../../models/inference/intervals/profile.js';
import type { BinnedModelSpec } from '../../models/terms/binned/schema.js';
import { writeCatalogueIndex } from '../lib/catalogue-index.js';
import { PROCESSES, SELECTED_CROSS_SECTION, TTTT_INCLUSIVE_FB, TTTT_YT_COEFFICIENTS, type Process } from '../simulators/four-top.js';
import { backendProvenance } from '../training/backend.js';
import { CATEGORY_COUNT } from './binning.js';
import { exportPatchSet, exportSmEquivalence } from './export.js';
import { categoryMapFigure, contourFigure, crossSectionFigure, featureFigure, outputFigure, scanFigure } from './figures.js';
import { formatSegments } from './report.js';
import {
  crossSectionOnlySpec,
  DEFAULT_CONFIG,
  evaluateNetworks,
  optimalBinning,
  PARAMETER_RANGES,
  publishTemplates,
  simulateStudy,
  studyTemplates,
  templateLikelihood,
  trainNetworks,
  yukawaScan,
  type FourTopConfig,
} from './pipeline.js';

export interface RunOptions {
  out: string;
  docs: string | null;
  exports: string | null;
  version: string;
  config?: Partial<FourTopConfig>;
  log?: (line: string) => void;
}

export interface Interval68And95 {
  label: string;
  luminosity: number;
  best: number;
  i68: string;
  i95: string;
  converged: boolean;
}

const fmtSegments = (r: ProfileIntervalResult, cl: number) => formatSegments(r.intervals.find((i) => i.cl === cl)!.segments);

export async function runFourTop(options: RunOptions) {
  const config: FourTopConfig = { ...DEFAULT_CONFIG, ...options.config };
  const log = options.log ?? (() => undefined);
  const t0 = performance.now();
  const seconds = () => ((performance.now() - t0) / 1000).toFixed(0);

  log(`[simulate] ${PROCESSES.map((p) => `${p} ${config.trainingEvents[p]} + ${config.templateEvents[p]}`).join(', ')} events`);
  const yukawa = simulateStudy(config, 'yukawa');
  const cp = { templates: simulateStudy({ ...config, trainingEvents: { tttt: 1, ttH: 1, tt: 1 } }, 'cp').templates };

  const generator = generatorCoefficients(yukawa.templates.tttt);
  log(`[simulate] σ_tttt(Y)/σ_SM = ${generator.c0.toFixed(4)} + ${generator.c2.toFixed(4)} Y² + ${generator.c4.toFixed(4)} Y⁴; destructive interference for ${(100 * generator.destructive).toFixed(1)}% of the events`);

  log('[train] background rejection, parameter network (global weights), ablation (local weights)');
  const networks = await trainNetworks(yukawa.training, config, log);
  const evaluatedTraining = Object.fromEntries(PROCESSES.map((p) => [p, evaluateNetworks(yukawa.training[p], networks.classifier, networks.parameter)])) as Record<Process, ReturnType<typeof evaluateNetworks>>;
  const evaluatedAblation = Object.fromEntries(PROCESSES.map((p) => [p, evaluateNetworks(yukawa.training[p], networks.classifier, networks.ablation)])) as Record<Process, ReturnType<typeof evaluateNetworks>>;

  log(`[bin] optimal binning per category (${seconds()} s)`);
  const binning = optimalBinning(yukawa.training, evaluatedTraining, config);
  const ablationBinning = optimalBinning(yukawa.training, evaluatedAblation, config);
  const yt = studyTemplates('yukawa', yukawa.templates, networks, binning, config);
  const ytAblation = studyTemplates('yukawa', yukawa.templates, { classifier: networks.classifier, parameter: networks.ablation }, ablationBinning, config);
  const cpt = studyTemplates('cp', cp.templates, networks, binning, config);
  // the categories alone (one bin each): what the parameter network's binning adds
  const ytCategories = studyTemplates('yukawa', yukawa.templates, networks, { edges: binning.edges.map(() => []) }, config);
  const bins = (spec: BinnedModelSpec) => spec.channels.reduce((n, c) => n + c.samples[0].coefficients.length, 0);
  log(`[templates] ${yt.parametrised.channels.length} of ${CATEGORY_COUNT} categories used, ${bins(yt.parametrised)} bins`);

  log(`[scan] Y_t at ${config.luminosities.join(', ')} fb⁻¹ (${seconds()} s)`);
  const range: [number, number] = [0, 3.5];
  const scans: { label: string; luminosity: number; result: ProfileIntervalResult }[] = [];
  for (const L of config.luminosities) {
    scans.push({ label: 'parametrised', luminosity: L, result: yukawaScan(yt.parametrised, L, config.luminosity, range, config.scanPoints) });
    scans.push({ label: 'not parametrised', luminosity: L, result: yukawaScan(yt.notParametrised, L, config.luminosity, range, config.scanPoints) });
    scans.push({ label: 'cross section only', luminosity: L, result: yukawaScan(crossSectionOnlySpec(yt.notParametrised), L, config.luminosity, range, config.scanPoints) });
    scans.push({ label: 'ablation: local weights', luminosity: L, result: yukawaScan(ytAblation.parametrised, L, config.luminosity, range, config.scanPoints) });
    scans.push({ label: 'ablation: local weights, not parametrised', luminosity: L, result: yukawaScan(ytAblation.notParametrised, L, config.luminosity, range, config.scanPoints) });
    scans.push({ label: 'categories only, not parametrised', luminosity: L, result: yukawaScan(ytCategories.notParametrised, L, config.luminosity, range, config.scanPoints) });
  }
  const table: Interval68And95[] = scans.map((s) => ({ label: s.label, luminosity: s.luminosity, best: s.result.best, i68: fmtSegments(s.result, 0.68), i95: fmtSegments(s.result, 0.95), converged: s.result.converged }));

  log(`[contours] (a_t, b_t) at ${config.luminosity} and 3000 fb⁻¹ (${seconds()} s)`);
  const contours: { label: string; luminosity: number; result: ProfileContourResult }[] = [];
  for (const [label, spec] of [
    ['parametrised', cpt.parametrised],
    ['not parametrised', cpt.notParametrised],
  ] as const) {
    for (const L of [config.luminosity, 3000]) {
      const { likelihood, asimovAt } = templateLikelihood('t', spec, config.luminosity);
      contours.push({ label, luminosity: L, result: profileContour(likelihood, asimovAt(L), ['at', 'bt'], [0.68, 0.95], { points: config.contourPoints, ranges: [PARAMETER_RANGES.at, PARAMETER_RANGES.bt] }) });
    }
  }

  log(`[export] pyhf workspaces and patchsets (${seconds()} s)`);
  const yukawaGrid = Array.from({ length: 15 }, (_, k) => k * 0.25);
  const cpGrid: number[][] = [];
  for (let a = 0; a <= 2; a += 0.5) for (let b = -1; b <= 1; b += 0.5) cpGrid.push([a, b]);
  const exported = {
    yukawa: await exportPatchSet(yt.parametrised, ['Yt'], yukawaGrid.map((y) => [y])),
    'yukawa-np': await exportPatchSet(yt.notParametrised, ['Yt'], yukawaGrid.map((y) => [y])),
    cp: await exportPatchSet(cpt.parametrised, ['at', 'bt'], cpGrid),
    'cp-np': await exportPatchSet(cpt.notParametrised, ['at', 'bt'], cpGrid),
  };
  const equivalence = exportSmEquivalence(yt.parametrised, exported.yukawa.background, exported.yukawa.patchset, [1], config.luminosity);
  const equivalenceNp = exportSmEquivalence(yt.notParametrised, exported['yukawa-np'].background, exported['yukawa-np'].patchset, [1], config.luminosity);
  log(`[export] SM point: max |ΔNLL difference| ${equivalence.maxDifference.toExponential(2)} (not parametrised ${equivalenceNp.maxDifference.toExponential(2)}), best-fit nuisances within ${Math.max(equivalence.maxParameterDifference, equivalenceNp.maxParameterDifference).toExponential(2)}`);

  // figures
  const figures = {
    categories: { name: 'category-map', caption: `The 55 categories of the background-rejection network (seed 000 fig. 3): expected tt̄tt̄ events (S) and S/√B at ${config.luminosity} fb⁻¹ per category.`, svg: categoryMapFigure(yt.parametrised) },
    features: { name: 'feature-ht', caption: 'H_T of tt̄tt̄ events weighted to Y_t = 0, 1, 2: events that dominate at large Y_t (high weights) are harder (seed 000 fig. 2).', svg: featureFigure(yukawa.templates.tttt, 4, 'H_T [GeV]', [300, 2500], 'feature-ht') },
    output: { name: 'parameter-output', caption: 'Output of the parameter network for tt̄tt̄ events at Y_t = 0, 1, 2 (reweighted) and for the backgrounds (seed 000 fig. 5).', svg: outputFigure(yukawa.templates, evaluateNetworks, networks) },
    scans: { name: 'yukawa-scans', caption: `Expected −2Δln L of Y_t at ${config.luminosities.join(', ')} fb⁻¹, tt̄H and tt̄ parametrised (solid) and not (dashed) (seed 000 figs. 9-10).`, svg: scanFigure(scans.filter((s) => s.label === 'parametrised' || s.label === 'not parametrised'), 'yukawa-scans') },
    comparison: { name: 'yukawa-comparison', caption: `At ${config.luminosity} fb⁻¹, tt̄H and tt̄ not parametrised: the binned templates against the cross section alone (seed 000 fig. 12) and against the referee’s ablation (local reweighting factors).`, svg: scanFigure(scans.filter((s) => s.luminosity === config.luminosity && ['not parametrised', 'cross section only', 'ablation: local weights, not parametrised'].includes(s.label)), 'yukawa-comparison') },
    xsec: { name: 'cross-section', caption: 'σ_tttt(Y_t) of the benchmark (seed 000 fig. 11) with the expected 68% CL ranges of Y_t.', svg: crossSectionFigure(scans.filter((s) => s.label === 'parametrised')) },
    cp: { name: 'cp-contours', caption: `Expected 68% and 95% CL regions in (a_t, b_t) at ${config.luminosity} and 3000 fb⁻¹, parametrised and not (seed 000 fig. 13).`, svg: contourFigure(contours) },
  };

  const { versions, details: backendDetails } = backendProvenance(networks.backend);
  const trainingFigures = {
    backend: networks.backend.name,
    backendDetails,
    classifier: { parameters: networks.classifier.parameters, epochs: config.classifier.epochs, seconds: Number(networks.classifier.seconds.toFixed(1)), finalLoss: networks.classifier.history.at(-1) },
    parameterNetwork: { parameters: networks.parameter.parameters, epochs: config.parameterNetwork.epochs, seconds: Number(networks.parameter.seconds.toFixed(1)), finalLoss: networks.parameter.history.at(-1) },
    ablation: { seconds: Number(networks.ablation.seconds.toFixed(1)), finalLoss: networks.ablation.history.at(-1) },
  };
  const configuration = {
    fourTop: { ...config },
    parameterNetworkLoss: `weighted binary cross-entropy between the tt̄tt̄ events weighted at the SM (label 0) and the same events weighted at Y_t = ${config.parameterNetwork.alternative} (label 1, the global simulator weight); minimised by s = p(x|Y_alt)/(p(x|Y_alt) + p(x|SM)), a monotone function of the likelihood ratio (CARL, seed 003 eq. 6-8)`,
    ablationLoss: `the same with local reweighting factors 1 + ${config.ablationEpsilon} c_1 (the first-order expansion at the SM)`,
    training: trainingFigures, crossSections: { selected: SELECTED_CROSS_SECTION, ttttInclusiveFb: TTTT_INCLUSIVE_FB, ttttYukawaCoefficients: TTTT_YT_COEFFICIENTS } };
  const notes = [
    'Synthetic benchmark (scripts/simulators/four-top.ts): the amplitude structure, the σ_tttt(Y_t) coefficients and the normalisations are the real ones; the kinematics are stand-ins. The data are the Asimov expectation at the SM.',
    'Parametrised: tt̄H ∝ Y_t² (a_t² + b_t²) and tt̄ weakly dependent follow θ; not parametrised (-np): they stay at their SM yields.',
    `Nuisances: normsys ${100 * config.normalisation.ttH}% on tt̄H, ${100 * config.normalisation.tt}% on tt̄, lumi ${100 * config.normalisation.luminosity}%, staterror per bin from the template sample.`,
  ];
  const publish = async (id: string, title: string, spec: BinnedModelSpec, study: 'yukawa' | 'cp', figureList: (typeof figures)[keyof typeof figures][], extra: string[]) =>
    publishTemplates({
      out: options.out,
      id,
      version: options.version,
      title,
      description: `Binned template likelihood of the synthetic four-top benchmark (seed 000's weight-based representation learning): ${spec.channels.length} categories, ${bins(spec)} bins, at ${config.luminosity} fb⁻¹ (scale to any luminosity with the luminosity field).`,
      spec,
      study,
      config,
      figures: figureList,
      notes: [...notes, ...extra],
      closure: id.startsWith('tttt-yukawa') ? { exportSmMaxNllDifference: (id.endsWith('-np') ? equivalenceNp : equivalence).maxDifference, exportSmMaxBestFitDifference: (id.endsWith('-np') ? equivalenceNp : equivalence).maxParameterDifference } : {},
      configuration,
      versions,
    });
  const published = [
    await publish('tttt-yukawa', 'Top Yukawa from four-top production (synthetic benchmark), tt̄H and tt̄ parametrised', yt.parametrised, 'yukawa', [figures.scans, figures.comparison, figures.xsec, figures.categories, figures.output, figures.features], []),
    await publish('tttt-yukawa-np', 'Top Yukawa from four-top production (synthetic benchmark), tt̄H and tt̄ not parametrised', yt.notParametrised, 'yukawa', [figures.scans, figures.categories], []),
    await publish('tttt-cp', 'CP structure of the top Yukawa (a_t, b_t) from four-top production (synthetic benchmark), tt̄H and tt̄ parametrised', cpt.parametrised, 'cp', [figures.cp, figures.categories], ['The summary statistic is CP-even: the regions are symmetric under b_t → −b_t.']),
    await publish('tttt-cp-np', 'CP structure of the top Yukawa (a_t, b_t) from four-top production (synthetic benchmark), tt̄H and tt̄ not parametrised', cpt.notParametrised, 'cp', [figures.cp], ['The summary statistic is CP-even: the regions are symmetric under b_t → −b_t.']),
  ];
  await writeCatalogueIndex(options.out);

  if (options.exports) {
    for (const [study, e] of Object.entries(exported)) {
      const folder = join(options.exports, `tttt-${study}`);
      await mkdir(folder, { recursive: true });
      await writeFile(join(folder, 'BkgOnly.json'), e.backgroundText);
      await writeFile(join(folder, 'patchset.json'), JSON.stringify(e.patchset));
    }
  }
  return { config, table, scans, contours, published, exported, equivalence, equivalenceNp, trainingFigures, figures, generator, seconds: Number(seconds()) };
}

/**
 * σ_tttt(Y)/σ_SM = c0 + c2 Y² + c4 Y⁴ from the generator's events with Monte Carlo errors: the
 * amplitude ratio is (1 − u) + u Y², so an event contributes (1 − u)², 2u(1 − u) and u², where
 * u is a quarter of its ΔY coefficient ((1 + 2uΔY + uΔY²)² = 1 + 4uΔY + …).
 */
export function generatorCoefficients(sample: import('../simulators/four-top.js').FourTopSample) {
  const C = sample.basis.size;
  const sums = [0, 0, 0];
  const squares = [0, 0, 0];
  let weight = 0;
  let destructive = 0;
  for (let i = 0; i < sample.count; i++) {
    const u = sample.coefficients[i * C + 1] / 4;
    const w = sample.weights[i];
    const parts = [(1 - u) ** 2, 2 * u * (1 - u), u * u];
    parts.forEach((p, k) => {
      sums[k] += w * p;
      squares[k] += w * w * p * p;
    });
    weight += w;
    if (u * (1 - u) < 0) destructive += w;
  }
  const [c0, c2, c4] = sums.map((v) => v / weight);
  const errors = squares.map((q) => Math.sqrt(q) / weight) as [number, number, number];
  return { c0, c2, c4, errors, events: sample.count, destructive: destructive / weight };
}

export type FourTopResult = Awaited<ReturnType<typeof runFourTop>>;
