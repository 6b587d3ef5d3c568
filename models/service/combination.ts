/**
 * Combinations of published likelihoods (issue 25): the members are loaded from the store,
 * combined (models/likelihood/combination.ts) and served by the same operations as one
 * likelihood (`nll`, `fit`, `interval`). Each member's data are resolved by the member's own
 * likelihood, from the request's dataset for it, so that they are exactly what the member
 * alone would use; the combination's luminosity is a factor on every member's published one.
 */
import { ArtifactError, type LoadedArtifact } from '../artifact/load.js';
import type { Manifest } from '../artifact/manifest-schema.js';
import { CombinationError, combineLikelihoods, combinedData, type Combination, type CombinationOptions } from '../likelihood/combination.js';
import { hasObservedData } from '../likelihood/datasets.js';
import { Cost, likelihoodSizes, type LikelihoodSizes } from './cost.js';
import type { ArtifactStore } from './catalogue.js';
import { invalidInput, ServiceError } from './errors.js';
import { datasetCost, registerDataResolver, requestData, requestEventCounts, type DataFields, type ServedLikelihood } from './request-data.js';
import type { CombinationFields } from './schemas.js';

/** The members of a request, loaded and combined, ready for the service's operations. */
export async function combination(store: ArtifactStore, request: CombinationFields): Promise<ServedLikelihood> {
  const artifacts = await Promise.all(
    request.likelihoods.map(async (spec) => {
      const { id, version } = await store.resolve(spec);
      return store.load(id, version);
    }),
  );
  let combined: Combination;
  try {
    combined = combineArtifacts(artifacts, request);
  } catch (error) {
    if (error instanceof CombinationError) throw invalidInput('invalid-combination', error.message, error.path);
    throw error;
  }
  serveCombination(combined, (fields) => membersDatasets(combined, request, fields));
  return { likelihood: combined.likelihood, manifest: { id: artifacts.map((a) => `${a.manifest.id}@${a.manifest.version}`).join('+'), validation: { coverage: memberCoverage(artifacts) } } };
}

/**
 * A published combination (a manifest with `combination`): its members loaded from the same
 * store, each checked against the sha256 of its manifest, combined as the manifest says. Its
 * data are "observed" or "asimov" for every member; submitted data go per member through
 * `/v1/combinations`.
 */
export async function loadPublishedCombination(manifest: Manifest, store: Pick<ArtifactStore, 'manifest' | 'load'>): Promise<LoadedArtifact> {
  const spec = manifest.combination!;
  const artifacts = await Promise.all(
    spec.members.map(async ({ id, version, manifestSha256 }) => {
      const { etag } = await store.manifest(id, version);
      if (etag !== `"${manifestSha256}"`) throw new ArtifactError('integrity-mismatch', `member ${id}@${version}: its manifest's sha256 is ${etag.slice(1, -1)}, the combination pins ${manifestSha256}`);
      return store.load(id, version);
    }),
  );
  let combined: Combination;
  try {
    combined = combineArtifacts(artifacts, spec);
  } catch (error) {
    if (error instanceof CombinationError) throw new ArtifactError('model-invalid', error.message);
    throw error;
  }
  const declared = manifest.parameters.map((p) => p.name);
  const interest = combined.likelihood.names.slice(0, combined.likelihood.interest);
  if (declared.join() !== interest.join()) throw new ArtifactError('model-invalid', `the manifest declares the parameters ${declared.join(', ')}; the combination's parameters of interest are ${interest.join(', ')}`);
  serveCombination(combined, (fields) => {
    if (typeof fields.data === 'object') throw invalidInput('invalid-dataset', 'a published combination takes "observed" or "asimov"; submit data per member through POST /v1/combinations/{nll,fit,interval}', ['data']);
    return membersDatasets(combined, { data: fields.data, at: fields.at }, fields);
  });
  return { manifest, likelihood: combined.likelihood, pageAnalysis: null, componentBytes: 0 };
}

function combineArtifacts(artifacts: readonly LoadedArtifact[], options: CombinationOptions): Combination {
  return combineLikelihoods(artifacts.map((a) => ({ key: a.manifest.id, likelihood: a.likelihood })), options);
}

