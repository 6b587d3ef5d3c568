/**
 * The analytic gradient and Hessian of the binned term's Poisson part (the constraints' are
 * in `nll.ts`): the product rule over factors, the basis derivatives for θ and the Poisson
 * chain rule per bin,
 *
 *     ∂NLL = Σ_b (1 − n_b/ν_b) ∂ν_b,  ∂²NLL = Σ_b [(1 − n_b/ν_b) ∂²ν_b + (n_b/ν_b²) ∂ν_b ∂ν_bᵀ].
 *
 * Per row ν_r = L · base_r · F_g · Q_r with base = c·m(Δθ) + Σ δ(α), F_g the product of
 * the group's scalar factors and Q_r that of the row's per-bin factors; each factor depends
 * on one parameter, so the product rule uses the products of all other factors (computed
 * by prefix and suffix products, never by division). Terms linear in a group's scalar
 * factors are summed over the group's rows first (groupT, groupSU, groupSV, groupU, groupCoef) and
 * multiplied by the factor derivatives once per group; the θ terms are summed into one
 * coefficient vector (aggCoef) and contracted with the basis derivatives once.
 *
 * The kernels read the slots, weights and products `evaluateYields` left in the scratch
 * (with derivatives), and add into the caller's global gradient and Hessian; the order of
 * every addition is fixed, so that results are reproducible to the last bit.
 */
import type { CompiledBinnedModel } from './compile.js';
import type { BinnedScratch } from './scratch.js';

/** What the derivatives are taken at and where they go. */
export interface DerivativeTarget {
  /** term-local parameter j → global position */
  readonly index: Int32Array;
  readonly counts: Float64Array;
  /** the luminosity scale */
  readonly L: number;
  /** the global number of parameters */
  readonly n: number;
  readonly gradient: Float64Array | undefined;
  /** n × n row-major */
  readonly hessian: Float64Array | undefined;
}

/** adds v at (x, y) and (y, x) of an n × n row-major matrix */
function addSymmetric(hessian: Float64Array, n: number, x: number, y: number, v: number): void {
  hessian[x * n + y] += v;
  hessian[y * n + x] += v;
}

