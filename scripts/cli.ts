#!/usr/bin/env node
/**
 * The project's command line: `npx tsx scripts/cli.ts <command> --help`.
 */
import { Command, InvalidArgumentError } from 'commander';
import { progressBar } from './lib/progress.js';
import { projectVersion } from './lib/provenance.js';

const program = new Command();
program.name('likelihoods').description('Publish and serve particle-physics likelihoods').version(projectVersion());

const positiveInteger = (value: string) => {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive integer');
  return n;
};
const finiteNumber = (value: string) => {
  const n = Number(value);
  if (!Number.isFinite(n)) throw new InvalidArgumentError('expected a number');
  return n;
};

program
  .command('publish-truth')
  .description('build and publish the exact two-Gaussian toy artifact (seed 003 eq. 41-43), with its empirical coverage')
  .option('--out <folder>', 'likelihoods folder', 'likelihoods')
  .option('--id <id>', 'artifact id', 'gaussian-toy-truth')
  .option('--version <version>', 'artifact version (a published version is never overwritten)', '1.0.0')
  .option('--alpha <alpha>', 'distance of the displaced Gaussian', finiteNumber, 1.5)
  .option('--reference-events <n>', 'events in the reference sample at θ0', positiveInteger, 100_000)
  .option('--toys <n>', 'toys for the coverage check', positiveInteger, 500)
  .option('--seed <n>', 'random seed', positiveInteger, 20261123)
  .action(async (options) => {
    const { publishTruthArtifact } = await import('./toys/gaussian-truth.js');
    const bar = progressBar('coverage toys');
    const t0 = performance.now();
    const { folder, artifact, coverage } = await publishTruthArtifact({
      out: options.out,
      id: options.id,
      version: options.version,
      alpha: options.alpha,
      referenceEvents: options.referenceEvents,
      coverageToys: options.toys,
      seed: options.seed,
      onProgress: (_stage, done, total) => bar.update(done, total),
    });
    bar.stop();
    const { writeCatalogueIndex } = await import('./lib/catalogue-index.js');
    await writeCatalogueIndex(options.out);
    console.log(`published ${artifact.manifest.id}@${artifact.manifest.version} to ${folder} (${(artifact.componentBytes / 1e6).toFixed(2)} MB of components) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    for (const e of coverage.estimates) console.log(`coverage at ${(100 * e.cl).toFixed(2)}%: ${(100 * e.coverage).toFixed(2)}% ± ${(100 * e.error).toFixed(2)}% (${e.toys} toys)`);
  });

program
  .command('serve')
  .description('serve the published likelihoods over HTTP from Node (npm start runs the Workers runtime instead)')
  .option('--port <port>', 'port', positiveInteger, 8787)
  .option('--host <host>', 'interface', '127.0.0.1')
  .action(async (options) => {
    const { serveNode } = await import('../functions/node.js');
    await serveNode({ port: options.port, hostname: options.host });
  });

program.parseAsync().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
