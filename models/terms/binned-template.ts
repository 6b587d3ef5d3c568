/**
 * The binned template term: HistFactory channels, samples and modifiers with pyhf's
 * semantics (pyhf `pdf.py`, `modifiers/`, `constraints.py`), where each sample's nominal
 * yield in each bin is a polynomial in the parameters of interest (DESIGN.md "polynomial
 * event weights", seed 000: a bin's yield is Σ_events c·m(Δθ)).
 *
 * Per sample s and bin b (pyhf's `_MainModel`: additive modifiers first, then factors),
 *
 *     ν_sb(θ, η) = L_scale · [ c_sb·m(θ − θ0) + Σ_histosys δ_sb(α) ] · Π_factors f(η),
 *     ν_b = Σ_s ν_sb,
 *
 * with factors normfactor μ, normsys interpolated factor, lumi λ, staterror, shapesys and
 * shapefactor γ_b. The negative log-likelihood is pyhf's −logpdf with every constant
 * (DESIGN.md "The likelihood", binned Poisson term and constraints):
 *
 *     −ln L = Σ_b [ν_b − n_b ln ν_b + ln Γ(n_b + 1)]
 *           + Σ_normal [½((a − p)/σ)² + ln σ + ½ ln 2π]
 *           + Σ_poisson [p τ − a ln(p τ) + ln Γ(a + 1)].
 *
 * Interpolation defaults are pyhf's `Model` defaults: normsys `code4`, histosys `code4p`
 * (pyhf ≥ 0.7; `code1`/`code0` on request through `interpolation`).
 *
 * Evaluation is precompiled into flat typed arrays: groups are (channel, sample) pairs
 * holding the sample's scalar factors and histosys parameters, rows are (bin, sample) pairs
 * ordered by global bin, each with its coefficient vector, its histosys deltas and its
 * per-bin factors. The gradient and Hessian are analytic (product rule over factors, the
 * basis derivatives for θ, and the Poisson chain rule per bin).
 */
import gammaln from '@stdlib/math-base-special-gammaln';
import { basisSize, evaluateMonomials, monomialBasis, monomialGradient, monomialHessian, type MonomialBasis } from '../basis/monomial-basis.js';
import { DatasetError, NonPositiveRateError, type ConstraintKind, type Derivatives, type EvaluationContext, type ParameterSpec, type SubmittedData, type Term } from '../likelihood/term.js';
import { isPerBin, parseBinnedModel, type BinnedModelSpec, type Modifier, type ModifierType } from './binned/schema.js';
import { code4Coefficients, histosysWeights, normsysCode1, normsysCode4Into, type Interpolated } from './binned/interpolation.js';

export * from './binned/schema.js';

/** Observed (or toy, or Asimov) data of a binned term. */
export interface BinnedData {
  /** all channels' bins concatenated in channel order */
  counts: Float64Array;
  /** auxiliary data, one per constraint, in the term's `constraints` order */
  aux: Float64Array;
}

/** The random source a toy needs (`models/random.ts`'s `Random` satisfies it). */
export interface ToyRandom {
  uniform(): number;
  normal(): number;
  /** a Poisson-distributed integer with the given mean ≥ 0 */
  poisson(mean: number): number;
}

/** One constraint term π(a | p) of a nuisance parameter, in auxiliary-data order. */
export interface BinnedConstraint {
  /** the constrained parameter's name (a term parameter) */
  readonly parameter: string;
  readonly kind: 'normal' | 'poisson';
  /** width σ of a normal constraint (1 for poisson) */
  readonly sigma: number;
  /** rate factor τ of a poisson constraint, rate = p τ (1 for normal) */
  readonly tau: number;
  /** the nominal auxiliary datum */
  readonly aux: number;
}

export interface BinnedChannel {
  readonly name: string;
  readonly bins: number;
  /** position of the channel's first bin in the concatenated counts */
  readonly offset: number;
}

/** The part of the evaluation context a binned term reads: the templates' luminosity scale. */
export type BinnedContext = Pick<EvaluationContext, 'luminosityScale'>;

const PUBLISHED: BinnedContext = { luminosityScale: 1 };

export interface BinnedTemplateTerm extends Term<BinnedData> {
  readonly kind: 'binned-template';
  readonly name: string;
  /** the model as compiled (validated), for export and result pages */
  readonly spec: BinnedModelSpec;
  /** the published observed counts per channel, or null */
  readonly observations: Readonly<Record<string, readonly number[]>> | null;
  /**
   * The term's own parameters: first the θ parameters (kind 'interest', init = reference,
   * bounds from the settings or (−∞, ∞)), then the nuisances in order of first appearance
   * (per-bin ones named `name[b]`, as pyhf's `par_names`).
   */
  readonly parameters: readonly ParameterSpec[];
  /** number of θ parameters, which come first in `parameters` */
  readonly interest: number;
  readonly channels: readonly BinnedChannel[];
  readonly totalBins: number;
  /** the constraint terms, in the order of the auxiliary data */
  readonly constraints: readonly BinnedConstraint[];
  /** expected counts per bin (concatenated) at global parameters `params`, `index` mapping term-local parameter j to global position */
  expected(params: Float64Array, index: Int32Array, luminosityScale?: number): Float64Array;
  /** −ln L; adds the analytic gradient and Hessian (global n, n × n row-major) into `derivatives` when given */
  nll(params: Float64Array, index: Int32Array, data: BinnedData, context?: BinnedContext, derivatives?: Derivatives): number;
  /** the nominal auxiliary data (observed aux of the published measurement) */
  nominalAux(): Float64Array;
  /** Asimov data: expected counts at params, aux at their expectation there (pyhf's `expected_auxdata`: p for normal, p τ for poisson constraints) */
  asimov(params: Float64Array, index: Int32Array, context?: BinnedContext): BinnedData;
  /** a random toy: Poisson counts around the expected ones, and aux data drawn from the constraints at params */
  toy(params: Float64Array, index: Int32Array, rng: ToyRandom, luminosityScale?: number): BinnedData;
}

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/** adds v at (x, y) and (y, x) of an n × n row-major matrix */
function addSymmetric(hessian: Float64Array, n: number, x: number, y: number, v: number): void {
  hessian[x * n + y] += v;
  hessian[y * n + x] += v;
}

/** Slot kinds: a factor equal to its parameter, or a normsys interpolation. */
const SLOT_LINEAR = 0;
const SLOT_CODE1 = 1;
const SLOT_CODE4 = 2;

interface LocalParameter {
  name: string;
  init: number;
  bounds: [number, number];
  kind: 'interest' | 'nuisance';
  fixed: boolean;
  constraint: ConstraintKind;
  sigma: number;
  tau: number;
  aux: number;
}