/** group factors: Π_{l≠k} f_l and f_k' Π_{l≠k} f_l */
function groupFactorProducts(model: CompiledBinnedModel, scratch: BinnedScratch): void {
  const { G, groupSlotPtr, groupSlots } = model;
  const { prefix, suffix, slotOut, groupExcl, groupD } = scratch;
  for (let g = 0; g < G; g++) {
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
}

/**
 * The row's per-bin factors γ: their gradient w1 base ∂ν_r/∂γ, their part of ∂ν_b (acc) and,
 * with a Hessian, their second derivatives and cross terms with θ, histosys α and the group's
 * scalar factors.
 */
function addRowFactors(model: CompiledBinnedModel, scratch: BinnedScratch, t: DerivativeTarget, r: number, base: number, w1: number, needAcc: boolean): void {
  const { rowSlotPtr, rowSlots, rowGroup, slotParam } = model;
  const { slotOut, rv, r1, r2, rp, rExcl, prefix, suffix, acc, groupF } = scratch;
  const { index, L, gradient } = t;
  const s0 = rowSlotPtr[r];
  const Kr = rowSlotPtr[r + 1] - s0;
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
  const LFg = L * groupF[rowGroup[r]];
  for (let q = 0; q < Kr; q++) {
    const dq = LFg * r1[q] * rExcl[q]; // ∂(L F_g Q)/∂γ_q
    if (gradient) gradient[index[rp[q]]] += w1 * base * dq;
    if (needAcc) acc[rp[q]] += base * dq;
  }
  if (t.hessian) addRowFactorHessian(model, scratch, t, t.hessian, r, Kr, base, w1);
}

/** The γ rows of the Hessian: γγ, γθ, γα and γ × the group's scalar factors (prefix, suffix, rExcl as `addRowFactors` left them). */
function addRowFactorHessian(model: CompiledBinnedModel, scratch: BinnedScratch, t: DerivativeTarget, hessian: Float64Array, r: number, Kr: number, base: number, w1: number): void {
  const { P: nP, C: nC, coef, rowGroup, rowDeltaStart, deltaUp, deltaDn, groupDeltaPtr, groupDeltaParam, groupSlotPtr, groupSlots, slotParam } = model;
  const { rv, r1, r2, rp, rExcl, prefix, suffix, nomGrad, monoGrad, hw, groupD, groupF } = scratch;
  const { index, L, n } = t;
  const g = rowGroup[r];
  const c0 = r * nC;
  const d0 = rowDeltaStart[r];
  const p0 = groupDeltaPtr[g];
  const D = groupDeltaPtr[g + 1] - p0;
  const LFg = L * groupF[g];
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

/** One row of bin b (Poisson weight w1 = 1 − n_b/ν_b): its θ, histosys and factor terms. */
function addRowDerivatives(model: CompiledBinnedModel, scratch: BinnedScratch, t: DerivativeTarget, r: number, w1: number, needAcc: boolean, thetaCross: boolean): void {
  const { P: nP, C: nC, coef, rowGroup, rowDeltaStart, deltaUp, deltaDn, rowSlotPtr, groupSlotPtr, groupSlots, groupDeltaPtr, groupDeltaParam, slotParam } = model;
  const { rowBase, rowQ, groupF, groupT, groupSU, groupSV, groupCoef, aggCoef, binCoef, acc, hw, groupD } = scratch;
  const { L } = t;
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
  if (rowSlotPtr[r + 1] > rowSlotPtr[r]) addRowFactors(model, scratch, t, r, base, w1, needAcc);

  // the group's scalar factors, for ∂ν_b only (their gradient and Hessian are summed per group in `addGroupFactors`)
  if (needAcc) {
    const lbq = L * base * Q;
    for (let e = groupSlotPtr[g]; e < groupSlotPtr[g + 1]; e++) acc[slotParam[groupSlots[e]]] += lbq * groupD[e];
  }
}

/** (n/ν²) ∂ν_b ∂ν_bᵀ over the parameters that touch bin b, from ∂ν_b collected in acc (and binCoef for θ); clears acc. */
function addBinCurvature(model: CompiledBinnedModel, scratch: BinnedScratch, t: DerivativeTarget, hessian: Float64Array, b: number, w2: number): void {
  const { P: nP, C: nC, binParamPtr, binParams } = model;
  const { binCoef, monoGrad, acc, outerIndex, outerValue } = scratch;
  const { index, n } = t;
  if (nP > 0) {
    for (let i = 0; i < nP; i++) {
      let s = 0;
      for (let m = 1; m < nC; m++) s += binCoef[m] * monoGrad[m * nP + i];
      acc[i] += s;
    }
  }
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
    for (let y = 0; y < T; y++) hessian[gx + outerIndex[y]] += ax * outerValue[y];
  }
  const x1 = x0 + T;
  for (let x = x0; x < x1; x++) acc[binParams[x]] = 0;
}

/** θ: Σ_m aggCoef_m ∂m_m and ∂²m_m */
function addThetaDerivatives(model: CompiledBinnedModel, scratch: BinnedScratch, t: DerivativeTarget): void {
  const { P: nP, C: nC } = model;
  const { aggCoef, monoGrad, monoHess } = scratch;
  const { index, n, gradient, hessian } = t;
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

/** Group g's histosys α: gradient and diagonal Hessian from the per-group sums; leaves Σ_rows w1 L Q δ' in groupU. */
function addGroupHistosys(model: CompiledBinnedModel, scratch: BinnedScratch, t: DerivativeTarget, g: number): void {
  const { groupDeltaPtr, groupDeltaParam } = model;
  const { groupF, groupSU, groupSV, groupU, hw } = scratch;
  const { index, L, n, gradient, hessian } = t;
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
}

/** Group g's scalar factors: gradient, and their Hessian rows (ff, fθ, fα) from the per-group sums. */
function addGroupFactors(model: CompiledBinnedModel, scratch: BinnedScratch, t: DerivativeTarget, g: number): void {
  const { P: nP, C: nC, groupSlotPtr, groupSlots, groupDeltaPtr, groupDeltaParam, slotParam } = model;
  const { groupT, groupD, groupExcl, groupCoef, groupU, monoGrad, thetaGrad, prefix, suffix, slotOut } = scratch;
  const { index, L, n, gradient, hessian } = t;
  const e0 = groupSlotPtr[g];
  const K = groupSlotPtr[g + 1] - e0;
  if (K === 0) return;
  const LT = L * groupT[g];
  for (let e = 0; e < K; e++) if (gradient) gradient[index[slotParam[groupSlots[e0 + e]]]] += LT * groupD[e0 + e];
  if (!hessian) return;
  if (nP > 0) {
    const gc = g * nC;
    for (let i = 0; i < nP; i++) {
      let s = 0;
      for (let m = 1; m < nC; m++) s += groupCoef[gc + m] * monoGrad[m * nP + i];
      thetaGrad[i] = s;
    }
  }
  const p0 = groupDeltaPtr[g];
  const D = groupDeltaPtr[g + 1] - p0;
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

/**
 * Adds the Poisson term's gradient and Hessian (whichever `t` asks for) at the point
 * `evaluateYields` was last called at, with derivatives.
 */
export function addPoissonDerivatives(model: CompiledBinnedModel, scratch: BinnedScratch, t: DerivativeTarget): void {
  const { P: nP, G, totalBins, binRowPtr } = model;
  const { groupT, groupSU, groupSV, groupCoef, aggCoef, binCoef, binNu } = scratch;
  const { counts, hessian } = t;
  groupFactorProducts(model, scratch);
  groupT.fill(0);
  groupSU.fill(0);
  groupSV.fill(0);
  aggCoef.fill(0);
  const thetaCross = hessian !== undefined && nP > 0;
  if (thetaCross) groupCoef.fill(0);

  for (let b = 0; b < totalBins; b++) {
    const nu = binNu[b];
    const k = counts[b];
    const w1 = k === 0 ? 1 : 1 - k / nu;
    const w2 = k === 0 ? 0 : k / (nu * nu);
    const needAcc = hessian !== undefined && w2 !== 0;
    if (needAcc && nP > 0) binCoef.fill(0);
    for (let r = binRowPtr[b]; r < binRowPtr[b + 1]; r++) addRowDerivatives(model, scratch, t, r, w1, needAcc, thetaCross);
    if (needAcc) addBinCurvature(model, scratch, t, hessian!, b, w2);
  }

  if (nP > 0) addThetaDerivatives(model, scratch, t);
  // the groups' histosys α (gradient, diagonal Hessian) and scalar factors, group by group
  for (let g = 0; g < G; g++) {
    addGroupHistosys(model, scratch, t, g);
    addGroupFactors(model, scratch, t, g);
  }
}
