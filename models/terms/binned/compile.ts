/**
 * Compiling a validated binned model into one plain `CompiledBinnedModel`: its parameters
 * (θ first, then the nuisances in order of first appearance, per-bin ones named `name[b]`
 * as pyhf's `par_names`), its constraint terms in auxiliary-data order, and the flat
 * typed-array layout the kernels (`yields.ts`, `nll.ts`, `derivatives.ts`) stream over.
 *
 * Groups are (channel, sample) pairs holding the sample's scalar factors and histosys
 * parameters; rows are (bin, sample) pairs ordered by global bin, each with its coefficient
 * vector, its histosys deltas and its per-bin factors. Factors live in slots: a factor equal
 * to its parameter (normfactor, lumi, the γ's) or a normsys interpolation. The tables are
 * never written after compilation; the kernels' work buffers are in `scratch.ts`.
 */
import { basisSize, monomialBasis, type MonomialBasis } from '../../basis/monomial-basis.js';
import type { ConstraintKind, ParameterSpec } from '../../likelihood/term.js';
import type { Constraint } from '../../likelihood/term.js';
import { code4Coefficients, type HistosysCode, type NormsysCode } from './interpolation.js';
import { isPerBin, type BinnedModelSpec, type Modifier, type ModifierType, type ParameterSetting } from './schema.js';

/** One constraint term of the binned term (the Term interface's). */
export type BinnedConstraint = Constraint;

export interface BinnedChannel {
  readonly name: string;
  readonly bins: number;
  /** position of the channel's first bin in the concatenated counts */
  readonly offset: number;
}

/** Slot kinds: a factor equal to its parameter, or a normsys interpolation. */
export const SLOT_LINEAR = 0;
export const SLOT_CODE1 = 1;
export const SLOT_CODE4 = 2;

/**
 * A compiled binned model. Local parameter j is the term's j-th parameter (θ first);
 * `*Ptr` arrays are CSR offsets (entries of item i at [ptr[i], ptr[i + 1])).
 */
export interface CompiledBinnedModel {
  readonly name: string;
  readonly spec: BinnedModelSpec;
  /** number of θ parameters (they come first) and of monomials on the basis of Δθ */
  readonly P: number;
  readonly C: number;
  readonly basis: MonomialBasis | null;
  readonly theta0: Float64Array;
  readonly normsysCode: NormsysCode;
  readonly histosysCode: HistosysCode;
  readonly parameters: ParameterSpec[];
  readonly nLocal: number;
  readonly channels: BinnedChannel[];
  readonly totalBins: number;
  /** the channel index of each global bin */
  readonly channelOfBin: Int32Array;

  // constraints, in parameter order
  readonly constraints: BinnedConstraint[];
  readonly nCons: number;
  readonly consPoisson: Uint8Array;
  /** the constrained local parameter */
  readonly consParam: Int32Array;
  readonly consSigma: Float64Array;
  readonly consLogSigma: Float64Array;
  readonly consTau: Float64Array;
  readonly consAux: Float64Array;

  // factor slots
  readonly nSlots: number;
  readonly slotKind: Uint8Array;
  readonly slotParam: Int32Array;
  readonly slotHi: Float64Array;
  readonly slotLo: Float64Array;
  /** code4's six polynomial coefficients per slot (zero for other kinds) */
  readonly slotCoef: Float64Array;
  /** the SLOT_LINEAR slots */
  readonly linearSlots: Int32Array;

  // groups (channel, sample)
  readonly G: number;
  /** the group's scalar factor slots */
  readonly groupSlotPtr: Int32Array;
  readonly groupSlots: Int32Array;
  /** the group's active histosys parameters */
  readonly groupDeltaPtr: Int32Array;
  readonly groupDeltaParam: Int32Array;
  /** for the value-only path: per group its linear slots, then its normsys entries (slot, parameter, code4 coefficients) */
  readonly groupLinPtr: Int32Array;
  readonly groupLin: Int32Array;
  readonly groupSysPtr: Int32Array;
  readonly sysSlot: Int32Array;
  readonly sysParam: Int32Array;
  readonly sysCoef: Float64Array;
  /** the local parameters of the active histosys modifiers */
  readonly histosysParams: Int32Array;

