/**
 * The work buffers of a compiled binned model's kernels, allocated once per term and
 * overwritten by every evaluation (the term is not re-entrant; JavaScript is
 * single-threaded), so that an NLL, gradient or Hessian allocates nothing.
 */
import type { Interpolated } from './interpolation.js';
import type { CompiledBinnedModel } from './compile.js';

/** The data-only constants Σ ln Γ(n + 1) of the last counts and aux seen, keyed by content. */
export interface DataConstants {
  counts: Float64Array;
  aux: Float64Array;
  countsConstant: number;
  auxConstant: number;
}

export interface BinnedScratch {
  // the value path (yields.ts)
  /** the term's parameters, gathered from the global vector */
  readonly local: Float64Array;
  readonly dtheta: Float64Array;
  /** monomials m(Δθ) (m_0 = 1), their gradient (C × P) and Hessian (C × P × P) */
  readonly mono: Float64Array<ArrayBuffer>;
  readonly monoGrad: Float64Array<ArrayBuffer>;
  readonly monoHess: Float64Array<ArrayBuffer>;
  /** value, d1, d2 per slot */
  readonly slotOut: Float64Array;
  /** histosys weights u, v, u', v', u'', v'' per α (at 6 × its local index) */
  readonly hw: Float64Array;
  /** product of a group's scalar factors */
  readonly groupF: Float64Array;
  /** nominal + deltas per row */
  readonly rowBase: Float64Array;
  /** product of the row's per-bin factors */
  readonly rowQ: Float64Array;
  /** expected count ν_b per bin */
  readonly binNu: Float64Array;
  /** code4's value out of `normsysCode4Into`, and code1's value and derivatives */
  readonly scratchOut: Float64Array;
  readonly interpolated: Interpolated;

  // derivative aggregates (derivatives.ts)
  /** f_k' Π_{l≠k} f_l per group factor */
  readonly groupD: Float64Array;
  /** Π_{l≠k} f_l per group factor */
  readonly groupExcl: Float64Array;
  /** Σ_rows w1 base Q per group */
  readonly groupT: Float64Array;
  /** Σ_rows w1 Q deltaUp, Σ_rows w1 Q deltaDown and Σ_rows w1 L Q δ' per group histosys entry */
  readonly groupSU: Float64Array;
  readonly groupSV: Float64Array;
  readonly groupU: Float64Array;
  /** Σ_rows w1 L Q c_r per group (C each) */
  readonly groupCoef: Float64Array;
  /** Σ_rows w1 L F c_r */
  readonly aggCoef: Float64Array;
  /** Σ_rows-in-bin L F c_r */
  readonly binCoef: Float64Array;
  /** ∂ν_b per local parameter */
  readonly acc: Float64Array;
  readonly nomGrad: Float64Array;
  readonly thetaGrad: Float64Array;
  /** global index and ∂ν_b of the parameters touching one bin */
  readonly outerIndex: Int32Array;
  readonly outerValue: Float64Array;
  /** one row's per-bin factors: value, d1, d2, local parameter, product of the others */
  readonly rv: Float64Array;
  readonly r1: Float64Array;
  readonly r2: Float64Array;
  readonly rp: Int32Array;
  readonly rExcl: Float64Array;
  /** prefix and suffix products of a row's or a group's factors */
  readonly prefix: Float64Array;
  readonly suffix: Float64Array;

  // the NLL's data-constant cache (nll.ts)
  readonly constants: DataConstants;
}

/** Buffers sized for `model`'s tables. */
export function allocateScratch(model: CompiledBinnedModel): BinnedScratch {
  const { P, C, nLocal, nSlots, G, groupSlots, groupDeltaParam, rows, totalBins, maxTouched, maxRowSlots, maxGroupSlots } = model;
  const mono = new Float64Array(C);
  mono[0] = 1;
  return {
    local: new Float64Array(nLocal),
    dtheta: new Float64Array(P),
    mono,
    monoGrad: new Float64Array(C * P),
    monoHess: new Float64Array(C * P * P),
    slotOut: new Float64Array(3 * nSlots),
    hw: new Float64Array(6 * nLocal),
    groupF: new Float64Array(G),
    rowBase: new Float64Array(rows),
    rowQ: new Float64Array(rows),
    binNu: new Float64Array(totalBins),
    scratchOut: new Float64Array(3),
    interpolated: { value: 0, d1: 0, d2: 0 },
    groupD: new Float64Array(groupSlots.length),
    groupExcl: new Float64Array(groupSlots.length),
    groupT: new Float64Array(G),
    groupSU: new Float64Array(groupDeltaParam.length),
    groupSV: new Float64Array(groupDeltaParam.length),
    groupU: new Float64Array(groupDeltaParam.length),
    groupCoef: new Float64Array(G * C),
    aggCoef: new Float64Array(C),
    binCoef: new Float64Array(C),
    acc: new Float64Array(nLocal),
    nomGrad: new Float64Array(P),
    thetaGrad: new Float64Array(P),
    outerIndex: new Int32Array(maxTouched),
    outerValue: new Float64Array(maxTouched),
    rv: new Float64Array(maxRowSlots),
    r1: new Float64Array(maxRowSlots),
    r2: new Float64Array(maxRowSlots),
    rp: new Int32Array(maxRowSlots),
    rExcl: new Float64Array(maxRowSlots),
    prefix: new Float64Array(Math.max(maxRowSlots, maxGroupSlots) + 1),
    suffix: new Float64Array(Math.max(maxRowSlots, maxGroupSlots) + 1),
    constants: { counts: new Float64Array(0), aux: new Float64Array(0), countsConstant: 0, auxConstant: 0 },
  };
}
