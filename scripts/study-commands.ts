/**
 * The command line's commands for the seed studies that write a document and publish what they
 * learned: seed 004's SRGN (`srgn`, `srgn-publish`), seed 002's energy correlators (`eeec`) and
 * seed 003's W±Z application (`wz`).
 */
import type { Command } from 'commander';
import { positiveInteger } from './lib/cli-arguments.js';

export function registerStudyCommands(program: Command): void {
  program
    .command('srgn')
    .description("seed 004's Gaussian examples (issue 18): DCTR reweighting at generator level, SRGN fits by minimising a classifier's AUC (tables I, II; fig. 4, 5, 7; appendix B's loss); keeps the study in <run>/srgn/study.json (reused unless --again) and writes docs/srgn.md")
    .option('--quick', 'a small run (about a minute) to try the pipeline; its report goes to <run>/srgn-quick/srgn.md')
    .option('--runs <n>', 'independent trainings of the reweighting and the classifier (the seed: 40)', positiveInteger)
    .option('--run <folder>', 'where the study is kept between runs', 'runs')
    .option('--again', 'run the study again even if a kept one with the same settings exists')
    .option('--docs <file>', 'the results document', 'docs/srgn.md')
    .action(async (options) => {
      const { srgnCommand } = await import('./srgn/run.js');
      console.log(await srgnCommand({ quick: Boolean(options.quick), runs: options.runs, run: options.run, again: Boolean(options.again), docs: options.docs }));
    });

  program
    .command('srgn-publish')
    .description("train one of seed 004's DCTR reweighters (a repulsive ensemble) and publish it: gaussian-2d as srgn-gaussian-2d, top-mass as srgn-top-mass, served by POST /v1/likelihoods/<id>/reweight")
    .option('--example <name>', 'gaussian-2d or top-mass', 'gaussian-2d')
    .option('--out <folder>', 'likelihoods folder', 'likelihoods')
    .option('--version <version>', 'artifact version (a published version is never overwritten)', '1.0.0')
    .action(async (options) => {
      const log = (line: string) => console.log(line);
      const common = { out: options.out, version: options.version, log };
      let published: { folder: string; seconds: number };
      if (options.example === 'top-mass') {
        const { DEFAULT_TOP_REWEIGHTER, publishTopMassReweighter } = await import('./srgn/publish-top-mass.js');
        published = await publishTopMassReweighter({ ...DEFAULT_TOP_REWEIGHTER, ...common });
      } else if (options.example === 'gaussian-2d') {
        const { DEFAULT_REWEIGHTER, publishGaussianReweighter } = await import('./srgn/publish.js');
        published = await publishGaussianReweighter({ ...DEFAULT_REWEIGHTER, ...common });
      } else throw new Error(`--example: gaussian-2d or top-mass, not ${options.example}`);
      console.log(`published srgn-${options.example}@${options.version} to ${published.folder} in ${published.seconds.toFixed(0)} s`);
    });

  program
    .command('eeec')
    .description("seed 002's energy correlators (issue 19): top jets of our own, their EEEC projected onto triangle shapes, neural ratio estimation of m_t for each shape with HPD regions and their calibration, the shape search; keeps the study in <run>/eeec/study.json (reused unless --again) and writes docs/energy-correlators.md")
    .option('--quick', 'a small run (under two minutes) to try it; its report goes to <run>/eeec-quick/energy-correlators.md')
    .option('--run <folder>', 'where the study is kept between runs', 'runs')
    .option('--again', 'run the study again even if a kept one with the same settings exists')
    .option('--docs <file>', 'the results document', 'docs/energy-correlators.md')
    .option('--publish <version>', 'then train the ratio estimator of the optimal shape again and publish it as eeec-top-mass@<version>, served by POST …/posterior')
    .option('--out <folder>', 'likelihoods folder for --publish', 'likelihoods')
    .action(async (options) => {
      const { eeecCommand } = await import('./eeec/run.js');
      console.log(await eeecCommand({ quick: Boolean(options.quick), run: options.run, again: Boolean(options.again), docs: options.docs, publish: options.publish, out: options.out }));
    });

  program
    .command('wz')
    .description("seed 003's LHC application (issue 17): W±Z in the SMEFT at parton level (derivative learning against morphing-aware estimation) and reco level (an MLP ensemble against L-GATr, the m_T^WZ histogram and the rate), with coverage; keeps the study in <run>/wz/ (reused unless --again) and writes docs/wz.md")
    .option('--quick', 'a small run (under two minutes) to try it; its report goes to <run>/wz-quick/wz.md')
    .option('--run <folder>', 'where the study is kept between runs', 'runs')
    .option('--again', 'run the study again even if a kept one with the same settings exists')
    .option('--docs <file>', 'the results document', 'docs/wz.md')
    .option('--publish <version>', 'then publish wz-smeft-run3 (the better learned likelihood), wz-smeft-run3-<other> and wz-smeft-run3-mtwz at <version>')
    .option('--out <folder>', 'likelihoods folder for --publish', 'likelihoods')
    .action(async (options) => {
      const { wzCommand } = await import('./wz/run.js');
      console.log(await wzCommand({ quick: Boolean(options.quick), run: options.run, again: Boolean(options.again), docs: options.docs, publish: options.publish, out: options.out }));
    });
}