  // rows (global bin, sample), ordered by global bin
  readonly rows: number;
  /** C coefficients per row */
  readonly coef: Float64Array;
  readonly rowGroup: Int32Array;
  /** the row's deltas (aligned with its group's histosys parameters) */
  readonly rowDeltaStart: Int32Array;
  readonly deltaUp: Float64Array;
  readonly deltaDn: Float64Array;
  /** 6 × the α's local index, per delta entry (its histosys weights in scratch `hw`) */
  readonly deltaWeight: Int32Array;
  /** the row's per-bin factor slots */
  readonly rowSlotPtr: Int32Array;
  readonly rowSlots: Int32Array;

  // bins
  readonly binRowPtr: Int32Array;
  /** the local parameters that touch each bin, ascending */
  readonly binParamPtr: Int32Array;
  readonly binParams: Int32Array;

  /** sizes of the scratch buffers */
  readonly maxRowSlots: number;
  readonly maxGroupSlots: number;
  readonly maxTouched: number;
}

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

/** modifier name → its local parameter indices (one, or one per bin) */
type ParameterSets = Map<string, { type: ModifierType; components: number[] }>;

type Sample = BinnedModelSpec['channels'][number]['samples'][number];

/** The parameters in order of first appearance and the channels' bins. */
function discoverParameters(spec: BinnedModelSpec, theta0: Float64Array, settings: Map<string, ParameterSetting>) {
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
  const sets: ParameterSets = new Map();
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
            // σ_b filled in by `staterrorSigmas`, once every sample carrying the name is known
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
  return { locals, sets, channels, totalBins };
}

/**
 * staterror: σ_b = sqrt(Σ_s δ_sb²) / Σ_s nom_sb over the samples carrying the name (pyhf
 * `staterror_builder.finalize`, nominal at θ0); bins with σ_b = 0 are fixed and get σ = 1.
 */
function staterrorSigmas(spec: BinnedModelSpec, locals: LocalParameter[], sets: ParameterSets): void {
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
}

/** parameterSettings override (a set's settings first, then those naming one component) */
function applySettings(locals: LocalParameter[], sets: ParameterSets, settings: Map<string, ParameterSetting>): void {
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
}

/** The constraint terms, in parameter order. */
function compileConstraints(locals: LocalParameter[]) {
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
  return { constraints, nCons, consPoisson, consParam, consSigma, consLogSigma, consTau, consAux };
}

/** The factor slots as they are laid out; a parameter's linear slot is shared by every group and row it multiplies. */
class SlotLists {
  readonly kind: number[] = [];
  readonly param: number[] = [];
  readonly hi: number[] = [];
  readonly lo: number[] = [];
  readonly linearSlot = new Map<number, number>();

  linear(j: number): number {
    let s = this.linearSlot.get(j);
    if (s === undefined) {
      s = this.add(SLOT_LINEAR, j, 1, 1);
      this.linearSlot.set(j, s);
    }
    return s;
  }

  add(kind: number, j: number, hi: number, lo: number): number {
    this.kind.push(kind);
    this.param.push(j);
    this.hi.push(hi);
    this.lo.push(lo);
    return this.kind.length - 1;
  }
}

/**
 * A histosys whose templates equal the sample's nominal in every bin (hi = lo = nominal, common
 * in published workspaces: 4 486 of 6 081 in ATLAS 1Lbb with a signal patch) adds δ = 0 for every α: it touches no
 * bin, so it is left out of the sample's group (its parameter and constraint remain).
 */
function activeHistosys(sample: Sample, m: Modifier): boolean {
  return m.type === 'histosys' && sample.coefficients.some((c, b) => m.data.hi_data[b] !== c[0] || m.data.lo_data[b] !== c[0]);
}

/**
 * The groups (channel, sample): a group holds the sample's scalar factors (normfactor, lumi,
 * normsys: the same for all its bins) and its histosys parameters.
 */
