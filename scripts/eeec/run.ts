/**
 * `npm run cli -- eeec`: runs seed 002's shape search (study.ts) and the surrogate's validation
 * (surrogate-study.ts), or reuses those kept in <run>/eeec/ when their settings are the same, and
 * writes docs/energy-correlators.md (report.ts).
 */
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { keptOrRun } from '../lib/kept-study.js';
import { writeEeecReport } from './report.js';
import { FULL_EEEC_STUDY, QUICK_EEEC_STUDY, runEeecStudy } from './study.js';
import { FULL_SURROGATE_STUDY, QUICK_SURROGATE_STUDY, runSurrogateStudy } from './surrogate-study.js';

/** Returns the line to print. */
export async function eeecCommand(options: { quick: boolean; run: string; again: boolean; docs: string; publish?: string; out: string }): Promise<string> {
  const config = options.quick ? QUICK_EEEC_STUDY : FULL_EEEC_STUDY;
  const folder = `${options.run}/${options.quick ? 'eeec-quick' : 'eeec'}`;
  const study = await keptOrRun(`${folder}/study.json`, config, options.again, (onProgress) => runEeecStudy(config, onProgress), 'EEEC shapes');
  const surrogateConfig = options.quick ? QUICK_SURROGATE_STUDY : FULL_SURROGATE_STUDY;
  const surrogate = await keptOrRun(`${folder}/surrogate.json`, surrogateConfig, options.again, (onProgress) => runSurrogateStudy(surrogateConfig, onProgress), 'EEEC surrogates');
  const docs = options.quick ? `${folder}/energy-correlators.md` : options.docs;
  await mkdir(dirname(docs), { recursive: true });
  await writeEeecReport(study, surrogate, docs, `npm run cli -- eeec${options.quick ? ' --quick' : ''}`);
  let published = '';
  if (options.publish) {
    const { publishEeecTopMass } = await import('./publish.js');
    const { figures, optimalShape, surrogateFigures } = await import('./report.js');
    const best = optimalShape(study);
    const result = await publishEeecTopMass({ out: options.out, version: options.publish, shape: best.shape, config, figures: [...figures(study, best), ...surrogateFigures(surrogate)], surrogate: surrogateConfig, log: (line) => console.log(line) });
    published = `; published eeec-top-mass@${options.publish} to ${result.folder} in ${result.seconds.toFixed(0)} s`;
  }
  return `wrote ${docs} (the studies took ${study.seconds.toFixed(0)} s and ${surrogate.seconds.toFixed(0)} s; kept in ${folder}/)${published}`;
}
