/**
 * Seed 004's top-quark-mass example (sec. III C, table IV) on our toy t t̄ generator
 * (scripts/simulators/top-pair.ts): DCTR on the four observables O4 = (m_b1μν, m_b2μν,
 * m_b1j1j2, m_b2j1j2) or on m_b1μν alone, trained for M_t uniform in [170, 180] GeV against the
 * nominal 172.5 GeV; SRGN fits of data at 175 GeV at generator level (every event) and at
 * simulation level (the events the selection accepts, their weights from their
 * generator-level observables). Runs as the Gaussian study's (study.ts): fixed data, each run its
 * own f and g.
 */
import { createRandom } from '../../models/random.js';
import { generateTopPairs, TOP_OBSERVABLES } from '../simulators/top-pair.js';
import { deriveSeed } from '../simulators/types.js';
import { dctrWeights, trainDctr, type DctrConfig } from './dctr.js';
import type { SrgnExample } from './gaussian-examples.js';
import { srgnFit, type ClassifierConfig, type SrgnSamples } from './srgn.js';
import { topTemplateFit, type TopTemplateFit } from './top-likelihood.js';
import { withoutOutliers, type FitSummary } from './study.js';

export const topMass: SrgnExample = {
  id: 'top-mass',
  title: 'the top-quark mass from t t̄ → b μ ν b j j (sec. III C, table IV)',
  parameters: [{ name: 'mt', nominal: 172.5, range: [170, 180], target: 175 }],
  generatorFeatures: [...TOP_OBSERVABLES],
  simulationFeatures: [...TOP_OBSERVABLES],
  generate: (theta, n, random) => generateTopPairs(theta[0], n, random),
};

export interface TopMassStudyConfig {
  runs: number;
  /** t t̄ events generated for the data and for the nominal sample, each (about a quarter pass the selection) */
  events: number;
  dctr: Omit<DctrConfig, 'seed' | 'features'>;
  classifier: Omit<ClassifierConfig, 'seed'>;
  /** coverage toys of the template likelihood */
  toys: number;
  seed: number;
}

export const FULL_TOP_STUDY: TopMassStudyConfig = { runs: 8, events: 40_000, dctr: { events: 100_000, epochs: 8 }, classifier: { hidden: [32, 32], epochs: 3, batchSize: 500 }, toys: 300, seed: 20261206 };
export const QUICK_TOP_STUDY: TopMassStudyConfig = { runs: 2, events: 8000, dctr: { events: 20_000, epochs: 3, hidden: [32, 32] }, classifier: { hidden: [16, 16], epochs: 3, batchSize: 200 }, toys: 50, seed: 20261206 };

export interface TopMassStudy {
  config: TopMassStudyConfig;
  /** table IV: per input (O4, m_b1μν) and level */
  fits: Record<'O4' | 'mb1munu', Record<'generator' | 'simulation', FitSummary>>;
  /** events the selection accepted in the data and the nominal sample */
  accepted: { data: number; nominal: number };
  /** the same simulation-level data fitted by a template likelihood of m_b1μν (top-likelihood.ts) */
  likelihood: TopTemplateFit;
  seconds: number;
}

/** Rows of the listed columns of a 4-column sample, for the listed events (all when `events` is null). */
export function columns(rows: Float64Array, events: Int32Array | null, keep: number[]): Float64Array {
  const n = events ? events.length : rows.length / 4;
  const out = new Float64Array(n * keep.length);
  for (let i = 0; i < n; i++) {
    const e = events ? events[i] : i;
    keep.forEach((c, k) => (out[i * keep.length + k] = rows[e * 4 + c]));
  }
  return out;
}

export function runTopMassStudy(config: TopMassStudyConfig, onProgress?: (done: number, total: number) => void): TopMassStudy {
  const started = performance.now();
  const random = createRandom(deriveSeed(config.seed, 'samples'));
  const data = generateTopPairs(topMass.parameters[0].target, config.events, random);
  const nominal = generateTopPairs(topMass.parameters[0].nominal, config.events, random);
  const inputs = { O4: [0, 1, 2, 3], mb1munu: [0] } as const;
  const found = { O4: { generator: [] as number[], simulation: [] as number[] }, mb1munu: { generator: [] as number[], simulation: [] as number[] } };
  const bounds = { lower: [170], upper: [180] };
  for (let run = 0; run < config.runs; run++) {
    onProgress?.(run, config.runs);
    const seed = deriveSeed(config.seed, `run-${run}`);
    const classifier = { ...config.classifier, seed: deriveSeed(seed, 'g') };
    for (const [name, keep] of Object.entries(inputs) as ['O4' | 'mb1munu', readonly number[]][]) {
      const f = trainDctr(topMass, { ...config.dctr, features: [...keep], seed: deriveSeed(seed, `f-${name}`) });
      const generatorLevel: SrgnSamples = { data: columns(data.generator, null, [...keep]), simulation: columns(nominal.generator, null, [...keep]), S: keep.length, weightsAt: (theta) => dctrWeights(f, nominal.generator, nominal.count, 4, theta) };
      const acceptedGenerator = columns(nominal.generator, nominal.accepted, [0, 1, 2, 3]);
      const simulationLevel: SrgnSamples = {
        data: columns(data.simulation, null, [...keep]),
        simulation: columns(nominal.simulation, null, [...keep]),
        S: keep.length,
        weightsAt: (theta) => dctrWeights(f, acceptedGenerator, nominal.accepted.length, 4, theta),
      };
      found[name].generator.push(srgnFit(generatorLevel, [172.5], bounds, classifier).x[0]);
      found[name].simulation.push(srgnFit(simulationLevel, [172.5], bounds, classifier).x[0]);
    }
  }
  onProgress?.(config.runs, config.runs);
  const likelihood = topTemplateFit(data.simulation, config.events, { templateEvents: 5 * config.events, toys: config.toys, seed: deriveSeed(config.seed, 'template-fit') });
  const range = topMass.parameters[0].range;
  const summary = (values: number[]) => withoutOutliers(values, range);
  return {
    config,
    fits: {
      O4: { generator: summary(found.O4.generator), simulation: summary(found.O4.simulation) },
      mb1munu: { generator: summary(found.mb1munu.generator), simulation: summary(found.mb1munu.simulation) },
    },
    accepted: { data: data.accepted.length, nominal: nominal.accepted.length },
    likelihood,
    seconds: (performance.now() - started) / 1000,
  };
}