function layoutGroups(spec: BinnedModelSpec, sets: ParameterSets, normsysCode: NormsysCode, slots: SlotLists) {
  const slotPtr: number[] = [0];
  const slotList: number[] = [];
  const deltaPtr: number[] = [0];
  const deltaParam: number[] = [];
  const groupOf: number[][] = []; // [channel][sample] → group
  for (const channel of spec.channels) {
    const ids: number[] = [];
    for (const sample of channel.samples) {
      for (const m of sample.modifiers) {
        if (m.type === 'histosys' && !activeHistosys(sample, m)) continue;
        const j = sets.get(m.name)!.components[0];
        if (m.type === 'normfactor' || m.type === 'lumi') slotList.push(slots.linear(j));
        else if (m.type === 'normsys') slotList.push(slots.add(normsysCode === 'code1' ? SLOT_CODE1 : SLOT_CODE4, j, m.data.hi, m.data.lo));
        else if (m.type === 'histosys') deltaParam.push(j);
      }
      ids.push(slotPtr.length - 1);
      slotPtr.push(slotList.length);
      deltaPtr.push(deltaParam.length);
    }
    groupOf.push(ids);
  }
  return { slotPtr, slotList, deltaPtr, deltaParam, groupOf, G: slotPtr.length - 1 };
}

type Groups = ReturnType<typeof layoutGroups>;

/**
 * The rows (global bin, sample), ordered by global bin: the bin's coefficient vector, its
 * histosys deltas (aligned with the group's list) and its per-bin factors (γ's); and per bin
 * the parameters that touch it (θ, its rows' factors and histosys α's).
 */
function layoutRows(spec: BinnedModelSpec, channels: BinnedChannel[], totalBins: number, P: number, C: number, sets: ParameterSets, groups: Groups, slots: SlotLists) {
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

  spec.channels.forEach((channel, c) => {
    const { bins, offset } = channels[c];
    for (let b = 0; b < bins; b++) {
      const touched = new Set<number>();
      for (let i = 0; i < P; i++) touched.add(i);
      channel.samples.forEach((sample, s) => {
        const group = groups.groupOf[c][s];
        const coefficients = sample.coefficients[b];
        for (let k = 0; k < C; k++) coefList.push(coefficients[k]);
        rowGroupList.push(group);
        rowDeltaStartList.push(deltaUpList.length);
        for (let e = groups.slotPtr[group]; e < groups.slotPtr[group + 1]; e++) touched.add(slots.param[groups.slotList[e]]);
        for (const m of sample.modifiers) {
          const set = sets.get(m.name)!;
          if (m.type === 'histosys') {
            if (!activeHistosys(sample, m)) continue;
            const nominal = coefficients[0];
            deltaUpList.push(m.data.hi_data[b] - nominal);
            deltaDnList.push(nominal - m.data.lo_data[b]);
            touched.add(set.components[0]);
          } else if (isPerBin(m.type)) {
            rowSlotList.push(slots.linear(set.components[b]));
            touched.add(set.components[b]);
          }
        }
        for (let e = groups.deltaPtr[group]; e < groups.deltaPtr[group + 1]; e++) deltaWeightList.push(6 * groups.deltaParam[e]);
        maxRowSlots = Math.max(maxRowSlots, rowSlotList.length - rowSlotPtrList[rowSlotPtrList.length - 1]);
        rowSlotPtrList.push(rowSlotList.length);
        rows++;
      });
      binRowPtr[offset + b + 1] = rows;
      binParamList.push(...[...touched].sort((x, y) => x - y));
      binParamPtr[offset + b + 1] = binParamList.length;
    }
  });
  rowDeltaStartList.push(deltaUpList.length);

  let maxTouched = 0;
  for (let b = 0; b < totalBins; b++) maxTouched = Math.max(maxTouched, binParamPtr[b + 1] - binParamPtr[b]);
  return {
    rows,
    coef: Float64Array.from(coefList),
    rowGroup: Int32Array.from(rowGroupList),
    rowDeltaStart: Int32Array.from(rowDeltaStartList),
    deltaUp: Float64Array.from(deltaUpList),
    deltaDn: Float64Array.from(deltaDnList),
    deltaWeight: Int32Array.from(deltaWeightList),
    rowSlotPtr: Int32Array.from(rowSlotPtrList),
    rowSlots: Int32Array.from(rowSlotList),
    binRowPtr,
    binParamPtr,
    binParams: Int32Array.from(binParamList),
    maxRowSlots,
    maxTouched,
  };
}

/**
 * For the value-only path: per group, its linear factors (slot ids) and its normsys slots laid
 * out contiguously (parameter, code4 coefficients), so that the group product streams.
 */
