/**
 * Combinations of published likelihoods (issue 25): the members are loaded from the store,
 * combined (models/likelihood/combination.ts) and served by the same operations as one
 * likelihood (`nll`, `fit`, `interval`). Each member's data are resolved by the member's own
 * likelihood, from the request's dataset for it, so that they are exactly what the member
 * alone would use; the combination's luminosity is a factor on every member's published one.
 */
import { CombinationError, combineLikelihoods, combinedData, type Combination } from '../likelihood/combination.js';
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
  const members = artifacts.map((a) => ({ key: a.manifest.id, likelihood: a.likelihood }));
  let combined: Combination;
  try {
    combined = combineLikelihoods(members, { rename: request.rename, correlate: request.correlate });
  } catch (error) {
    if (error instanceof CombinationError) throw invalidInput('invalid-combination', error.message, error.path);
    throw error;
  }
  const memberFields = (fields: DataFields) => membersDatasets(combined, request, fields);
  registerDataResolver(combined.likelihood, {
    data: (fields) => combinedData(combined.members, memberFields(fields).map((f, k) => inMember(combined, k, () => requestData(combined.members[k].likelihood, f))), fields.luminosity ?? 1, fields.rate ?? true),
    cost: (fields) => {
      const datasets = memberFields(fields);
      const sizes = datasets.map((f, k) => likelihoodSizes(combined.members[k].likelihood, requestEventCounts(combined.members[k].likelihood, f)));
      const cost = new Cost(combinedSizes(combined, sizes));
      datasets.forEach((f, k) => {
        const { units, memoryBytes } = datasetCost(combined.members[k].likelihood, f);
        cost.other(units, memoryBytes);
      });
      return cost;
    },
  });
  const id = artifacts.map((a) => `${a.manifest.id}@${a.manifest.version}`).join('+');
  // a member's under-coverage warning holds for every combination it enters
  return { likelihood: combined.likelihood, manifest: { id, validation: { coverage: artifacts.flatMap((a) => a.manifest.validation.coverage ?? []) } } };
}

/** The dataset request of each member: the combination's dataset for it, `at` in its own names, its luminosity. */
function membersDatasets(combined: Combination, request: CombinationFields, fields: DataFields): DataFields[] {
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

/** The combination's evaluation sizes: the members' evaluations add up; its parameters are its own. */
function combinedSizes(combined: Combination, members: readonly LikelihoodSizes[]): LikelihoodSizes {
  const { likelihood } = combined;
  const evaluation: [number, number, number] = [0, 0, 0];
  for (const s of members) for (let order = 0; order < 3; order++) evaluation[order] += s.evaluation[order];
  return {
    evaluation,
    free: likelihood.parameters.filter((p) => !p.fixed).length,
    parameters: likelihood.parameters.length,
    variants: likelihood.variants,
    freeInterest: likelihood.parameters.slice(0, likelihood.interest).filter((p) => !p.fixed).length,
  };
}
