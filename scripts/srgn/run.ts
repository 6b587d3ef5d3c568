/**
 * `npm run cli -- srgn`: runs seed 004's Gaussian study (study.ts) and its top-mass study
 * (top-mass.ts), or reuses those kept in <run>/srgn/ when their settings are the same, and writes
 * the document (report.ts).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { progressBar } from '../lib/progress.js';
import { selectBackend } from '../training/backend.js';
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

/** The study kept in `file` if it was run with `config`, else a new run of it, kept there. */
async function keptOrRun<C, S extends { config: C }>(file: string, config: C, again: boolean, run: (onProgress: (done: number, total: number) => void) => S, label: string): Promise<S> {
  const kept = (await readFile(file, 'utf8').then((text) => JSON.parse(text), () => null)) as S | null;
  if (!again && kept && JSON.stringify(kept.config) === JSON.stringify(config)) return kept;
  await selectBackend({ log: null });
  const bar = progressBar(label);
  const study = run((done, total) => bar.update(done, total));
  bar.stop();
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, JSON.stringify(study));
  return study;
}
