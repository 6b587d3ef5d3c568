/**
 * A combination of likelihoods: the product of its members' likelihoods over one parameter
 * vector, −ln L(φ) = Σ_m −ln L_m(φ restricted to member m), each member with its own data at
 * its own published luminosity.
 *
 * How parameters are shared (issue 25; pyhf's semantics for a combined workspace):
 * - parameters of interest with the same name (after `rename`) are one parameter; their
 *   reference values must agree and the combination's range is the intersection of theirs;
 * - a nuisance parameter is the member's own, named `<member>/<name>`, unless `correlate`
 *   names it: then it is one parameter `<name>` for every member that has it, and its
 *   constraint term is counted once, the first member's (the later members' terms are
 *   rebuilt without it, Term.withoutConstraints), so the constraints must be the same.
 *
 * The NLL is the sum of the members' own NLLs, in member order, so it equals that sum
 * exactly; gradients and Hessians are theirs scattered into the combined vector. The
 * combination's terms are the members' under the names `<member>/<term>` with their
 * parameters at combined positions, so that datasets (observed, Asimov at a combined point,
 * toys) are resolved term by term as for any likelihood, each term in its member's context.
 */
import { createLikelihood, type BoundTerm, type Likelihood, type LikelihoodData } from './likelihood.js';
import type { Constraint, Derivatives, ParameterSpec, Term } from './term.js';

/** A member: the key it is known by in the combination (its id), its likelihood and its published luminosity. */
export interface CombinationMember {
  readonly key: string;
  readonly likelihood: Likelihood;
}

export interface CombinationOptions {
  /** per member key: its parameter name → the name in the combination */
  rename?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** nuisance names (after renaming) shared by every member that has them */
  correlate?: readonly string[];
}

/** A combination as built: the combined likelihood and, per member, its likelihood as evaluated here. */
export interface Combination {
  readonly likelihood: Likelihood;
  readonly members: readonly {
    readonly key: string;
    /** the member's likelihood, its correlated constraints removed where another member counts them */
    readonly likelihood: Likelihood;
    /** member parameter i → combined index */
    readonly index: Int32Array;
  }[];
}

/** A combination that cannot be built; `path` locates the offending request field. */
export class CombinationError extends Error {
  constructor(
    readonly path: (string | number)[],
    message: string,
  ) {
    super(message);
    this.name = 'CombinationError';
  }
}

/** The separator of a member's own nuisance parameters' names: `<member>/<name>`. */
export const MEMBER_SEPARATOR = '/';

/** The name of a member's term in the combination. */
const combinedTermName = (key: string, term: string) => `${key}${MEMBER_SEPARATOR}${term}`;

/** The combined data from each member's own data (as its likelihood resolves them), its terms under their combined names. */
export function combinedData(members: readonly { key: string }[], data: readonly LikelihoodData[], luminosityScale: number, rate: boolean): LikelihoodData {
  return { luminosity: luminosityScale, rate, terms: Object.fromEntries(members.flatMap((m, i) => Object.entries(data[i].terms).map(([name, d]) => [combinedTermName(m.key, name), d]))) };
}

