/**
 * `npm run cli -- srgn`: runs seed 004's Gaussian study (study.ts) and its top-mass study
 * (top-mass.ts), or reuses those kept in <run>/srgn/ when their settings are the same, and writes
 * the document (report.ts).
 */
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { keptOrRun } from '../lib/kept-study.js';
import { writeSrgnReport } from './report.js';
import { FULL_STUDY, QUICK_STUDY, runSrgnStudy } from './study.js';
import { FULL_TOP_STUDY, QUICK_TOP_STUDY, runTopMassStudy } from './top-mass.js';

export interface SrgnCommandOptions {
  quick: boolean;
  runs?: number;
  /** where the study is kept */
  run: string;
  again: boolean;
  docs: string;
}

/** Returns the line to print. */
export async function srgnCommand(options: SrgnCommandOptions): Promise<string> {
  const config = { ...(options.quick ? QUICK_STUDY : FULL_STUDY), ...(options.runs ? { runs: options.runs } : {}) };
  const folder = `${options.run}/${options.quick ? 'srgn-quick' : 'srgn'}`;
  const topConfig = { ...(options.quick ? QUICK_TOP_STUDY : FULL_TOP_STUDY), ...(options.runs ? { runs: options.runs } : {}) };
  const study = await keptOrRun(`${folder}/study.json`, config, options.again, (onProgress) => runSrgnStudy(config, (_stage, done, total) => onProgress(done, total)), 'SRGN Gaussian runs');
  const top = await keptOrRun(`${folder}/top-mass.json`, topConfig, options.again, (onProgress) => runTopMassStudy(topConfig, onProgress), 'SRGN top-mass runs');
  const docs = options.quick ? `${folder}/srgn.md` : options.docs;
  await mkdir(dirname(docs), { recursive: true });
  await writeSrgnReport(study, top, docs, `npm run cli -- srgn${options.quick ? ' --quick' : ''}${options.runs ? ` --runs ${options.runs}` : ''}`);
  return `wrote ${docs} (the studies took ${study.seconds.toFixed(0)} s and ${top.seconds.toFixed(0)} s; kept in ${folder}/)`;
}