/** Concatenated per-bin values (counts, expected yields) split by channel name. */
export function countsByChannel(channels: readonly BinnedChannel[], values: ArrayLike<number>): Record<string, number[]> {
  return Object.fromEntries(channels.map((c) => [c.name, Array.from({ length: c.bins }, (_, b) => values[c.offset + b])]));
}

/** Counts per channel name as the term's concatenated counts; `DatasetError` paths are relative to `path`. */
function channelCounts(channels: readonly BinnedChannel[], totalBins: number, counts: Readonly<Record<string, ArrayLike<number>>>, path: (string | number)[]): Float64Array {
  const out = new Float64Array(totalBins);
  const known = new Set(channels.map((c) => c.name));
  for (const name of Object.keys(counts)) if (!known.has(name)) throw new DatasetError([...path, name], `unknown channel '${name}'; channels are ${[...known].join(', ')}`);
  for (const channel of channels) {
    const given = counts[channel.name];
    if (!given) throw new DatasetError([...path, channel.name], `counts for channel '${channel.name}' are missing`);
    if (given.length !== channel.bins) throw new DatasetError([...path, channel.name], `channel '${channel.name}' has ${channel.bins} bins, got ${given.length} counts`);
    for (let b = 0; b < channel.bins; b++) {
      const n = given[b];
      if (!(n >= 0) || !Number.isFinite(n)) throw new DatasetError([...path, channel.name, b], 'counts must be finite and non-negative');
      out[channel.offset + b] = n;
    }
  }
  return out;
}

/**
 * Compiles a binned model specification (validated with `BinnedModelSchema`; throws
 * `InvalidBinnedModelError` listing every problem) into an evaluable term, with the published
 * observed counts per channel when there are some.
 */
