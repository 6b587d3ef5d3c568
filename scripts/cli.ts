#!/usr/bin/env node
/**
 * The project's command line: `npx tsx scripts/cli.ts <command> --help`.
 */
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { progressBar, progressBars } from './lib/progress.js';
import { projectVersion } from './lib/provenance.js';
import { finiteNumber, positiveInteger, positiveOrZero } from './lib/cli-arguments.js';
import { pipelineHooks, published, readPipelineConfig } from './pipeline/pipeline-cli.js';
import { registerStudyCommands } from './study-commands.js';

const program = new Command();
// positional: the program's own --version only before a command, so each command's --version <version> reaches it
program.name('likelihoods').description('Publish and serve particle-physics likelihoods').version(projectVersion()).enablePositionalOptions();

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
  .command('pipeline')
  .description('simulate → train (repulsive ensemble) → freeze (parity vs tfjs) → validate (closure, coverage) → publish a derivative-learning toy likelihood, from a config file')
  .argument('<config>', 'a JSON config, e.g. scripts/pipeline/configs/gaussian-toy-a1.5.json')
  .option('--out <folder>', 'likelihoods folder', 'likelihoods')
  .action(async (configPath: string, options) => {
    const config = await readPipelineConfig(configPath, options.out);
    const { runToyPipeline } = await import('./pipeline/toy-pipeline.js');
    const t0 = performance.now();
    const result = await runToyPipeline(config, options.out, pipelineHooks(config.id));
    await published(options.out, config, result, t0);
  });

program
  .command('train')
  .description('the first half of `pipeline`: simulate → train → freeze (the tfjs model lives only in this process, so freezing and the parity check against tfjs happen here); writes <run>/<id>/trained.msgpack')
  .argument('<config>', 'a JSON config, e.g. scripts/pipeline/configs/gaussian-toy-a1.5.json')
  .option('--run <folder>', 'where the trained ensemble is written', 'runs')
  .action(async (configPath: string, options) => {
    const config = await readPipelineConfig(configPath);
    const { trainToy } = await import('./pipeline/toy-pipeline.js');
    const trained = await trainToy(config, pipelineHooks(config.id));
    const { mkdir, writeFile } = await import('node:fs/promises');
    const { encodeMessagePack } = await import('../models/artifact/codec.js');
    await mkdir(`${options.run}/${config.id}`, { recursive: true });
    await writeFile(`${options.run}/${config.id}/trained.msgpack`, encodeMessagePack(trained));
    console.log(`wrote ${options.run}/${config.id}/trained.msgpack (${trained.training.members} members, parity ${trained.parity.maxRelativeDifference.toExponential(2)})`);
  });

program
  .command('publish')
  .description('the second half of `pipeline`: reference sample → artifact → validation (closure, coverage, figures) → publish, from a trained ensemble')
  .argument('<config>', 'the config the ensemble was trained with')
  .option('--run <folder>', 'where `train` wrote the ensemble', 'runs')
  .option('--out <folder>', 'likelihoods folder', 'likelihoods')
  .action(async (configPath: string, options) => {
    const config = await readPipelineConfig(configPath, options.out);
    const { readFile } = await import('node:fs/promises');
    const { decodeMessagePack } = await import('../models/artifact/codec.js');
    const { parseFrozenNetwork } = await import('../models/network/frozen-network.js');
    const { publishToy } = await import('./pipeline/toy-pipeline.js');
    const trained = decodeMessagePack(new Uint8Array(await readFile(`${options.run}/${config.id}/trained.msgpack`))) as import('./pipeline/toy-pipeline.js').TrainedToy;
    trained.frozen = parseFrozenNetwork(trained.frozen);
    const t0 = performance.now();
    const result = await publishToy(config, trained, options.out, pipelineHooks(config.id));
    await published(options.out, config, result, t0);
  });

