/**
 * The value path: expected counts per bin at given parameters. Per sample s and bin b
 * (pyhf's `_MainModel`: additive modifiers first, then factors),
 *
 *     ν_sb(θ, η) = L_scale · [ c_sb·m(θ − θ0) + Σ_histosys δ_sb(α) ] · Π_factors f(η),
 *     ν_b = Σ_s ν_sb.
 *
 * `evaluateYields` fills the scratch's factor slots, histosys weights, group products, row
 * bases and per-bin ν, which the NLL (`nll.ts`) and its derivatives (`derivatives.ts`) read.
 */
import { evaluateMonomials, monomialGradient, monomialHessian } from '../../basis/monomial-basis.js';
import { NonPositiveRateError } from '../../likelihood/term.js';
import { SLOT_CODE4, SLOT_LINEAR, type CompiledBinnedModel } from './compile.js';
import { histosysWeights, normsysCode1, normsysCode4Into } from './interpolation.js';
import type { BinnedScratch } from './scratch.js';

/** The luminosity scale on the published templates must be finite and positive. */
export function checkScale(model: CompiledBinnedModel, luminosityScale: number): void {
  if (!(luminosityScale > 0) || !Number.isFinite(luminosityScale)) throw new RangeError(`term '${model.name}': luminosityScale must be finite and positive, got ${luminosityScale}`);
}

/** The error for a non-positive expected count in global bin `b`, named by channel and bin. */
export function rateError(model: CompiledBinnedModel, b: number, value: number): NonPositiveRateError {
  const ch = model.channels[model.channelOfBin[b]];
  return new NonPositiveRateError(model.name, `expected count in channel '${ch.name}' bin ${b - ch.offset}`, value);
}

/** Gathers the local parameters from the global vector; the monomials of Δθ and, when asked, their derivatives. */
function loadParameters(model: CompiledBinnedModel, scratch: BinnedScratch, params: Float64Array, index: Int32Array, withGradient: boolean, withHessian: boolean): void {
  const { nLocal, basis, P, theta0 } = model;
  const { local, dtheta, mono } = scratch;
  if (index.length !== nLocal) throw new RangeError(`term '${model.name}': index has length ${index.length}, expected ${nLocal}`);
  for (let j = 0; j < nLocal; j++) local[j] = params[index[j]];
  if (basis) {
    for (let i = 0; i < P; i++) dtheta[i] = local[i] - theta0[i];
    evaluateMonomials(basis, dtheta, mono);
    if (withGradient) monomialGradient(basis, mono, scratch.monoGrad);
    if (withHessian) monomialHessian(basis, mono, scratch.monoHess);
  }
}

/**
 * Values only (the line search, the NLL endpoint): the linear slots, then each group's
 * product of factors in one pass, with code4's polynomial inline and without its
 * derivatives (the same expression as `normsysCode4Into`'s value).
 */
function groupValues(model: CompiledBinnedModel, scratch: BinnedScratch): void {
  const code4Into = normsysCode4Into; // one binding lookup per call, not per slot
  const out = scratch.slotOut, scratchOut = scratch.scratchOut, interpolated = scratch.interpolated;
  const params = model.slotParam, his = model.slotHi, los = model.slotLo, loc = scratch.local;
  const linear = model.linearSlots;
  for (let k = 0; k < linear.length; k++) {
    const s = linear[k];
    out[3 * s] = loc[params[s]];
  }
  const gF = scratch.groupF, linPtr = model.groupLinPtr, lin = model.groupLin, sysPtr = model.groupSysPtr, sp = model.sysParam, sc = model.sysCoef, ss = model.sysSlot;
  const code4 = model.normsysCode === 'code4';
  const G = model.G;
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
      } else F *= normsysCode1(a, his[ss[e]], los[ss[e]], interpolated).value;
    }
    gF[g] = F;
  }
}

/** Every slot's value and first and second derivative in its parameter. */
function slotDerivatives(model: CompiledBinnedModel, scratch: BinnedScratch): void {
  const code4Into = normsysCode4Into;
  const { nSlots, slotParam, slotKind, slotHi, slotLo, slotCoef } = model;
  const { local, slotOut: out, interpolated } = scratch;
  for (let s = 0; s < nSlots; s++) {
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
      normsysCode1(a, slotHi[s], slotLo[s], interpolated);
      out[o] = interpolated.value;
      out[o + 1] = interpolated.d1;
      out[o + 2] = interpolated.d2;
    }
  }
}

/** The products of the groups' scalar factors from the slots. */
function groupProducts(model: CompiledBinnedModel, scratch: BinnedScratch): void {
  const { G, groupLinPtr, groupLin, groupSysPtr, sysSlot } = model;
  const { slotOut, groupF } = scratch;
  for (let g = 0; g < G; g++) {
    // the same order as the value-only path (linear factors, then normsys), so that both give the same bits
    let F = 1;
    for (let e = groupLinPtr[g]; e < groupLinPtr[g + 1]; e++) F *= slotOut[3 * groupLin[e]];
    for (let e = groupSysPtr[g]; e < groupSysPtr[g + 1]; e++) F *= slotOut[3 * sysSlot[e]];
    groupF[g] = F;
  }
}

/** Per row its base (nominal polynomial + histosys deltas) and per-bin factor product Q; per bin ν_b = scale · Σ_rows base Q F_g. */
function binYields(model: CompiledBinnedModel, scratch: BinnedScratch, scale: number): void {
  // the hot loop: locals instead of property loads, one indirection per delta
  const coefs = model.coef, monomials = scratch.mono, weights = scratch.hw, up = model.deltaUp, dn = model.deltaDn, dw = model.deltaWeight;
  const rowPtr = model.binRowPtr, groups = model.rowGroup, dStart = model.rowDeltaStart, slotPtr = model.rowSlotPtr, slots = model.rowSlots;
  const gF = scratch.groupF, baseOut = scratch.rowBase, qOut = scratch.rowQ, nuOut = scratch.binNu, out = scratch.slotOut;
  const nC = model.C;
  const totalBins = model.totalBins;
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

/**
 * Loads local parameters, monomials, factor slots and histosys weights; fills rowBase, rowQ,
 * groupF, binNu. With `withGradient` every slot also gets its derivatives (for `derivatives.ts`).
 */
export function evaluateYields(model: CompiledBinnedModel, scratch: BinnedScratch, params: Float64Array, index: Int32Array, scale: number, withGradient: boolean, withHessian: boolean): void {
  loadParameters(model, scratch, params, index, withGradient, withHessian);
  if (!withGradient) groupValues(model, scratch);
  else slotDerivatives(model, scratch);
  const weightsOf = histosysWeights;
  const { histosysParams, histosysCode } = model;
  const { local, hw } = scratch;
  for (let h = 0; h < histosysParams.length; h++) {
    const j = histosysParams[h];
    weightsOf(histosysCode, local[j], hw, 6 * j);
  }
  if (withGradient) groupProducts(model, scratch);
  binYields(model, scratch, scale);
}

/** Expected counts per bin (concatenated, a new array) at global parameters `params`. */
export function expectedCounts(model: CompiledBinnedModel, scratch: BinnedScratch, params: Float64Array, index: Int32Array, luminosityScale: number): Float64Array {
  checkScale(model, luminosityScale);
  evaluateYields(model, scratch, params, index, luminosityScale, false, false);
  return Float64Array.from(scratch.binNu);
}