export function combineLikelihoods(members: readonly CombinationMember[], options: CombinationOptions = {}): Combination {
  const keys = new Set<string>();
  members.forEach((m, i) => {
    if (keys.has(m.key)) throw new CombinationError(['likelihoods', i], `'${m.key}' is listed twice`);
    keys.add(m.key);
  });
  for (const key of Object.keys(options.rename ?? {})) {
    if (!keys.has(key)) throw new CombinationError(['rename', key], `rename names '${key}', which is not a member (${[...keys].join(', ')})`);
  }
  const renamed = members.map((m) => {
    const rename = options.rename?.[m.key] ?? {};
    for (const [from, to] of Object.entries(rename)) {
      if (m.likelihood.indexOf(from) < 0) throw new CombinationError(['rename', m.key, from], `'${m.key}' has no parameter '${from}'`);
      if (!to || to.includes(MEMBER_SEPARATOR)) throw new CombinationError(['rename', m.key, from], `a new name must be non-empty and without '${MEMBER_SEPARATOR}'`);
    }
    return m.likelihood.names.map((name) => rename[name] ?? name);
  });

  // correlated nuisances (by name, or a per-bin set `name[b]` by its set's name): which members have each, the first keeps its constraint
  const correlate = new Set(options.correlate ?? []);
  const setName = (name: string) => name.replace(/\[\d+\]$/, '');
  const isCorrelated = (name: string) => correlate.has(name) || correlate.has(setName(name));
  const holders = new Map<string, number[]>();
  members.forEach((m, i) =>
    renamed[i].forEach((name, j) => {
      if (j >= m.likelihood.interest && isCorrelated(name)) holders.set(name, [...(holders.get(name) ?? []), i]);
    }),
  );
  [...correlate].forEach((name, c) => {
    const held = members.flatMap((m, i) => (renamed[i].some((n, j) => j >= m.likelihood.interest && (n === name || setName(n) === name)) ? [i] : []));
    if (held.length < 2) throw new CombinationError(['correlate', c], `'${name}' is a nuisance parameter of ${held.length ? `'${members[held[0]].key}' only` : 'no member'}: correlating needs two members that have it`);
  });
  const evaluated = members.map((m, i) => {
    const released = new Set<string>();
    renamed[i].forEach((name, j) => {
      if (j >= m.likelihood.interest && (holders.get(name)?.[0] ?? i) !== i) released.add(m.likelihood.names[j]);
    });
    if (released.size === 0) return m.likelihood;
    checkSameConstraints(members, renamed, holders, i, released);
    const { likelihood } = m;
    const terms = likelihood.terms.map(({ term }) => term.withoutConstraints(released));
    return createLikelihood(likelihood.parameters.slice(0, likelihood.interest), terms, likelihood.publishedLuminosity, likelihood.observables, likelihood.selection);
  });

  // the combined parameters: every member's parameters of interest first, then the nuisances
  const parameters: ParameterSpec[] = [];
  const position = new Map<string, number>();
  const index = evaluated.map((l) => new Int32Array(l.parameters.length));
  const place = (i: number, j: number, name: string) => {
    const spec = evaluated[i].parameters[j];
    const at = position.get(name);
    if (at === undefined) {
      position.set(name, parameters.length);
      index[i][j] = parameters.length;
      parameters.push({ ...spec, name });
      return;
    }
    parameters[at] = shared(parameters[at], spec, members[i].key);
    index[i][j] = at;
  };
  evaluated.forEach((l, i) => {
    for (let j = 0; j < l.interest; j++) place(i, j, renamed[i][j]);
  });
  const interest = parameters.length;
  evaluated.forEach((l, i) => {
    for (let j = l.interest; j < l.parameters.length; j++) {
      const name = renamed[i][j];
      if (position.has(name) && position.get(name)! < interest) throw new CombinationError(['rename', members[i].key], `'${name}' would be both a parameter of interest and a nuisance parameter`);
      place(i, j, isCorrelated(name) ? name : `${members[i].key}${MEMBER_SEPARATOR}${name}`);
    }
  });
  const combinedMembers = members.map((m, i) => ({ key: m.key, likelihood: evaluated[i], index: index[i] }));
  return { likelihood: combinedLikelihood(parameters, interest, combinedMembers), members: combinedMembers };
}

/** One parameter as two members declare it: the same reference, the intersection of the ranges. */
function shared(a: ParameterSpec, b: ParameterSpec, key: string): ParameterSpec {
  const bounds: [number, number] = [Math.max(a.bounds[0], b.bounds[0]), Math.min(a.bounds[1], b.bounds[1])];
  const where = `'${a.name}' in '${key}'`;
  if (a.init !== b.init) throw new CombinationError(['likelihoods'], `conflicting reference values: ${where} is at ${b.init}, another member has ${a.init}`);
  if (!(bounds[0] < bounds[1]) || !(bounds[0] <= a.init && a.init <= bounds[1])) {
    throw new CombinationError(['likelihoods'], `conflicting parameter bounds: ${where} has [${b.bounds[0]}, ${b.bounds[1]}], another member [${a.bounds[0]}, ${a.bounds[1]}]; they share no range around the reference value`);
  }
  return { ...a, bounds, fixed: a.fixed || b.fixed };
}