program
  .command('simulate')
  .description('draw events with their exact joint coefficients at θ0 (parton and detector level) and print a summary, with fractional smearing if asked: the two-Gaussian toy or the Drell–Yan SMEFT process')
  .option('--simulator <name>', 'two-gaussian or drell-yan', 'two-gaussian')
  .option('--alpha <alpha>', 'two-gaussian: distance of the displaced Gaussian', finiteNumber, 1.5)
  .option('--full-region', 'drell-yan: generate at m > 120 GeV and every rapidity (default: only where the selection can accept events)')
  .option('--events <n>', 'events at θ0 (drell-yan: parton events, before the selection)', positiveInteger, 10_000)
  .option('--seed <n>', 'random seed', positiveInteger, 1)
  .option('--fractional-smearing <t>', 'smear events whose target lies beyond t standard deviations', finiteNumber)
  .option('--out <file>', 'write the sample (MessagePack: reco, parton, coefficients, weights)')
  .action(async (options) => {
    const { twoGaussianSimulator } = await import('./simulators/two-gaussian.js');
    const { drellYanSimulator } = await import('./simulators/drell-yan.js');
    const { SELECTABLE_REGION } = await import('./simulators/drell-yan-physics.js');
    const { largestVarianceColumn, simulateWithFractionalSmearing } = await import('./training/fractional-smearing.js');
    if (!['two-gaussian', 'drell-yan'].includes(options.simulator)) throw new InvalidArgumentError(`unknown simulator '${options.simulator}' (two-gaussian or drell-yan)`);
    const simulator = options.simulator === 'drell-yan' ? drellYanSimulator({ region: options.fullRegion ? undefined : SELECTABLE_REGION }) : twoGaussianSimulator({ alpha: options.alpha });
    const smeared = options.fractionalSmearing !== undefined ? simulateWithFractionalSmearing(simulator, { events: options.events, seed: options.seed, threshold: options.fractionalSmearing }) : null;
    const sample = smeared ? smeared.sample : simulator.simulate({ events: options.events, seed: options.seed });
    const C = simulator.basis.size;
    const column = largestVarianceColumn(sample, C);
    let maxTarget = 0;
    let sumW = 0;
    for (let i = 0; i < sample.count; i++) {
      maxTarget = Math.max(maxTarget, Math.abs(sample.weights[i] * sample.coefficients[i * C + column]));
      sumW += sample.weights[i];
    }
    console.log(`${sample.count} events after the detector (Σw = ${sumW.toPrecision(5)}), largest |w·c_${column}| = ${maxTarget.toPrecision(4)}${smeared ? `; fractional smearing t = ${smeared.threshold}: ${smeared.events} → ${smeared.expanded} events, ${smeared.capped} capped` : ''}`);
    if (options.out) {
      const { writeFile } = await import('node:fs/promises');
      const { encodeMessagePack } = await import('../models/artifact/codec.js');
      await writeFile(options.out, encodeMessagePack({ simulator: simulator.metadata, seed: options.seed, ...sample }));
      console.log(`wrote ${options.out}`);
    }
  });

program
  .command('validate')
  .description('closure against the exact toy and empirical coverage of a published two-Gaussian toy likelihood')
  .argument('<id>', 'likelihood id or id@version')
  .option('--root <folder>', 'likelihoods folder', 'likelihoods')
  .option('--toys <n>', 'coverage toys', positiveInteger, 300)
  .option('--theta <theta>', 'true θ of the coverage toys', finiteNumber, 0.5)
  .option('--seed <n>', 'random seed', positiveInteger, 7)
  .action(async (spec: string, options) => {
    const { readPublished } = await import('./lib/artifact-writer.js');
    const artifact = await readPublished(options.root, spec);
    const { id, version } = artifact.manifest;
    const alpha = (artifact.manifest.provenance.configuration?.pipeline as { simulator?: { alpha?: number } } | undefined)?.simulator?.alpha ?? (artifact.manifest.provenance.configuration?.alpha as number | undefined);
    if (alpha === undefined) throw new Error(`${id}@${version} records no two-Gaussian α in its provenance: validate knows only the toy's closed forms`);
    const { twoGaussianToy } = await import('../models/toys/two-gaussian.js');
    const { validateToyArtifact, coverageOfToyArtifact } = await import('./pipeline/toy-pipeline.js');
    const toy = twoGaussianToy(alpha, 0.7);
    const { closure } = validateToyArtifact(artifact, alpha, toy, { testTheta: 0.6, testEvents: 20_000, thetaRange: [-1, 1] }, options.seed);
    for (const [k, v] of Object.entries(closure)) console.log(`${k}: ${v.toPrecision(4)}`);
    const bar = progressBar('coverage toys');
    const coverage = coverageOfToyArtifact(artifact, toy, options.theta, options.toys, options.seed, (d, t) => bar.update(d, t));
    bar.stop();
    const { formatCoverage } = await import('../models/inference/coverage.js');
    coverage.estimates.forEach((e, k) => console.log(`coverage at ${(100 * e.cl).toFixed(2)}%: learned ${formatCoverage(e)} (${e.toys} toys, ${coverage.failed} failed), exact likelihood on the same toys ${formatCoverage(coverage.truth[k])}`));
    console.log(`mean |θ̂| − |θ|: learned ${coverage.bias.learned.toFixed(4)}, exact ${coverage.bias.truth.toFixed(4)}`);
  });

const collect = (value: string, previous: string[]) => [...previous, value];