/** A member's under-coverage warning holds for every combination it enters. */
function memberCoverage(artifacts: readonly LoadedArtifact[]) {
  return artifacts.flatMap((a) => a.manifest.validation.coverage ?? []);
}

/** Routes the service's data resolution and cost for the combined likelihood through its members. */
function serveCombination(combined: Combination, datasetsOf: (fields: DataFields) => DataFields[]): void {
  registerDataResolver(combined.likelihood, {
    data: (fields) => combinedData(combined.members, datasetsOf(fields).map((f, k) => inMember(combined, k, () => requestData(combined.members[k].likelihood, f))), fields.luminosity ?? 1, fields.rate ?? true),
    cost: (fields) => {
      const datasets = datasetsOf(fields);
      const sizes = datasets.map((f, k) => likelihoodSizes(combined.members[k].likelihood, requestEventCounts(combined.members[k].likelihood, f)));
      const cost = new Cost(combinedSizes(combined, sizes));
      datasets.forEach((f, k) => {
        const { units, memoryBytes } = datasetCost(combined.members[k].likelihood, f);
        cost.other(units, memoryBytes);
      });
      return cost;
    },
  });
}

/** The dataset request of each member: the combination's dataset for it, `at` in its own names, its luminosity. */
function membersDatasets(combined: Combination, request: Pick<CombinationFields, 'data' | 'at'>, fields: DataFields): DataFields[] {
  const names = combined.likelihood.names;
  const at = request.at ?? {};
  for (const name of Object.keys(at)) {
    if (combined.likelihood.indexOf(name) < 0) throw invalidInput('unknown-parameter', `the combination has no parameter '${name}' (it has ${names.join(', ')})`, ['at', name]);
  }
  const perMember = typeof request.data === 'object' ? request.data : null;
  for (const key of Object.keys(perMember ?? {})) {
    if (!combined.members.some((m) => m.key === key)) throw invalidInput('invalid-dataset', `data names '${key}', which is not a member (${combined.members.map((m) => m.key).join(', ')})`, ['data', key]);
  }
  const used = new Set<string>();
  const datasets = combined.members.map((m) => {
    const data = perMember ? perMember[m.key] : (request.data as 'asimov' | 'observed' | undefined);
    const own: Record<string, number> = {};
    m.index.forEach((c, j) => {
      if (Object.hasOwn(at, names[c])) own[m.likelihood.names[j]] = at[names[c]];
    });
    const asimov = data === 'asimov' || (data === undefined && !hasObservedData(m.likelihood));
    if (asimov) m.index.forEach((c) => Object.hasOwn(at, names[c]) && used.add(names[c]));
    return { data, ...(asimov && Object.keys(own).length ? { at: own } : {}), luminosity: (fields.luminosity ?? 1) * m.likelihood.publishedLuminosity, rate: fields.rate };
  });
  const unused = Object.keys(at).filter((name) => !used.has(name));
  if (unused.length) throw invalidInput('invalid-request', `\`at\` sets ${unused.join(', ')}, on which no member's Asimov data depend`, ['at', unused[0]]);
  return datasets;
}

/** A member's failure, told as the member's: its message and paths prefixed with the member. */
function inMember<T>(combined: Combination, k: number, f: () => T): T {
  try {
    return f();
  } catch (error) {
    if (!(error instanceof ServiceError)) throw error;
    const { key } = combined.members[k];
    const failure = error.failure;
    throw new ServiceError({ ...failure, message: `member '${key}': ${failure.message}`, issues: failure.issues.map((i) => ({ ...i, path: i.path[0] === 'data' ? ['data', key, ...i.path.slice(1)] : i.path })) } as typeof failure);
  }
}

/** The combination's evaluation sizes: the members' evaluations (with their own datasets' events) add up; its parameters are its own. */
function combinedSizes(combined: Combination, members: readonly LikelihoodSizes[]): LikelihoodSizes {
  const evaluation: [number, number, number] = [0, 0, 0];
  const memberEvaluation: [number, number, number] = [0, 0, 0];
  for (const s of members) {
    for (let order = 0; order < 3; order++) {
      evaluation[order] += s.evaluation[order];
      memberEvaluation[order] += s.memberEvaluation[order];
    }
  }
  return { ...likelihoodSizes(combined.likelihood, () => 0), evaluation, memberEvaluation };
}