/** A correlated nuisance's constraint must be the one the first member that has it keeps. */
function checkSameConstraints(members: readonly CombinationMember[], renamed: readonly string[][], holders: ReadonlyMap<string, number[]>, i: number, released: ReadonlySet<string>): void {
  const constraintOf = (m: number, name: string): Constraint | undefined => {
    for (const { term } of members[m].likelihood.terms) {
      const found = term.constraints.find((c) => c.parameter === name);
      if (found) return found;
    }
    return undefined;
  };
  for (const name of released) {
    const combinedName = renamed[i][members[i].likelihood.indexOf(name)];
    const first = holders.get(combinedName)![0];
    const kept = constraintOf(first, members[first].likelihood.names[renamed[first].indexOf(combinedName)]);
    const dropped = constraintOf(i, name);
    const same = kept && dropped ? kept.kind === dropped.kind && kept.sigma === dropped.sigma && kept.tau === dropped.tau && kept.aux === dropped.aux : kept === dropped;
    if (!same) {
      const text = (c: Constraint | undefined) => (c ? `${c.kind} (σ ${c.sigma}, τ ${c.tau}, aux ${c.aux})` : 'none');
      throw new CombinationError(['correlate'], `'${combinedName}' cannot be correlated: its constraint in '${members[first].key}' is ${text(kept)}, in '${members[i].key}' ${text(dropped)}`);
    }
  }
}

/** The Likelihood of the combination (module comment): members' NLLs summed in order. */
function combinedLikelihood(parameters: readonly ParameterSpec[], interest: number, members: Combination['members']): Likelihood {
  const names = parameters.map((p) => p.name);
  const position = new Map(names.map((name, i) => [name, i]));
  const n = parameters.length;
  // the members' terms under their combined names, with the combined positions of their parameters
  const origin = new Map<Term, { member: number; term: Term }>();
  const terms: BoundTerm[] = members.flatMap((m, k) =>
    m.likelihood.terms.map(({ term, index }) => {
      const renamed: Term = { ...term, name: combinedTermName(m.key, term.name) };
      origin.set(renamed, { member: k, term });
      return { term: renamed, index: index.map((j) => m.index[j]) };
    }),
  );
  // each member's view of a combined dataset, made once per dataset
  const views = new WeakMap<LikelihoodData, LikelihoodData[]>();
  const memberViews = (data: LikelihoodData) => {
    let view = views.get(data);
    if (!view) {
      view = members.map((m) => ({
        luminosity: data.luminosity * m.likelihood.publishedLuminosity,
        rate: data.rate,
        terms: Object.fromEntries(m.likelihood.terms.map(({ term }) => [term.name, data.terms[combinedTermName(m.key, term.name)]])),
      }));
      views.set(data, view);
    }
    return view;
  };
  const local = members.map((m) => new Float64Array(m.likelihood.parameters.length));
  return {
    parameters,
    names,
    interest,
    variants: Math.max(...members.map((m) => m.likelihood.variants)),
    // a combination's luminosity is a factor on every member's published one
    publishedLuminosity: 1,
    observables: [],
    selection: {},
    terms,
    indexOf: (name) => position.get(name) ?? -1,
    termIndex(term) {
      const found = terms.find((b) => b.term === term);
      if (!found) throw new Error(`term '${term.name}' is not part of this combination`);
      return found.index;
    },
    initial: () => Float64Array.from(parameters, (p) => p.init),
    context(term, luminosity, rate, variant) {
      const found = origin.get(term);
      if (!found) throw new Error(`term '${term.name}' is not part of this combination`);
      const { likelihood } = members[found.member];
      return likelihood.context(found.term, luminosity * likelihood.publishedLuminosity, rate, variant);
    },
    nll(params, data, variant = 0, derivatives) {
      const view = memberViews(data);
      let total = 0;
      members.forEach((m, k) => {
        const x = local[k];
        const { index } = m;
        for (let j = 0; j < x.length; j++) x[j] = params[index[j]];
        const d = x.length;
        const own: Derivatives | undefined = derivatives && {
          gradient: derivatives.gradient ? new Float64Array(d) : undefined,
          hessian: derivatives.hessian ? new Float64Array(d * d) : undefined,
        };
        total += m.likelihood.nll(x, view[k], variant, own);
        if (own?.gradient) for (let j = 0; j < d; j++) derivatives!.gradient![index[j]] += own.gradient[j];
        if (own?.hessian) {
          for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) derivatives!.hessian![index[a] * n + index[b]] += own.hessian[a * d + b];
        }
      });
      return total;
    },
  };
}