program
  .command('import')
  .description('publish a pyhf workspace (schema 1.0.0; .json or .json.gz) as a likelihood artifact, optionally with one patch of a patchset (digest verified, as pyhf) or a JSON Patch')
  .argument('<workspace>', 'the workspace, e.g. a HEPData BkgOnly.json')
  .requiredOption('--id <id>', 'artifact id (lower-case letters, digits, "." and "-")')
  .option('--version <version>', 'artifact version (a published version is never overwritten)', '1.0.0')
  .option('--patchset <file>', 'a pyhf patchset (e.g. HEPData patchset.json)')
  .option('--patch <name>', 'the name of the patch of --patchset to apply (a signal hypothesis)')
  .option('--json-patch <file>', 'an RFC 6902 JSON Patch to apply instead (e.g. a HEPData patch.<signal>.json)')
  .option('--no-verify', "apply the patchset without checking its digest of the workspace")
  .option('--measurement <name>', 'the measurement (default: the first, as pyhf)')
  .option('--poi <name>', "the parameter of interest (default: the measurement's POI)")
  .option('--title <text>', 'title on the result page')
  .option('--description <text>', 'what was measured')
  .option('--citation <text>', 'a reference to cite (repeatable)', collect, [])
  .option('--luminosity <value>', 'the integrated luminosity the yields correspond to (default 1 "× published")', finiteNumber)
  .option('--luminosity-unit <unit>', 'its unit', 'fb^-1')
  .option('--out <folder>', 'likelihoods folder', 'likelihoods')
  .action(async (workspace: string, options) => {
    const { importAndPublish, summariseWorkspaceArtifact } = await import('./pyhf/import-workspace.js');
    const { binnedTerms } = await import('../models/terms/binned/term.js');
    const t0 = performance.now();
    const { folder, artifact, imported, digest } = await importAndPublish({ ...options, workspace, command: process.argv.slice(2).join(' ') });
    const [term] = binnedTerms(artifact.likelihood);
    console.log(`published ${artifact.manifest.id}@${artifact.manifest.version} to ${folder} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    console.log(`  workspace sha256 digest (pyhf) ${digest}; measurement '${imported.measurement}', POI '${imported.poi}'`);
    console.log(`  ${term.channels.length} channels, ${term.totalBins} bins, ${artifact.likelihood.parameters.length} parameters`);
    for (const w of imported.warnings) console.log(`  note: ${w}`);
    for (const line of summariseWorkspaceArtifact(artifact)) console.log(line);
  });

program
  .command('combine')
  .description('publish a combination of published likelihoods (issue 25): a manifest pinning each member by its manifest\'s sha256, served like any likelihood; parameters of interest shared by name, nuisances each member\'s own unless --correlate names them')
  .argument('<likelihoods...>', 'the members, id or id@version (default: the latest version)')
  .requiredOption('--id <id>', 'artifact id of the combination')
  .requiredOption('--title <text>', 'title on the result page')
  .option('--description <text>', 'what is combined, and why the members are independent', '')
  .option('--version <version>', 'artifact version (a published version is never overwritten)', '1.0.0')
  .option('--rename <member:from=to>', 'rename a member\'s parameter in the combination (repeatable)', collect, [])
  .option('--correlate <name>', 'a nuisance parameter shared by every member that has it, its constraint counted once (repeatable)', collect, [])
  .option('--out <folder>', 'likelihoods folder', 'likelihoods')
  .action(async (likelihoods: string[], options) => {
    const rename: Record<string, Record<string, string>> = {};
    for (const entry of options.rename as string[]) {
      const match = /^([^:]+):([^=]+)=(.+)$/.exec(entry);
      if (!match) throw new InvalidArgumentError(`--rename ${entry}: expected member:from=to`);
      (rename[match[1]] ??= {})[match[2]] = match[3];
    }
    const { publishCombination } = await import('./lib/publish-combination.js');
    const { folder, parameters } = await publishCombination(options.out, { id: options.id, version: options.version, title: options.title, description: options.description, likelihoods, rename, correlate: options.correlate });
    console.log(`published ${options.id}@${options.version} to ${folder}: parameters of interest ${parameters.join(', ')}`);
  });

program
  .command('revise')
  .description("publish a new version of a likelihood that amends its manifest's metadata (units, bin axes, descriptions, validation) with the earlier version's components unchanged, and its page analysis computed again")
  .argument('<likelihood>', 'the published likelihood, id or id@version (default: the latest)')
  .requiredOption('--version <version>', 'the new version (a published version is never overwritten)')
  .option('--revision <file>', 'the changes, as JSON (see scripts/revisions/ for the published ones)')
  .option('--pyhf-reference <file>', "also record the agreement with pyhf's numbers for this workspace (a case of test/fixtures/pyhf/reference/)")
  .option('--page-analysis', "precompute the result page's analysis and publish it with the version (done anyway where the earlier version published one)")
  .option('--out <folder>', 'likelihoods folder', 'likelihoods')
  .action(async (spec: string, options) => {
    const { readFile } = await import('node:fs/promises');
    const { readPublished } = await import('./lib/artifact-writer.js');
    const { reviseArtifact } = await import('./lib/revise-artifact.js');
    const { writeCatalogueIndex } = await import('./lib/catalogue-index.js');
    if (!options.revision && !options.pyhfReference && !options.pageAnalysis) throw new Error('nothing to revise: give --revision, --pyhf-reference, --page-analysis or several');
    const t0 = performance.now();
    const revision = options.revision ? JSON.parse(await readFile(options.revision, 'utf8')) : { changes: [] };
    if (options.pageAnalysis) revision.changes = [...revision.changes, "the result page's analysis precomputed at publication (issue 21): the page renders from it instead of computing it on first request"];
    if (options.pyhfReference) {
      const { readPyhfReference } = await import('./reference/pyhf-reference.js');
      const { pyhfAgreementValidation } = await import('./pyhf/agreement-validation.js');
      const reference = await readPyhfReference(options.pyhfReference);
      const validation = pyhfAgreementValidation(await readPublished(options.out, spec), reference, options.pyhfReference);
      revision.changes = [...revision.changes, `the agreement with pyhf on this workspace (case ${reference.case}) recorded in the validation`];
      revision.validation = { closure: { ...revision.validation?.closure, ...validation.closure }, notes: [...(revision.validation?.notes ?? []), ...validation.notes] };
    }
    const { folder, artifact } = await reviseArtifact(options.out, spec, options.version, revision, ['revise', ...process.argv.slice(3)].join(' '), { pageAnalysis: options.pageAnalysis });
    await writeCatalogueIndex(options.out);
    console.log(`published ${artifact.manifest.id}@${artifact.manifest.version} to ${folder} in ${((performance.now() - t0) / 1000).toFixed(1)} s, a revision of ${artifact.manifest.provenance.revisionOf!.version}:`);
    for (const change of artifact.manifest.provenance.revisionOf!.changes) console.log(`  - ${change}`);
  });

program
  .command('reinterpret')
  .description("CLs and the 95% CLs upper limit for new signal yields: a workspace's signal sample replaced by yours")
  .argument('<likelihood>', 'a pyhf workspace file (.json/.json.gz), or a published likelihood id[@version]')
  .requiredOption('--signal <file>', 'JSON: {"channel": [yield per bin], ...} or {"sample": name, "yields": {...}}')
  .option('--sample <name>', 'the signal sample (default: the one sample the POI scales)')
  .option('--poi <name>', "the signal's normfactor (default: the measurement's POI)")
  .option('--patchset <file>', 'apply a patch of this patchset to the workspace first')
  .option('--patch <name>', 'the patch of --patchset')
  .option('--values <list>', 'comma-separated POI values for CLs', '1')
  .option('--level <cl>', 'CLs level of the limit', finiteNumber, 0.05)
  .option('--root <folder>', 'likelihoods folder (for an id)', 'likelihoods')
  .option('--json', 'print the result as JSON')
  .action(async (target: string, options) => {
    const { existsSync } = await import('node:fs');
    const { readJsonText } = await import('./pyhf/import-workspace.js');
    const { reinterpret, artifactWorkspace, requestWorkspace } = await import('../models/service/pyhf.js');
    const { ReinterpretRequestSchema } = await import('../models/service/schemas.js');
    const { ServiceError } = await import('../models/service/errors.js');
    const signal = JSON.parse(await readJsonText(options.signal));
    const yields = signal.yields ?? signal;
    const parsed = ReinterpretRequestSchema.safeParse({
      signal: { yields, ...(options.sample ?? signal.sample ? { sample: options.sample ?? signal.sample } : {}) },
      values: String(options.values).split(',').map(Number),
      level: options.level,
      ...(options.poi ? { poi: options.poi } : {}),
    });
    if (!parsed.success) throw new Error(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    try {
      let workspace;
      if (existsSync(target)) {
        const text = await readJsonText(target);
        const source = { workspace: JSON.parse(text), verify: true, ...(options.patchset ? { patchset: JSON.parse(await readJsonText(options.patchset)), patch: options.patch } : {}) };
        // pyhf's digest is taken of the file's own text
        workspace = (await requestWorkspace(source, { text })).workspace;
      } else {
        const { readPublished } = await import('./lib/artifact-writer.js');
        workspace = artifactWorkspace(await readPublished(options.root, target)).workspace;
      }
      const result = await reinterpret(workspace, parsed.data);
      if (options.json) return console.log(JSON.stringify(result, null, 2));
      const fmt = (v: number | null) => (v === null ? '—' : v.toPrecision(4));
      console.log(`signal sample '${result.sample}', POI '${result.poi}' (${result.cls.testStatistic})`);
      for (const w of result.warnings) console.log(`  note: ${w}`);
      console.log(`  ${'μ'.padEnd(10)} ${'CLs obs'.padEnd(10)} ${['exp −2σ', '−1σ', 'median', '+1σ', '+2σ'].map((h) => h.padEnd(8)).join(' ')}`);
      for (const h of result.cls.results) console.log(`  ${String(h.mu).padEnd(10)} ${fmt(h.cls).padEnd(10)} ${(h.expected ?? [null, null, null, null, null]).map((e) => fmt(e).padEnd(8)).join(' ')}${h.converged ? '' : `  (${h.message})`}`);
      const l = result.upperLimit;
      console.log(`  ${(100 * (1 - l.level)).toFixed(0)}% CLs upper limit on ${l.poi}: observed ${fmt(l.observed)}, expected ${fmt(l.expected[2])} (±1σ [${fmt(l.expected[1])}, ${fmt(l.expected[3])}], ±2σ [${fmt(l.expected[0])}, ${fmt(l.expected[4])}])`);
      for (const m of l.messages) console.log(`  ${m}`);
    } catch (error) {
      if (error instanceof ServiceError) throw new Error(`${error.message}${error.failure.issues.length ? ` (at ${error.failure.issues[0].path.join('.')})` : ''}`);
      throw error;
    }
  });

program
  .command('toys')
  .description('Toy-based CLs beside the asymptotic one, or a Feldman–Cousins interval (--fc), for a published likelihood')
  .argument('<likelihood>', 'a published likelihood id[@version]')
  .option('--poi <name>', 'the signal strength (CLs) or the parameter (--fc); default the first parameter of interest')
  .option('--values <list>', 'comma-separated POI values for CLs', '1')
  .option('--toys <n>', 'toys per hypothesis (CLs) or per tested value (--fc)', positiveInteger, 1000)
  .option('--seed <n>', 'seed of the toys', positiveOrZero, 1)
  .option('--test-statistic <kind>', 'qtilde or q (CLs)', 'qtilde')
  .option('--data <kind>', 'observed or asimov', 'observed')
  .option('--fc', 'a Feldman–Cousins interval for --poi instead of CLs')
  .option('--cl <level>', 'confidence level of --fc', finiteNumber, 0.9)
  .option('--points <n>', 'scan points of --fc before its ends are refined', positiveInteger, 21)
  .option('--root <folder>', 'likelihoods folder', 'likelihoods')
  .option('--json', 'print the result as JSON')
  .action(async (target: string, options) => {
    const { readPublished } = await import('./lib/artifact-writer.js');
    const { resolveDataset } = await import('../models/likelihood/datasets.js');
    const { likelihood } = await readPublished(options.root, target);
    const data = resolveDataset(likelihood, { kind: options.data === 'asimov' ? 'asimov' : 'observed' });
    const poi: string = options.poi ?? likelihood.names[0];
    const fmt = (v: number | null | undefined, digits = 4) => (v === null || v === undefined ? '—' : v.toPrecision(digits));
    if (options.fc) {
      const { feldmanCousinsInterval } = await import('../models/inference/intervals/feldman-cousins.js');
      const bar = progressBar(`Feldman–Cousins, ${options.toys} toys per value`);
      const fc = feldmanCousinsInterval(likelihood, data, poi, { cl: options.cl, toys: options.toys, seed: options.seed, points: options.points, progress: (k) => bar.update(k, options.points + 24) });
      bar.stop();
      if (options.json) return console.log(JSON.stringify({ ...fc, tested: fc.tested.map((t) => ({ theta: t.theta, p: t.pValue?.value ?? null, error: t.pValue?.error ?? null })) }, null, 2));
      console.log(`${(100 * fc.cl).toFixed(1)}% CL Feldman–Cousins interval for ${poi}: [${fmt(fc.lower)}, ${fmt(fc.upper)}] (${fc.tested.length} values tested, ${options.toys} toys each; ${fc.message})`);
      return;
    }
    const { ToyCalculator } = await import('../models/inference/calculators/toys.js');
    const { AsymptoticCalculator } = await import('../models/inference/calculators/asymptotic.js');
    const values = String(options.values).split(',').map(Number);
    const testStatistic = options.testStatistic === 'q' ? 'q' : 'qtilde';
    const asymptotic = new AsymptoticCalculator(likelihood, data, poi, { testStatistic });
    const results = values.map((mu) => {
      const bar = progressBar(`${poi} = ${mu}: toys`);
      const calculator = new ToyCalculator(likelihood, data, poi, { toys: options.toys, seed: options.seed, testStatistic, progress: (done, total) => bar.update(done, total) });
      const started = performance.now();
      const result = calculator.hypotest(mu);
      bar.stop();
      return { toys: result, seconds: (performance.now() - started) / 1000, asymptotic: asymptotic.hypotest(mu) };
    });
    if (options.json) return console.log(JSON.stringify(results.map((r) => ({ ...r, toys: { ...r.toys, distributions: undefined } })), null, 2));
    console.log(`CLs for ${poi} (${testStatistic}), ${options.toys} toys per hypothesis, seed ${options.seed}`);
    console.log(`  ${'μ'.padEnd(8)} ${'toys: CLs ± error'.padEnd(22)} ${'asymptotic'.padEnd(11)} ${'toys expected −2σ … +2σ'.padEnd(40)} asymptotic expected`);
    for (const { toys: t, asymptotic: a, seconds } of results) {
      const band = (e: number[] | null) => (e ?? [null, null, null, null, null]).map((v) => fmt(v, 3).padEnd(7)).join(' ');
      console.log(`  ${String(t.mu).padEnd(8)} ${`${fmt(t.cls)} ± ${fmt(t.clsError, 2)}`.padEnd(22)} ${fmt(a.cls).padEnd(11)} ${band(t.expected).padEnd(40)} ${band(a.expected)}  (${seconds.toFixed(1)} s${t.failedToys ? `, ${t.failedToys} toys failed` : ''})`);
    }
  });

program
  .command('four-top')
  .description('the four-top top-Yukawa study (seed 000\'s method): simulate the four-top benchmark, train the background-rejection and parameter networks, bin, build templates, scan Y_t and (a_t, b_t), export to pyhf, publish tttt-yukawa(-np) and tttt-cp(-np), write docs/four-top.md')
  .option('--out <folder>', 'likelihoods folder', 'likelihoods')
  .option('--version <version>', 'artifact version (a published version is never overwritten)', '1.0.0')
  .option('--docs <file>', 'the results document', 'docs/four-top.md')
  .option('--exports <folder>', 'where the pyhf workspaces and patchsets go', 'exports')
  .option('--quick', 'a small run (fewer events, epochs and scan points) to try the pipeline: about 100 s on a 2-core machine')
  .action(async (options) => {
    const { assertUnpublished } = await import('./lib/artifact-writer.js');
    await assertUnpublished(options.out, ['tttt-yukawa', 'tttt-yukawa-np', 'tttt-cp', 'tttt-cp-np'], options.version);
    const { runFourTop } = await import('./four-top/run.js');
    const { writeFourTopReport } = await import('./four-top/report.js');
    const quick = options.quick
      ? { trainingEvents: { tttt: 8000, ttH: 6000, tt: 8000 }, templateEvents: { tttt: 20000, ttH: 15000, tt: 30000 }, classifier: { hidden: [32], epochs: 2, batchSize: 512, learningRate: 3e-3, seed: 11 }, parameterNetwork: { hidden: [32], epochs: 2, batchSize: 512, learningRate: 3e-3, seed: 12, alternative: 2 }, scanPoints: 31, contourPoints: 11 }
      : {};
    const result = await runFourTop({ out: options.out, docs: options.docs, exports: options.exports, version: options.version, config: quick, log: (line) => console.log(line) });
    await writeFourTopReport(result, options.docs);
    for (const t of result.table) console.log(`  ${t.label.padEnd(42)} ${String(t.luminosity).padStart(6)} fb⁻¹  68%: ${t.i68}  95%: ${t.i95}`);
    console.log(`published ${result.published.map((p) => p.artifact.manifest.id).join(', ')}; wrote ${options.docs} (${result.seconds} s)`);
  });

program
  .command('drell-yan')
  .description('the learned Drell–Yan SMEFT likelihood: train (derivative learning with a repulsive ensemble and fractional smearing, plus the background classifier) or reuse <run>/dy-smeft-run3/trained.msgpack; compare truth, learned, histogram and rate on one test sample (scans, contours); coverage toys; publish dy-smeft-run3; write docs/drell-yan.md')
  .option('--out <folder>', 'likelihoods folder', 'likelihoods')
  .option('--version <version>', 'artifact version (a published version is never overwritten)', '1.0.0')
  .option('--docs <file>', 'the results document', 'docs/drell-yan.md')
  .option('--run <folder>', 'where the trained networks are kept between runs', 'runs')
  .option('--retrain', 'train again even if a trained file exists')
  .option('--train-only', 'stop after training (and writing the trained file)')
  .option('--toys <n>', 'coverage toys', positiveInteger)
  .option('--workers <n>', 'processes for the coverage toys', positiveInteger, 2)
  .option('--quick', 'a small run (about a minute) to try the pipeline; its report goes to <run>/dy-smeft-run3-quick/, not --docs')
  .option('--relative-floor <f>', 'weight the squared errors relative to ĉ with floor f (derivative-learning.ts; default: by the targets\' variances)', finiteNumber)
  .action(async (options) => {
    const { DEFAULT_LEARNED_CONFIG, QUICK_LEARNED_CONFIG, withRelativeFloor } = await import('./drell-yan/learned.js');
    const { loadOrTrain, runDrellYan } = await import('./drell-yan/run.js');
    const log = (line: string) => console.log(line);
    if (options.trainOnly) {
      const file = `${options.run}/dy-smeft-run3${options.quick ? '-quick' : ''}/trained.msgpack`;
      const bar = progressBar('train');
      const { reused } = await loadOrTrain(withRelativeFloor(options.quick ? QUICK_LEARNED_CONFIG : DEFAULT_LEARNED_CONFIG, options.relativeFloor), file, Boolean(options.retrain), {
        onStage: (stage, detail) => log(`[${stage}] ${detail}`),
        onTrainingProgress: (p) => bar.update(p.epoch, p.epochs, `loss ${p.loss.toFixed(4)}`),
      });
      bar.stop();
      log(reused ? `${file} exists (pass --retrain to train again)` : `wrote ${file}`);
      return;
    }
    const { assertUnpublished } = await import('./lib/artifact-writer.js');
    await assertUnpublished(options.out, ['dy-smeft-run3'], options.version);
    const result = await runDrellYan({ out: options.out, version: options.version, run: options.run, retrain: Boolean(options.retrain), quick: Boolean(options.quick), relativeFloor: options.relativeFloor, toys: options.toys, workers: options.workers, log });
    const { writeLearnedReport } = await import('./drell-yan/learned-report.js');
    const docs = options.quick ? `${options.run}/dy-smeft-run3-quick/drell-yan.md` : options.docs;
    await writeLearnedReport(result, docs);
    log(`wrote ${docs}`);
    log(`published ${result.published.artifact.manifest.id}@${options.version} (${result.seconds.toFixed(0)} s)`);
  });

program
  .command('drell-yan-estimators')
  .description('the Drell–Yan likelihood by morphing-aware estimation and by CARL (seed 003 sec. 2.1, eq. 6-8): train or reuse <run>/dy-smeft-run3-{morphing,carl}/trained.msgpack; compare them with the truth, derivative learning (dy-smeft-run3) and the m_ll histogram on the test sample of docs/drell-yan.md (kept in <run>/dy-smeft-run3-estimators/comparison.msgpack); write docs/drell-yan-estimators.md; with --publish, publish dy-smeft-run3-morphing')
  .option('--out <folder>', 'likelihoods folder (dy-smeft-run3 must be published there)', 'likelihoods')
  .option('--version <version>', 'artifact version (a published version is never overwritten)', '1.0.0')
  .option('--docs <file>', 'the results document', 'docs/drell-yan-estimators.md')
  .option('--run <folder>', 'where the trained networks are kept between runs', 'runs')
  .option('--retrain', 'train and compare again even if the trained files and the comparison exist')
  .option('--train-only', 'stop after training (and writing the trained files)')
  .option('--publish', 'publish the morphing-aware likelihood as dy-smeft-run3-morphing (not by default: see docs/drell-yan-estimators.md)')
  .option('--quick', 'a small run (about a minute) to try the pipeline; its report goes to <run>/dy-smeft-run3-estimators-quick/, not --docs, and nothing is published')
  .option('--spreads <s1,s2,s3>', 'the benchmarks\' offsets along each axis and CARL\'s prior widths (default 0.2,0.12,0.2)', (value: string) => {
    const spreads = value.split(',').map(Number);
    if (spreads.length !== 3 || !spreads.every((s) => Number.isFinite(s) && s > 0)) throw new InvalidArgumentError('three positive numbers, e.g. 0.2,0.12,0.2');
    return spreads as [number, number, number];
  })
  .option('--loss <loss>', 'the morphing-aware classifiers\' loss: alice (cross entropy, default) or squared-ratio (seed 003 eq. 55)', (value: string) => {
    if (value !== 'alice' && value !== 'squared-ratio') throw new InvalidArgumentError('alice or squared-ratio');
    return value;
  })
  .action(async (options) => {
    const { runEstimators, trainEstimators } = await import('./drell-yan/estimators-run.js');
    const log = (line: string) => console.log(line);
    const settings = { out: options.out, version: options.version, run: options.run, retrain: Boolean(options.retrain), quick: Boolean(options.quick), publish: Boolean(options.publish) && !options.quick, spreads: options.spreads, morphingLoss: options.loss, log };
    if (options.trainOnly) {
      await trainEstimators(settings);
      return;
    }
    const { assertUnpublished } = await import('./lib/artifact-writer.js');
    if (settings.publish) await assertUnpublished(options.out, ['dy-smeft-run3-morphing'], options.version);
    const result = await runEstimators(settings);
    const { writeEstimatorsReport } = await import('./drell-yan/estimators-report.js');
    const docs = options.quick ? `${options.run}/dy-smeft-run3-estimators-quick/drell-yan-estimators.md` : options.docs;
    await mkdir(dirname(docs), { recursive: true });
    await writeEstimatorsReport(result, docs);
    log(`wrote ${docs}${settings.publish ? `; published dy-smeft-run3-morphing@${options.version}` : ''} (${result.seconds.toFixed(0)} s)`);
  });

program
  .command('drell-yan-coverage')
  .description("coverage of the published Drell–Yan likelihoods at the SM and away from it, with the parton-level truth on the same toys and the bias of θ̂, and σ(θ) against the generator (issue 13): runs or reuses the documented studies (kept in <run>/dy-smeft-run3-coverage/) and writes docs/drell-yan-coverage.md; with --at, one study of --likelihood, printed")
  .option('--root <folder>', 'likelihoods folder', 'likelihoods')
  .option('--at <values...>', 'one study at this true θ (C_lq1 C_lq3 C_eu, TeV⁻²), printed instead of the documented ones')
  .option('--likelihood <id>', 'with --at: id or id@version', 'dy-smeft-run3')
  .option('--toys <n>', 'with --at: coverage toys', positiveInteger, 200)
  .option('--workers <n>', 'processes for the toys', positiveInteger, 2)
  .option('--run <folder>', 'where results are kept between runs', 'runs')
  .option('--again', 'run the toys again even if a kept result exists')
  .option('--docs <file>', 'the results document', 'docs/drell-yan-coverage.md')
  .action(async (options) => {
    const { writeCoverageDocument, coverageStudyReport } = await import('./drell-yan/coverage-report.js');
    const { drellYanCoverageStudy } = await import('./drell-yan/run.js');
    const bars = progressBars();
    const onProgress = (what: string, done: number, total: number) => bars.update(what, done, total);
    if (options.at) {
      const at = options.at.map((v: string) => finiteNumber(v));
      if (at.length !== 3) throw new InvalidArgumentError(`--at needs three values (C_lq1 C_lq3 C_eu), got ${at.length}`);
      const study = await drellYanCoverageStudy({ root: options.root, spec: options.likelihood, at, toys: options.toys, workers: options.workers, run: options.run, again: Boolean(options.again), onProgress: (d, t) => onProgress('toys', d, t) });
      bars.stop();
      console.log(coverageStudyReport({ ...study, name: options.likelihood }));
      return;
    }
    await writeCoverageDocument({ root: options.root, run: options.run, workers: options.workers, again: Boolean(options.again), docs: options.docs, log: (line) => console.log(line), onProgress });
    bars.stop();
  });

program
  .command('drell-yan-selection')
  .description('publish dy-smeft-run3@1.1.0: the networks of 1.0.1 with the analysis selection stated and applied (the reference sample and σ derived again with it; events outside refused), with coverage toys at the SM and at the expected 95.45% boundary in its validation (issue 13)')
  .option('--root <folder>', 'likelihoods folder', 'likelihoods')
  .option('--from <spec>', 'the version whose networks are kept', 'dy-smeft-run3@1.0.1')
  .option('--version <version>', 'the new version (a published version is never overwritten)', '1.1.0')
  .option('--toys <n>', 'coverage toys at the boundary', positiveInteger, 200)
  .option('--sm-toys <n>', 'coverage toys at the SM', positiveInteger, 100)
  .option('--workers <n>', 'processes for the toys', positiveInteger, 2)
  .option('--run <folder>', 'where coverage results are kept between runs', 'runs')
  .option('--control-variate <n>', "signal events of the control variate's own sample (half as many background events); 0: the reference sample's, as 1.0.x", positiveOrZero, 8_000_000)
  .action(async (options) => {
    const { assertUnpublished } = await import('./lib/artifact-writer.js');
    await assertUnpublished(options.root, ['dy-smeft-run3'], options.version);
    const { reviseWithSelection } = await import('./drell-yan/selection-revision.js');
    const bars = progressBars();
    const result = await reviseWithSelection({
      root: options.root,
      from: options.from,
      version: options.version,
      run: options.run,
      toys: options.toys,
      smToys: options.smToys,
      workers: options.workers,
      controlVariate: options.controlVariate > 0 ? { signal: options.controlVariate, background: options.controlVariate / 2 } : undefined,
      log: (line) => console.log(line),
      onProgress: (what, done, total) => bars.update(what, done, total),
    });
    bars.stop();
    console.log(`published ${result.published.artifact.manifest.id}@${result.published.artifact.manifest.version} in ${result.seconds.toFixed(0)} s`);
  });

program
  .command('drell-yan-coverage-shard', { hidden: true })
  .description('one process of the coverage toys of `drell-yan` (started by it)')
  .argument('<artifact>', 'folder of the artifact under test')
  .argument('<job>', 'JSON with the toy model and the coverage configuration')
  .argument('<from>', 'first toy', positiveOrZero)
  .argument('<to>', 'end of the toys (exclusive)', positiveOrZero)
  .argument('<output>', 'where the shard result is written')
  .action(async (artifact, job, from, to, output) => {
    const { coverageShardProcess } = await import('./drell-yan/run.js');
    await coverageShardProcess(artifact, job, from, to, output);
  });

program
  .command('drell-yan-baselines')
  .description('the Drell–Yan inferences without training: rate, m_ll histogram (published as dy-smeft-run3-mll) and parton truth for the Drell-Yan SMEFT benchmark; writes docs/drell-yan-baselines.md')
  .option('--out <folder>', 'likelihoods folder', 'likelihoods')
  .option('--version <version>', 'artifact version (a published version is never overwritten)', '1.0.0')
  .option('--docs <file>', 'the results document', 'docs/drell-yan.md')
  .option('--events <n>', 'signal parton events', positiveInteger, 400_000)
  .action(async (options) => {
    const { runBaselines } = await import('./drell-yan/baselines.js');
    const { writeDrellYanReport } = await import('./drell-yan/report.js');
    const { writeCatalogueIndex } = await import('./lib/catalogue-index.js');
    const result = await runBaselines({ out: options.out, version: options.version, config: { events: options.events }, log: (line) => console.log(line) });
    await writeCatalogueIndex(options.out);
    await writeDrellYanReport(result, options.docs);
    console.log(`published dy-smeft-run3-mll@${options.version}; wrote ${options.docs} (${result.seconds.toFixed(0)} s)`);
  });

registerStudyCommands(program);

program.parseAsync().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