export function compileBinnedModel(name: string, input: BinnedModelSpec, observations: Readonly<Record<string, readonly number[]>> | null = null): BinnedTemplateTerm {
  const spec = parseBinnedModel(input);
  const P = spec.parameters.length;
  const C = basisSize(P, spec.degree);
  const basis: MonomialBasis | null = P > 0 ? monomialBasis(P, spec.degree) : null;
  const normsysCode = spec.interpolation?.normsys ?? 'code4';
  const histosysCode = spec.interpolation?.histosys ?? 'code4p';
  const theta0 = Float64Array.from(spec.reference);
  const settings = new Map((spec.parameterSettings ?? []).map((s) => [s.name, s]));

  // ---- parameters, in order of first appearance ----
  const locals: LocalParameter[] = spec.parameters.map((pname, i) => ({
    name: pname,
    init: theta0[i],
    bounds: [-Infinity, Infinity],
    kind: 'interest',
    fixed: false,
    constraint: 'none',
    sigma: 1,
    tau: 1,
    aux: 0,
  }));
  /** modifier name → its local parameter indices (one, or one per bin) */
  const sets = new Map<string, { type: ModifierType; components: number[] }>();
  const nuisance = (pname: string, init: number, bounds: [number, number], constraint: ConstraintKind, aux: number, sigma = 1, tau = 1): number => {
    locals.push({ name: pname, init, bounds, kind: 'nuisance', fixed: false, constraint, sigma, tau, aux });
    return locals.length - 1;
  };

  const channels: BinnedChannel[] = [];
  let totalBins = 0;
  for (const channel of spec.channels) {
    const bins = channel.samples[0].coefficients.length;
    channels.push({ name: channel.name, bins, offset: totalBins });
    totalBins += bins;
    for (const sample of channel.samples) {
      for (const m of sample.modifiers) {
        if (sets.has(m.name)) continue;
        const components: number[] = [];
        switch (m.type) {
          case 'normfactor':
            components.push(nuisance(m.name, 1, [0, 10], 'none', 0));
            break;
          case 'normsys':
          case 'histosys':
            components.push(nuisance(m.name, 0, [-5, 5], 'normal', 0, 1));
            break;
          case 'lumi': {
            // pyhf's readxml defaults: init = luminosity, bounds ±5σ around it
            const s = settings.get(m.name)!;
            const lumi = s.auxdata![0];
            const sigma = s.sigmas![0];
            components.push(nuisance(m.name, lumi, [lumi - 5 * sigma, lumi + 5 * sigma], 'normal', lumi, sigma));
            break;
          }
          case 'staterror':
            // σ_b filled in below, once every sample carrying the name is known
            for (let b = 0; b < bins; b++) components.push(nuisance(`${m.name}[${b}]`, 1, [1e-10, 10], 'normal', 1, 1));
            break;
          case 'shapesys': {
            // pyhf shapesys: τ_b = (nom_b / δ_b)², aux τ_b; bins with nom ≤ 0 or δ ≤ 0 fixed, τ = aux = 1
            for (let b = 0; b < bins; b++) {
              const nom = sample.coefficients[b][0];
              const unc = m.data[b];
              const valid = nom > 0 && unc > 0;
              const tau = valid ? (nom * nom) / (unc * unc) : 1;
              const j = nuisance(`${m.name}[${b}]`, 1, [1e-10, 10], 'poisson', tau, 1, tau);
              locals[j].fixed = !valid;
              components.push(j);
            }
            break;
          }
          case 'shapefactor':
            for (let b = 0; b < bins; b++) components.push(nuisance(`${m.name}[${b}]`, 1, [0, 10], 'none', 0));
            break;
        }
        sets.set(m.name, { type: m.type, components });
      }
    }
  }

  // staterror: σ_b = sqrt(Σ_s δ_sb²) / Σ_s nom_sb over the samples carrying the name (pyhf
  // `staterror_builder.finalize`, nominal at θ0); bins with σ_b = 0 are fixed and get σ = 1.
  for (const [mname, set] of sets) {
    if (set.type !== 'staterror') continue;
    const n = set.components.length;
    const nomSum = new Float64Array(n);
    const uncSq = new Float64Array(n);
    for (const channel of spec.channels) {
      for (const sample of channel.samples) {
        for (const m of sample.modifiers) {
          if (m.type !== 'staterror' || m.name !== mname) continue;
          for (let b = 0; b < n; b++) {
            nomSum[b] += sample.coefficients[b][0];
            uncSq[b] += m.data[b] * m.data[b];
          }
        }
      }
    }
    for (let b = 0; b < n; b++) {
      const sigma = nomSum[b] > 0 ? Math.sqrt(uncSq[b]) / nomSum[b] : 0;
      const p = locals[set.components[b]];
      p.fixed = sigma === 0;
      p.sigma = sigma === 0 ? 1 : sigma;
    }
  }

  // parameterSettings override (a set's settings first, then those naming one component)
  const byName = new Map(locals.map((p, j) => [p.name, j]));
  const ordered = [...settings.values()].sort((a, b) => Number(byName.has(a.name) && !sets.has(a.name)) - Number(byName.has(b.name) && !sets.has(b.name)));
  for (const s of ordered) {
    const targets = sets.get(s.name)?.components ?? [byName.get(s.name)!];
    targets.forEach((j, i) => {
      const p = locals[j];
      if (s.bounds) p.bounds = [s.bounds[0], s.bounds[1]];
      if (s.init !== undefined) p.init = s.init;
      if (s.fixed !== undefined) p.fixed = s.fixed;
      if (s.auxdata) p.aux = s.auxdata[i];
      if (s.sigmas) p.sigma = s.sigmas[i];
    });
  }

  const nLocal = locals.length;
  const parameters: ParameterSpec[] = locals.map((p) => ({ name: p.name, init: p.init, bounds: [p.bounds[0], p.bounds[1]] as const, kind: p.kind, fixed: p.fixed, constraint: p.constraint }));

  // ---- constraints, in parameter order ----
  const constrained = locals.map((p, j) => ({ p, j })).filter(({ p }) => p.constraint !== 'none');
  const nCons = constrained.length;
  const consPoisson = new Uint8Array(nCons);
  const consParam = new Int32Array(nCons);
  const consSigma = new Float64Array(nCons);
  const consLogSigma = new Float64Array(nCons);
  const consTau = new Float64Array(nCons);
  const consAux = new Float64Array(nCons);
  const constraints: BinnedConstraint[] = constrained.map(({ p, j }, c) => {
    consPoisson[c] = p.constraint === 'poisson' ? 1 : 0;
    consParam[c] = j;
    consSigma[c] = p.constraint === 'normal' ? p.sigma : 1;
    consLogSigma[c] = Math.log(consSigma[c]);
    consTau[c] = p.constraint === 'poisson' ? p.tau : 1;
    consAux[c] = p.aux;
    return { parameter: p.name, kind: p.constraint as 'normal' | 'poisson', sigma: consSigma[c], tau: consTau[c], aux: p.aux };
  });

  // ---- groups (channel, sample) and rows (global bin, sample), rows ordered by global bin ----
  // A group holds the sample's scalar factors (normfactor, lumi, normsys: the same for all
  // its bins) and its histosys parameters; a row holds the bin's coefficient vector, its
  // histosys deltas (aligned with the group's list) and its per-bin factors (γ's).
  const slotKindList: number[] = [];
  const slotParamList: number[] = [];
  const slotHiList: number[] = [];
  const slotLoList: number[] = [];
  const linearSlot = new Map<number, number>();
  const slotOfLinear = (j: number): number => {
    let s = linearSlot.get(j);
    if (s === undefined) {
      s = slotKindList.length;
      slotKindList.push(SLOT_LINEAR);
      slotParamList.push(j);
      slotHiList.push(1);
      slotLoList.push(1);
      linearSlot.set(j, s);
    }
    return s;
  };

  // A histosys whose templates equal the sample's nominal in every bin (hi = lo = nominal, common
  // in published workspaces: 4 486 of 6 081 in ATLAS 1Lbb with a signal patch) adds δ = 0 for every α: it touches no
  // bin, so it is left out of the sample's group (its parameter and constraint remain).
  const activeHistosys = (sample: BinnedModelSpec['channels'][number]['samples'][number], m: Modifier): boolean =>
    m.type === 'histosys' && sample.coefficients.some((c, b) => m.data.hi_data[b] !== c[0] || m.data.lo_data[b] !== c[0]);

  const groupSlotPtrList: number[] = [0];
  const groupSlotList: number[] = [];
  const groupDeltaPtrList: number[] = [0];
  const groupDeltaParamList: number[] = [];
  const groupOf: number[][] = []; // [channel][sample] → group
  for (const channel of spec.channels) {
    const ids: number[] = [];
    for (const sample of channel.samples) {
      for (const m of sample.modifiers) {
        if (m.type === 'histosys' && !activeHistosys(sample, m)) continue;
        const j = sets.get(m.name)!.components[0];
        if (m.type === 'normfactor' || m.type === 'lumi') groupSlotList.push(slotOfLinear(j));
        else if (m.type === 'normsys') {
          groupSlotList.push(slotKindList.length);
          slotKindList.push(normsysCode === 'code1' ? SLOT_CODE1 : SLOT_CODE4);
          slotParamList.push(j);
          slotHiList.push(m.data.hi);
          slotLoList.push(m.data.lo);
        } else if (m.type === 'histosys') groupDeltaParamList.push(j);
      }
      ids.push(groupSlotPtrList.length - 1);
      groupSlotPtrList.push(groupSlotList.length);
      groupDeltaPtrList.push(groupDeltaParamList.length);
    }
    groupOf.push(ids);
  }
  const G = groupSlotPtrList.length - 1;

  const coefList: number[] = [];
  const binRowPtr = new Int32Array(totalBins + 1);
  const rowGroupList: number[] = [];
  const rowDeltaStartList: number[] = [];
  const deltaUpList: number[] = [];
  const deltaDnList: number[] = [];
  const deltaWeightList: number[] = []; // 6 × the α's local index, per delta entry
  const rowSlotPtrList: number[] = [0];
  const rowSlotList: number[] = [];
  const binParamPtr = new Int32Array(totalBins + 1);
  const binParamList: number[] = [];
  let rows = 0;
  let maxRowSlots = 0;
  let maxGroupSlots = 0;
  for (let g = 0; g < G; g++) maxGroupSlots = Math.max(maxGroupSlots, groupSlotPtrList[g + 1] - groupSlotPtrList[g]);

  spec.channels.forEach((channel, c) => {
    const { bins, offset } = channels[c];
    for (let b = 0; b < bins; b++) {
      const touched = new Set<number>();
      for (let i = 0; i < P; i++) touched.add(i);
      channel.samples.forEach((sample, s) => {
        const group = groupOf[c][s];
        const coefficients = sample.coefficients[b];
        for (let k = 0; k < C; k++) coefList.push(coefficients[k]);
        rowGroupList.push(group);
        rowDeltaStartList.push(deltaUpList.length);
        for (let e = groupSlotPtrList[group]; e < groupSlotPtrList[group + 1]; e++) touched.add(slotParamList[groupSlotList[e]]);
        for (const m of sample.modifiers) {
          const set = sets.get(m.name)!;
          if (m.type === 'histosys') {
            if (!activeHistosys(sample, m)) continue;
            const nominal = coefficients[0];
            deltaUpList.push(m.data.hi_data[b] - nominal);
            deltaDnList.push(nominal - m.data.lo_data[b]);
            touched.add(set.components[0]);
          } else if (isPerBin(m.type)) {
            rowSlotList.push(slotOfLinear(set.components[b]));
            touched.add(set.components[b]);
          }
        }
        for (let e = groupDeltaPtrList[group]; e < groupDeltaPtrList[group + 1]; e++) deltaWeightList.push(6 * groupDeltaParamList[e]);
        maxRowSlots = Math.max(maxRowSlots, rowSlotList.length - rowSlotPtrList[rowSlotPtrList.length - 1]);
        rowSlotPtrList.push(rowSlotList.length);
        rows++;
      });
      binRowPtr[offset + b + 1] = rows;
      binParamList.push(...[...touched].sort((x, y) => x - y));
      binParamPtr[offset + b + 1] = binParamList.length;
    }
  });

  const coef = Float64Array.from(coefList);
  const rowGroup = Int32Array.from(rowGroupList);
  rowDeltaStartList.push(deltaUpList.length);
  const rowDeltaStart = Int32Array.from(rowDeltaStartList);
  const deltaWeight = Int32Array.from(deltaWeightList);
  const deltaUp = Float64Array.from(deltaUpList);
  const deltaDn = Float64Array.from(deltaDnList);
  const rowSlotPtr = Int32Array.from(rowSlotPtrList);
  const rowSlots = Int32Array.from(rowSlotList);
  const groupSlotPtr = Int32Array.from(groupSlotPtrList);
  const groupSlots = Int32Array.from(groupSlotList);
  const groupDeltaPtr = Int32Array.from(groupDeltaPtrList);
  const groupDeltaParam = Int32Array.from(groupDeltaParamList);
  const binParams = Int32Array.from(binParamList);
  const nSlots = slotKindList.length;
  const slotKind = Uint8Array.from(slotKindList);
  const slotParam = Int32Array.from(slotParamList);
  const slotHi = Float64Array.from(slotHiList);
  const slotLo = Float64Array.from(slotLoList);
  const linearSlots = Int32Array.from(linearSlot.values());
  // For the value-only path: per group, its linear factors (slot ids) and its normsys slots laid
  // out contiguously (parameter, code4 coefficients), so that the group product streams.
  const groupLinPtr = new Int32Array(G + 1);
  const groupLinList: number[] = [];
  const groupSysPtr = new Int32Array(G + 1);
  const groupSysList: number[] = [];
  for (let g = 0; g < G; g++) {
    for (let e = groupSlotPtrList[g]; e < groupSlotPtrList[g + 1]; e++) {
      const slot = groupSlotList[e];
      if (slotKindList[slot] === SLOT_LINEAR) groupLinList.push(slot);
      else groupSysList.push(slot);
    }
    groupLinPtr[g + 1] = groupLinList.length;
    groupSysPtr[g + 1] = groupSysList.length;
  }
  const groupLin = Int32Array.from(groupLinList);
  const sysSlot = Int32Array.from(groupSysList);
  const sysParam = Int32Array.from(groupSysList, (slot) => slotParamList[slot]);
  const slotCoef = new Float64Array(6 * nSlots);
  for (let s = 0; s < nSlots; s++) if (slotKind[s] === SLOT_CODE4) code4Coefficients(slotHi[s], slotLo[s], slotCoef.subarray(6 * s, 6 * s + 6));
  const sysCoef = new Float64Array(6 * sysSlot.length);
  sysSlot.forEach((slot, e) => sysCoef.set(slotCoef.subarray(6 * slot, 6 * slot + 6), 6 * e));
  const scratchOut = new Float64Array(3);
  const histosysParams = Int32Array.from(new Set(groupDeltaParamList));
  const channelOfBin = new Int32Array(totalBins);
  channels.forEach((ch, c) => channelOfBin.fill(c, ch.offset, ch.offset + ch.bins));

  // ---- scratch buffers (the term is not re-entrant; JavaScript is single-threaded) ----
  const local = new Float64Array(nLocal);
  const dtheta = new Float64Array(P);
  const mono = new Float64Array(C);
  mono[0] = 1;
  const monoGrad = new Float64Array(C * P);
  const monoHess = new Float64Array(C * P * P);
  const slotOut = new Float64Array(3 * nSlots); // value, d1, d2 per slot
  const hw = new Float64Array(6 * nLocal); // histosys weights u, v, u', v', u'', v'' per α
  const groupF = new Float64Array(G); // product of a group's scalar factors
  const groupD = new Float64Array(groupSlots.length); // f_k' Π_{l≠k} f_l per group factor
  const groupExcl = new Float64Array(groupSlots.length); // Π_{l≠k} f_l
  const rowBase = new Float64Array(rows); // nominal + deltas
  const rowQ = new Float64Array(rows); // product of the row's per-bin factors
  const binNu = new Float64Array(totalBins);
  // derivative aggregates
  const groupT = new Float64Array(G); // Σ_rows w1 base Q
  const groupSU = new Float64Array(groupDeltaParam.length); // Σ_rows w1 Q deltaUp
  const groupSV = new Float64Array(groupDeltaParam.length); // Σ_rows w1 Q deltaDown
  const groupU = new Float64Array(groupDeltaParam.length); // Σ_rows w1 L Q δ'
  const groupCoef = new Float64Array(G * C); // Σ_rows w1 L Q c_r
  const aggCoef = new Float64Array(C); // Σ_rows w1 L F c_r
  const binCoef = new Float64Array(C); // Σ_rows-in-bin L F c_r
  const acc = new Float64Array(nLocal); // ∂ν_b per local parameter
  const nomGrad = new Float64Array(P);
  let maxTouched = 0;
  for (let b = 0; b < totalBins; b++) maxTouched = Math.max(maxTouched, binParamPtr[b + 1] - binParamPtr[b]);
  const outerIndex = new Int32Array(maxTouched);
  const outerValue = new Float64Array(maxTouched);
  const thetaGrad = new Float64Array(P);
  const rv = new Float64Array(maxRowSlots);
  const r1 = new Float64Array(maxRowSlots);
  const r2 = new Float64Array(maxRowSlots);
  const rp = new Int32Array(maxRowSlots);
  const rExcl = new Float64Array(maxRowSlots);
  const prefix = new Float64Array(Math.max(maxRowSlots, maxGroupSlots) + 1);
  const suffix = new Float64Array(Math.max(maxRowSlots, maxGroupSlots) + 1);
  const scratch: Interpolated = { value: 0, d1: 0, d2: 0 };

  /** the compiled arrays, destructured into locals by the hot functions (faster than closure slots in V8) */
  const tables = { coef, rowGroup, rowDeltaStart, deltaUp, deltaDn, rowSlotPtr, rowSlots, groupSlotPtr, groupSlots, groupDeltaPtr, groupDeltaParam, binParams, binParamPtr, binRowPtr, slotOut, slotParam, hw, groupF, groupD, groupExcl, rowBase, rowQ, binNu, groupT, groupSU, groupSV, groupU, groupCoef, aggCoef, binCoef, acc, outerIndex, outerValue, nomGrad, thetaGrad, rv, r1, r2, rp, rExcl, prefix, suffix, monoGrad, monoHess };

  // cache of the data-only constants Σ ln Γ(n + 1), keyed by content
  let cachedCounts = new Float64Array(0);
  let cachedAux = new Float64Array(0);
  let cachedCountsConstant = 0;
  let cachedAuxConstant = 0;

  function checkScale(luminosityScale: number): void {
    if (!(luminosityScale > 0) || !Number.isFinite(luminosityScale)) throw new RangeError(`term '${name}': luminosityScale must be finite and positive, got ${luminosityScale}`);
  }

  /** Loads local parameters, monomials, factor slots and histosys weights; fills rowBase, rowQ, groupF, binNu. */
  function evaluate(params: Float64Array, index: Int32Array, scale: number, withGradient: boolean, withHessian: boolean): void {
    if (index.length !== nLocal) throw new RangeError(`term '${name}': index has length ${index.length}, expected ${nLocal}`);
    for (let j = 0; j < nLocal; j++) local[j] = params[index[j]];
    if (basis) {
      for (let i = 0; i < P; i++) dtheta[i] = local[i] - theta0[i];
      evaluateMonomials(basis, dtheta, mono);
      if (withGradient) monomialGradient(basis, mono, monoGrad);
      if (withHessian) monomialHessian(basis, mono, monoHess);
    }
    const code4Into = normsysCode4Into; // one binding lookup per call, not per slot
    const weightsOf = histosysWeights;
    const out = slotOut;
    if (!withGradient) {
      // values only (the line search, the NLL endpoint): the linear slots, then each group's
      // product of factors in one pass, with code4's polynomial inline and without its
      // derivatives (the same expression as `normsysCode4Into`'s value)
      const params = slotParam, his = slotHi, los = slotLo, loc = local;
      const linear = linearSlots;
      for (let k = 0; k < linear.length; k++) {
        const s = linear[k];
        out[3 * s] = loc[params[s]];
      }
      const gF = groupF, linPtr = groupLinPtr, lin = groupLin, sysPtr = groupSysPtr, sp = sysParam, sc = sysCoef, ss = sysSlot;
      const code4 = normsysCode === 'code4';
      for (let g = 0; g < G; g++) {
        let F = 1;
        for (let e = linPtr[g]; e < linPtr[g + 1]; e++) F *= out[3 * lin[e]];
        const e1 = sysPtr[g + 1];
        for (let e = sysPtr[g]; e < e1; e++) {
          const a = loc[sp[e]];
          if (code4 && a > -1 && a < 1) {
            const c = 6 * e;
            F *= 1 + a * (sc[c] + a * (sc[c + 1] + a * (sc[c + 2] + a * (sc[c + 3] + a * (sc[c + 4] + a * sc[c + 5])))));
          } else if (code4) {
            code4Into(a, his[ss[e]], los[ss[e]], sc, 6 * e, scratchOut, 0);
            F *= scratchOut[0];
          } else F *= normsysCode1(a, his[ss[e]], los[ss[e]], scratch).value;
        }
        gF[g] = F;
      }
    }
    for (let s = 0; withGradient && s < nSlots; s++) {
      const a = local[slotParam[s]];
      const o = 3 * s;
      const kind = slotKind[s];
      if (kind === SLOT_LINEAR) {
        out[o] = a;
        out[o + 1] = 1;
        out[o + 2] = 0;
      } else if (kind === SLOT_CODE4) {
        code4Into(a, slotHi[s], slotLo[s], slotCoef, 6 * s, out, o);
      } else {
        normsysCode1(a, slotHi[s], slotLo[s], scratch);
        out[o] = scratch.value;
        out[o + 1] = scratch.d1;
        out[o + 2] = scratch.d2;
      }
    }
    for (let h = 0; h < histosysParams.length; h++) {
      const j = histosysParams[h];
      weightsOf(histosysCode, local[j], hw, 6 * j);
    }
    for (let g = 0; withGradient && g < G; g++) {
      // the same order as the value-only path (linear factors, then normsys), so that both give the same bits
      let F = 1;
      for (let e = groupLinPtr[g]; e < groupLinPtr[g + 1]; e++) F *= slotOut[3 * groupLin[e]];
      for (let e = groupSysPtr[g]; e < groupSysPtr[g + 1]; e++) F *= slotOut[3 * sysSlot[e]];
      groupF[g] = F;
    }
    // the hot loop: locals instead of closure slots, one indirection per delta
    const coefs = coef, monomials = mono, weights = hw, up = deltaUp, dn = deltaDn, dw = deltaWeight;
    const rowPtr = binRowPtr, groups = rowGroup, dStart = rowDeltaStart, slotPtr = rowSlotPtr, slots = rowSlots;
    const gF = groupF, baseOut = rowBase, qOut = rowQ, nuOut = binNu;
    const nC = C;
    for (let b = 0; b < totalBins; b++) {
      let nu = 0;
      const r1 = rowPtr[b + 1];
      for (let r = rowPtr[b]; r < r1; r++) {
        const c0 = r * nC;
        let base = coefs[c0];
        for (let k = 1; k < nC; k++) base += coefs[c0 + k] * monomials[k];
        const d1 = dStart[r + 1];
        for (let d = dStart[r]; d < d1; d++) {
          const w = dw[d];
          base += weights[w] * up[d] + weights[w + 1] * dn[d];
        }
        let Q = 1;
        const f1 = slotPtr[r + 1];
        for (let f = slotPtr[r]; f < f1; f++) Q *= out[3 * slots[f]];
        baseOut[r] = base;
        qOut[r] = Q;
        nu += base * Q * gF[groups[r]];
      }
      nuOut[b] = nu * scale;
    }
  }

  function rateError(b: number, value: number): NonPositiveRateError {
    const ch = channels[channelOfBin[b]];
    return new NonPositiveRateError(name, `expected count in channel '${ch.name}' bin ${b - ch.offset}`, value);
  }

  function dataConstants(counts: Float64Array, aux: Float64Array): void {
    let same = counts.length === cachedCounts.length;
    for (let b = 0; same && b < counts.length; b++) if (counts[b] !== cachedCounts[b]) same = false;
    if (!same) {
      let s = 0;
      for (let b = 0; b < totalBins; b++) {
        const n = counts[b];
        if (!(n >= 0) || !Number.isFinite(n)) throw new RangeError(`term '${name}': count ${b} is ${n}; counts must be finite and non-negative`);
        s += gammaln(n + 1);
      }
      cachedCounts = Float64Array.from(counts);
      cachedCountsConstant = s;
    }
    same = aux.length === cachedAux.length;
    for (let c = 0; same && c < aux.length; c++) if (aux[c] !== cachedAux[c]) same = false;
    if (!same) {
      let s = 0;
      for (let c = 0; c < nCons; c++) {
        const a = aux[c];
        if (!Number.isFinite(a)) throw new RangeError(`term '${name}': auxiliary datum ${c} (${constraints[c].parameter}) is ${a}`);
        if (consPoisson[c]) {
          if (a < 0) throw new RangeError(`term '${name}': Poisson auxiliary datum ${c} (${constraints[c].parameter}) is negative (${a})`);
          s += gammaln(a + 1);
        }
      }
      cachedAux = Float64Array.from(aux);
      cachedAuxConstant = s;
    }
  }

  function nll(params: Float64Array, index: Int32Array, data: BinnedData, context: BinnedContext = PUBLISHED, derivatives?: Derivatives): number {
    const { luminosityScale } = context;
    checkScale(luminosityScale);
    const { counts, aux } = data;
    if (counts.length !== totalBins) throw new RangeError(`term '${name}': data has ${counts.length} counts, expected ${totalBins}`);
    if (aux.length !== nCons) throw new RangeError(`term '${name}': data has ${aux.length} auxiliary values, expected ${nCons}`);
    const gradient = derivatives?.gradient;
    const hessian = derivatives?.hessian;
    const n = params.length;
    if (gradient && gradient.length !== n) throw new RangeError(`term '${name}': gradient has length ${gradient.length}, expected ${n}`);
    if (hessian && hessian.length !== n * n) throw new RangeError(`term '${name}': hessian has length ${hessian.length}, expected ${n * n}`);
    const wantDerivatives = !!(gradient || hessian);
    evaluate(params, index, luminosityScale, wantDerivatives, !!hessian);
    dataConstants(counts, aux);

    // main Poisson term: Σ_b ν_b − n_b ln ν_b (+ Σ ln Γ(n_b + 1) from the cache)
    let total = cachedCountsConstant + cachedAuxConstant;
    for (let b = 0; b < totalBins; b++) {
      const nu = binNu[b];
      const k = counts[b];
      if (!(nu > 0) || !Number.isFinite(nu)) {
        if (nu === 0 && k === 0) continue;
        throw rateError(b, nu);
      }
      total += k === 0 ? nu : nu - k * Math.log(nu);
    }

    // constraints: normal ½((a − p)/σ)² + ln σ + ½ ln 2π; poisson p τ − a ln(p τ) (+ ln Γ(a + 1))
    for (let c = 0; c < nCons; c++) {
      const j = consParam[c];
      const p = local[j];
      const a = aux[c];
      let d1: number;
      let d2: number;
      if (consPoisson[c]) {
        const tau = consTau[c];
        const rate = p * tau;
        if (!(rate > 0) || !Number.isFinite(rate)) {
          if (!(rate === 0 && a === 0)) throw new NonPositiveRateError(name, `Poisson constraint rate of '${constraints[c].parameter}'`, rate);
          d1 = tau;
          d2 = 0;
        } else {
          total += a === 0 ? rate : rate - a * Math.log(rate);
          d1 = tau - a / p;
          d2 = a / (p * p);
        }
      } else {
        const sigma = consSigma[c];
        const z = (a - p) / sigma;
        total += 0.5 * z * z + consLogSigma[c] + HALF_LOG_2PI;
        d1 = (p - a) / (sigma * sigma);
        d2 = 1 / (sigma * sigma);
      }
      const gj = index[j];
      if (gradient) gradient[gj] += d1;
      if (hessian) hessian[gj * n + gj] += d2;
    }

    if (wantDerivatives) addPoissonDerivatives(index, counts, luminosityScale, n, gradient, hessian);
    return total;
  }

  /**
   * ∂NLL = Σ_b (1 − n_b/ν_b) ∂ν_b,  ∂²NLL = Σ_b [(1 − n_b/ν_b) ∂²ν_b + (n_b/ν_b²) ∂ν_b ∂ν_bᵀ].
   *
   * Per row ν_r = L · base_r · F_g · Q_r with base = c·m(Δθ) + Σ δ(α), F_g the product of
   * the group's scalar factors and Q_r that of the row's per-bin factors; each factor depends
   * on one parameter, so the product rule uses the products of all other factors (computed
   * by prefix and suffix products, never by division). Terms linear in a group's scalar
   * factors are summed over the group's rows first (groupT, groupSU, groupSV, groupU, groupCoef) and
   * multiplied by the factor derivatives once per group; the θ terms are summed into one
   * coefficient vector (aggCoef) and contracted with the basis derivatives once.
   */
  function addPoissonDerivatives(index: Int32Array, counts: Float64Array, L: number, n: number, gradient: Float64Array | undefined, hessian: Float64Array | undefined): void {
    const { coef, rowGroup, rowDeltaStart, deltaUp, deltaDn, rowSlotPtr, rowSlots, groupSlotPtr, groupSlots, groupDeltaPtr, groupDeltaParam, binParams, binParamPtr, binRowPtr, slotOut, slotParam, hw, groupF, groupD, groupExcl, rowBase, rowQ, binNu, groupT, groupSU, groupSV, groupU, groupCoef, aggCoef, binCoef, acc, outerIndex, outerValue, nomGrad, thetaGrad, rv, r1, r2, rp, rExcl, prefix, suffix, monoGrad, monoHess } = tables;
    const nBins = totalBins, nGroups = G, nP = P, nC = C;
    // group factors: Π_{l≠k} f_l and f_k' Π_{l≠k} f_l
    for (let g = 0; g < nGroups; g++) {
      const e0 = groupSlotPtr[g];
      const K = groupSlotPtr[g + 1] - e0;
      prefix[0] = 1;
      for (let q = 0; q < K; q++) prefix[q + 1] = prefix[q] * slotOut[3 * groupSlots[e0 + q]];
      suffix[K] = 1;
      for (let q = K - 1; q >= 0; q--) suffix[q] = slotOut[3 * groupSlots[e0 + q]] * suffix[q + 1];
      for (let q = 0; q < K; q++) {
        groupExcl[e0 + q] = prefix[q] * suffix[q + 1];
        groupD[e0 + q] = slotOut[3 * groupSlots[e0 + q] + 1] * groupExcl[e0 + q];
      }
    }
    groupT.fill(0);
    groupSU.fill(0);
    groupSV.fill(0);
    aggCoef.fill(0);
    const thetaCross = hessian !== undefined && nP > 0;
    if (thetaCross) groupCoef.fill(0);

    for (let b = 0; b < nBins; b++) {
      const nu = binNu[b];
      const k = counts[b];
      const w1 = k === 0 ? 1 : 1 - k / nu;
      const w2 = k === 0 ? 0 : k / (nu * nu);
      const needAcc = hessian !== undefined && w2 !== 0;
      if (needAcc && nP > 0) binCoef.fill(0);
      for (let r = binRowPtr[b]; r < binRowPtr[b + 1]; r++) {
        const g = rowGroup[r];
        const base = rowBase[r];
        const Q = rowQ[r];
        const Fg = groupF[g];
        const LQ = L * Q;
        const LF = LQ * Fg; // ∂ν_r/∂base
        groupT[g] += w1 * base * Q;

        // θ through the nominal polynomial
        const c0 = r * nC;
        if (nP > 0) {
          const wLF = w1 * LF;
          for (let m = 1; m < nC; m++) aggCoef[m] += wLF * coef[c0 + m];
          if (thetaCross) {
            const wLQ = w1 * LQ;
            const gc = g * nC;
            for (let m = 1; m < nC; m++) groupCoef[gc + m] += wLQ * coef[c0 + m];
          }
          if (needAcc) for (let m = 1; m < nC; m++) binCoef[m] += LF * coef[c0 + m];
        }

        // histosys α through the additive deltas: Σ_rows w1 Q du and w1 Q dd per group, so that
        // Σ_rows w1 ∂ν_r/∂α = L F_g (u' ΣU + v' ΣV) (and likewise with u'', v'')
        const d0 = rowDeltaStart[r];
        const p0 = groupDeltaPtr[g];
        const D = groupDeltaPtr[g + 1] - p0;
        const w1Q = w1 * Q;
        for (let i = 0; i < D; i++) {
          groupSU[p0 + i] += w1Q * deltaUp[d0 + i];
          groupSV[p0 + i] += w1Q * deltaDn[d0 + i];
        }
        if (needAcc) {
          for (let i = 0; i < D; i++) {
            const j = groupDeltaParam[p0 + i];
            const w = 6 * j;
            acc[j] += LF * (hw[w + 2] * deltaUp[d0 + i] + hw[w + 3] * deltaDn[d0 + i]);
          }
        }

        // the row's per-bin factors γ
        const s0 = rowSlotPtr[r];
        const Kr = rowSlotPtr[r + 1] - s0;
        if (Kr > 0) {
          prefix[0] = 1;
          for (let q = 0; q < Kr; q++) {
            const o = 3 * rowSlots[s0 + q];
            rv[q] = slotOut[o];
            r1[q] = slotOut[o + 1];
            r2[q] = slotOut[o + 2];
            rp[q] = slotParam[rowSlots[s0 + q]];
            prefix[q + 1] = prefix[q] * rv[q];
          }
          suffix[Kr] = 1;
          for (let q = Kr - 1; q >= 0; q--) suffix[q] = rv[q] * suffix[q + 1];
          for (let q = 0; q < Kr; q++) rExcl[q] = prefix[q] * suffix[q + 1];
          const LFg = L * Fg;
          for (let q = 0; q < Kr; q++) {
            const dq = LFg * r1[q] * rExcl[q]; // ∂(L F_g Q)/∂γ_q
            if (gradient) gradient[index[rp[q]]] += w1 * base * dq;
            if (needAcc) acc[rp[q]] += base * dq;
          }
          if (hessian) {
            if (nP > 0) {
              for (let i = 0; i < nP; i++) {
                let s = 0;
                for (let m = 1; m < nC; m++) s += coef[c0 + m] * monoGrad[m * nP + i];
                nomGrad[i] = s;
              }
            }
            const e0 = groupSlotPtr[g];
            const K = groupSlotPtr[g + 1] - e0;
            for (let q = 0; q < Kr; q++) {
              const gq = index[rp[q]];
              const dq = w1 * LFg * r1[q] * rExcl[q];
              hessian[gq * n + gq] += w1 * base * LFg * r2[q] * rExcl[q];
              let middle = 1;
              for (let l = q + 1; l < Kr; l++) {
                addSymmetric(hessian, n, gq, index[rp[l]], w1 * base * LFg * r1[q] * r1[l] * prefix[q] * middle * suffix[l + 1]);
                middle *= rv[l];
              }
              for (let i = 0; i < nP; i++) addSymmetric(hessian, n, index[i], gq, dq * nomGrad[i]);
              for (let i = 0; i < D; i++) {
                const w = 6 * groupDeltaParam[p0 + i];
                addSymmetric(hessian, n, index[groupDeltaParam[p0 + i]], gq, dq * (hw[w + 2] * deltaUp[d0 + i] + hw[w + 3] * deltaDn[d0 + i]));
              }
              // γ × the group's scalar factors: L base f_q' Π_{l≠q} γ_l · f_k' Π_{l≠k} f_l
              const bq = w1 * L * base * r1[q] * rExcl[q];
              for (let e = 0; e < K; e++) addSymmetric(hessian, n, index[slotParam[groupSlots[e0 + e]]], gq, bq * groupD[e0 + e]);
            }
          }
        }

        // the group's scalar factors, for ∂ν_b only (their gradient and Hessian are summed per group below)
        if (needAcc) {
          const lbq = L * base * Q;
          for (let e = groupSlotPtr[g]; e < groupSlotPtr[g + 1]; e++) acc[slotParam[groupSlots[e]]] += lbq * groupD[e];
        }
      }

      if (needAcc) {
        if (nP > 0) {
          for (let i = 0; i < nP; i++) {
            let s = 0;
            for (let m = 1; m < nC; m++) s += binCoef[m] * monoGrad[m * nP + i];
            acc[i] += s;
          }
        }
        // (n/ν²) ∂ν_b ∂ν_bᵀ over the parameters that touch bin b
        const x0 = binParamPtr[b];
        const T = binParamPtr[b + 1] - x0;
        for (let x = 0; x < T; x++) {
          const jx = binParams[x0 + x];
          outerIndex[x] = index[jx];
          outerValue[x] = acc[jx];
        }
        for (let x = 0; x < T; x++) {
          const ax = w2 * outerValue[x];
          if (ax === 0) continue;
          const gx = outerIndex[x] * n;
          for (let y = 0; y < T; y++) hessian![gx + outerIndex[y]] += ax * outerValue[y];
        }
        const x1 = x0 + T;
        for (let x = x0; x < x1; x++) acc[binParams[x]] = 0;
      }
    }

    // θ: Σ_m aggCoef_m ∂m_m and ∂²m_m
    if (nP > 0) {
      for (let i = 0; i < nP; i++) {
        let s = 0;
        for (let m = 1; m < nC; m++) s += aggCoef[m] * monoGrad[m * nP + i];
        if (gradient) gradient[index[i]] += s;
      }
      if (hessian) {
        for (let i = 0; i < nP; i++) {
          const gi = index[i] * n;
          for (let j = 0; j < nP; j++) {
            let s = 0;
            for (let m = 1; m < nC; m++) s += aggCoef[m] * monoHess[(m * nP + i) * nP + j];
            hessian[gi + index[j]] += s;
          }
        }
      }
    }

    // the groups' histosys α (gradient, diagonal Hessian) and scalar factors
    for (let g = 0; g < nGroups; g++) {
      const p0 = groupDeltaPtr[g];
      const D = groupDeltaPtr[g + 1] - p0;
      const LFg = L * groupF[g];
      for (let i = 0; i < D; i++) {
        const j = groupDeltaParam[p0 + i];
        const w = 6 * j;
        const su = groupSU[p0 + i];
        const sv = groupSV[p0 + i];
        const u = L * (hw[w + 2] * su + hw[w + 3] * sv); // Σ_rows w1 L Q δ'
        groupU[p0 + i] = u;
        const gj = index[j];
        if (gradient) gradient[gj] += groupF[g] * u;
        if (hessian) hessian[gj * n + gj] += LFg * (hw[w + 4] * su + hw[w + 5] * sv);
      }
      const e0 = groupSlotPtr[g];
      const K = groupSlotPtr[g + 1] - e0;
      if (K === 0) continue;
      const LT = L * groupT[g];
      for (let e = 0; e < K; e++) if (gradient) gradient[index[slotParam[groupSlots[e0 + e]]]] += LT * groupD[e0 + e];
      if (!hessian) continue;
      if (nP > 0) {
        const gc = g * nC;
        for (let i = 0; i < nP; i++) {
          let s = 0;
          for (let m = 1; m < nC; m++) s += groupCoef[gc + m] * monoGrad[m * nP + i];
          thetaGrad[i] = s;
        }
      }
      prefix[0] = 1;
      for (let q = 0; q < K; q++) prefix[q + 1] = prefix[q] * slotOut[3 * groupSlots[e0 + q]];
      suffix[K] = 1;
      for (let q = K - 1; q >= 0; q--) suffix[q] = slotOut[3 * groupSlots[e0 + q]] * suffix[q + 1];
      for (let q = 0; q < K; q++) {
        const sq = groupSlots[e0 + q];
        const gq = index[slotParam[sq]];
        const dq = groupD[e0 + q];
        hessian[gq * n + gq] += LT * slotOut[3 * sq + 2] * groupExcl[e0 + q];
        let middle = 1;
        for (let l = q + 1; l < K; l++) {
          const sl = groupSlots[e0 + l];
          addSymmetric(hessian, n, gq, index[slotParam[sl]], LT * slotOut[3 * sq + 1] * slotOut[3 * sl + 1] * prefix[q] * middle * suffix[l + 1]);
          middle *= slotOut[3 * sl];
        }
        for (let i = 0; i < nP; i++) addSymmetric(hessian, n, index[i], gq, thetaGrad[i] * dq);
        for (let i = 0; i < D; i++) addSymmetric(hessian, n, index[groupDeltaParam[p0 + i]], gq, groupU[p0 + i] * dq);
      }
    }
  }

  function expected(params: Float64Array, index: Int32Array, luminosityScale = 1): Float64Array {
    checkScale(luminosityScale);
    evaluate(params, index, luminosityScale, false, false);
    return Float64Array.from(binNu);
  }

  function nominalAux(): Float64Array {
    return Float64Array.from(consAux);
  }

  function asimov(params: Float64Array, index: Int32Array, context: BinnedContext = PUBLISHED): BinnedData {
    const counts = expected(params, index, context.luminosityScale);
    const aux = new Float64Array(nCons);
    for (let c = 0; c < nCons; c++) aux[c] = params[index[consParam[c]]] * consTau[c];
    return { counts, aux };
  }

  function toy(params: Float64Array, index: Int32Array, rng: ToyRandom, luminosityScale = 1): BinnedData {
    const mean = expected(params, index, luminosityScale);
    const counts = new Float64Array(totalBins);
    for (let b = 0; b < totalBins; b++) {
      const nu = mean[b];
      if (!(nu >= 0) || !Number.isFinite(nu)) throw rateError(b, nu);
      counts[b] = rng.poisson(nu);
    }
    const aux = new Float64Array(nCons);
    for (let c = 0; c < nCons; c++) {
      const p = params[index[consParam[c]]];
      if (consPoisson[c]) {
        const rate = p * consTau[c];
        if (!(rate >= 0) || !Number.isFinite(rate)) throw new NonPositiveRateError(name, `Poisson constraint rate of '${constraints[c].parameter}'`, rate);
        aux[c] = rng.poisson(rate);
      } else {
        aux[c] = p + consSigma[c] * rng.normal();
      }
    }
    return { counts, aux };
  }

  return {
    kind: 'binned-template',
    name,
    spec,
    observations,
    variants: 1,
    submits: 'counts',
    hasObserved: observations !== null,
    observed() {
      if (!observations) throw new DatasetError([], `this likelihood publishes no observed counts for term '${name}'`);
      return { counts: channelCounts(channels, totalBins, observations, []), aux: nominalAux() };
    },
    submitted(data: SubmittedData) {
      if (!data.binned) throw new DatasetError([], `term '${name}' is binned: submit counts per channel`);
      return { counts: channelCounts(channels, totalBins, data.binned, ['binned']), aux: nominalAux() };
    },
    parameters,
    interest: P,
    channels,
    totalBins,
    constraints,
    expected,
    nll,
    nominalAux,
    asimov,
    toy,
  };
}

/** The binned template terms of a likelihood, in order. */
export function binnedTerms(likelihood: { readonly terms: readonly { readonly term: Term }[] }): BinnedTemplateTerm[] {
  return likelihood.terms.flatMap(({ term }) => (term.kind === 'binned-template' ? [term as BinnedTemplateTerm] : []));
}
