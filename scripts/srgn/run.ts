/**
 * `npm run cli -- srgn`: runs seed 004's Gaussian study (study.ts), or reuses the one kept in
 * <run>/srgn/study.json when its settings are the same, and writes the document (report.ts).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { progressBar } from '../lib/progress.js';
import { selectBackend } from '../training/backend.js';
import { writeSrgnReport } from './report.js';
import { FULL_STUDY, QUICK_STUDY, runSrgnStudy, type SrgnStudy } from './study.js';

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
  const kept = `${folder}/study.json`;
  let study = (await readFile(kept, 'utf8').then((text) => JSON.parse(text), () => null)) as SrgnStudy | null;
  if (options.again || !study || JSON.stringify(study.config) !== JSON.stringify(config)) {
    await selectBackend({ log: null });
    const bar = progressBar('SRGN runs');
    study = runSrgnStudy(config, (_stage, done, total) => bar.update(done, total));
    bar.stop();
    await mkdir(folder, { recursive: true });
    await writeFile(kept, JSON.stringify(study));
  }
  const docs = options.quick ? `${folder}/srgn.md` : options.docs;
  await mkdir(dirname(docs), { recursive: true });
  await writeSrgnReport(study, docs, `npm run cli -- srgn${options.quick ? ' --quick' : ''}${options.runs ? ` --runs ${options.runs}` : ''}`);
  return `wrote ${docs} (the study took ${study.seconds.toFixed(0)} s; kept in ${kept})`;
}
