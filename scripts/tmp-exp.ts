import { DEFAULT_CONFIG, simulateStudy, trainNetworks, optimalBinning, evaluateNetworks, studyTemplates, yukawaScan } from './four-top/pipeline.js';
import { PROCESSES } from './simulators/four-top.js';
const config = { ...DEFAULT_CONFIG, minBackground: 0.25, maxBinsPerCategory: 8 };
const { training, templates } = simulateStudy(config, 'yukawa');
const nets = await trainNetworks(training, config);
const ev = (net: any) => Object.fromEntries(PROCESSES.map((p) => [p, evaluateNetworks(training[p], nets.classifier, net)])) as any;
const bg = optimalBinning(training, ev(nets.parameter), config);
const bl = optimalBinning(training, ev(nets.ablation), config);
const g = studyTemplates('yukawa', templates, nets, bg, config);
const l = studyTemplates('yukawa', templates, { classifier: nets.classifier, parameter: nets.ablation }, bl, config);
const c = studyTemplates('yukawa', templates, nets, { edges: bg.edges.map(() => []) }, config);
console.log('bins', g.notParametrised.channels.reduce((n, ch) => n + ch.samples[0].coefficients.length, 0));
for (const L of [138, 3000]) for (const [n, s] of [['global', g], ['local', l], ['categories', c]] as const) {
  const r = yukawaScan(s.notParametrised, L, 138, [0, 3.5], 71);
  const i = r.intervals.find((x) => x.cl === 0.68)!;
  console.log(L, n, i.segments.map((x) => `[${x.lower.toFixed(3)}, ${x.upper.toFixed(3)}]`).join(' '));
}