function layoutValuePath(groups: Groups, slots: SlotLists, slotCoef: Float64Array) {
  const { G } = groups;
  const groupLinPtr = new Int32Array(G + 1);
  const groupLinList: number[] = [];
  const groupSysPtr = new Int32Array(G + 1);
  const groupSysList: number[] = [];
  for (let g = 0; g < G; g++) {
    for (let e = groups.slotPtr[g]; e < groups.slotPtr[g + 1]; e++) {
      const slot = groups.slotList[e];
      if (slots.kind[slot] === SLOT_LINEAR) groupLinList.push(slot);
      else groupSysList.push(slot);
    }
    groupLinPtr[g + 1] = groupLinList.length;
    groupSysPtr[g + 1] = groupSysList.length;
  }
  const sysSlot = Int32Array.from(groupSysList);
  const sysCoef = new Float64Array(6 * sysSlot.length);
  sysSlot.forEach((slot, e) => sysCoef.set(slotCoef.subarray(6 * slot, 6 * slot + 6), 6 * e));
  return {
    groupLinPtr,
    groupLin: Int32Array.from(groupLinList),
    groupSysPtr,
    sysSlot,
    sysParam: Int32Array.from(groupSysList, (slot) => slots.param[slot]),
    sysCoef,
  };
}

/** Compiles a validated specification (see `parseBinnedModel`) into the tables of term `name`. */
export function compileTables(name: string, spec: BinnedModelSpec, unconstrained: ReadonlySet<string> = new Set()): CompiledBinnedModel {
  const P = spec.parameters.length;
  const C = basisSize(P, spec.degree);
  const basis: MonomialBasis | null = P > 0 ? monomialBasis(P, spec.degree) : null;
  const normsysCode = spec.interpolation?.normsys ?? 'code4';
  const histosysCode = spec.interpolation?.histosys ?? 'code4p';
  const theta0 = Float64Array.from(spec.reference);
  const settings = new Map((spec.parameterSettings ?? []).map((s) => [s.name, s]));

  const { locals, sets, channels, totalBins } = discoverParameters(spec, theta0, settings);
  staterrorSigmas(spec, locals, sets);
  applySettings(locals, sets, settings);
  // left out on request (Term.withoutConstraints): a parameter set by its name, or one component by `name[b]`
  for (const p of locals) if (unconstrained.has(p.name) || unconstrained.has(p.name.replace(/\[\d+\]$/, ''))) p.constraint = 'none';
  const parameters: ParameterSpec[] = locals.map((p) => ({ name: p.name, init: p.init, bounds: [p.bounds[0], p.bounds[1]] as const, kind: p.kind, fixed: p.fixed, constraint: p.constraint }));

  const slots = new SlotLists();
  const groups = layoutGroups(spec, sets, normsysCode, slots);
  let maxGroupSlots = 0;
  for (let g = 0; g < groups.G; g++) maxGroupSlots = Math.max(maxGroupSlots, groups.slotPtr[g + 1] - groups.slotPtr[g]);
  const rows = layoutRows(spec, channels, totalBins, P, C, sets, groups, slots);

  const nSlots = slots.kind.length;
  const slotKind = Uint8Array.from(slots.kind);
  const slotHi = Float64Array.from(slots.hi);
  const slotLo = Float64Array.from(slots.lo);
  const slotCoef = new Float64Array(6 * nSlots);
  for (let s = 0; s < nSlots; s++) if (slotKind[s] === SLOT_CODE4) code4Coefficients(slotHi[s], slotLo[s], slotCoef.subarray(6 * s, 6 * s + 6));
  const channelOfBin = new Int32Array(totalBins);
  channels.forEach((ch, c) => channelOfBin.fill(c, ch.offset, ch.offset + ch.bins));

  return {
    name,
    spec,
    P,
    C,
    basis,
    theta0,
    normsysCode,
    histosysCode,
    parameters,
    nLocal: locals.length,
    channels,
    totalBins,
    channelOfBin,
    ...compileConstraints(locals),
    nSlots,
    slotKind,
    slotParam: Int32Array.from(slots.param),
    slotHi,
    slotLo,
    slotCoef,
    linearSlots: Int32Array.from(slots.linearSlot.values()),
    G: groups.G,
    groupSlotPtr: Int32Array.from(groups.slotPtr),
    groupSlots: Int32Array.from(groups.slotList),
    groupDeltaPtr: Int32Array.from(groups.deltaPtr),
    groupDeltaParam: Int32Array.from(groups.deltaParam),
    ...layoutValuePath(groups, slots, slotCoef),
    histosysParams: Int32Array.from(new Set(groups.deltaParam)),
    ...rows,
    maxGroupSlots,
  };
}
