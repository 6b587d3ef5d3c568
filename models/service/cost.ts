/**
 * What a request will cost, estimated from the request and the artifact before any work
 * starts (issue 24): the number of −ln L evaluations an operation makes (fits, scans, root
 * finding, ensemble members), priced by the terms' `evaluationUnits`, plus the dense linear
 * algebra of each fit step and the networks that turn submitted events into coefficients.
 * A request over the budget is refused with `too-costly`, the estimate, the limit and what to
 * change; an accepted one then runs under a work meter allowed twice the budget, so a wrong
 * estimate stops the computation instead of holding the isolate.
 *
 * The budget assumes Cloudflare Workers' default CPU limit of 30 s per request (paid plans;
 * `cpu_ms` in wrangler.toml raises it to 5 min): an accepted request is estimated at most 15 s
 * on the machine the constants were calibrated on, and the estimates are never below half the
 * measured time (`npm run bench:cost` prints them side by side), so it finishes within 30 s.
 * Memory: an accepted request's estimated peak stays under 64 MB, half an isolate's 128 MB.
 */
import type { Likelihood } from '../likelihood/likelihood.js';
import type { EvaluationOrder } from '../likelihood/term.js';
import { unbinnedTerms } from '../terms/unbinned.js';
import { metered, WorkLimitError } from '../likelihood/work-meter.js';
import { deadline, tooCostly } from './errors.js';

export interface Budget {
  /** estimated CPU time of one request, ms */
  cpuMs: number;
  /** estimated peak memory of one request, bytes */
  memoryBytes: number;
}

/** The one setting of the cost model: what one request may cost. */
export const DEFAULT_BUDGET: Readonly<Budget> = { cpuMs: 15_000, memoryBytes: 64 * 1024 * 1024 };

let budget: Budget = { ...DEFAULT_BUDGET };

/** Sets the budget (a deployment with a higher CPU limit may allow more); returns the previous one. */
export function setBudget(next: Partial<Budget>): Budget {
  const previous = budget;
  budget = { ...budget, ...next };
  return previous;
}

/** Sees every estimate with the work its computation then counted (the calibration bench). */
export type CostObserver = (estimate: CostEstimate, spentUnits: number) => void;
let observer: CostObserver | null = null;

export function observeCosts(next: CostObserver | null): void {
  observer = next;
}

/**
 * Calibration (`npm run bench:cost`, on this project's 2-core machine): the time of one work
 * unit, and the evaluations a fit makes. Chosen so that no operation on any published
 * likelihood is under-estimated by more than 2×.
 */
export const CALIBRATION = {
  nsPerUnit: 2,
  /** every −ln L evaluation: the call, its context, zeroing the gradient (n) and Hessian (n²) */
  evaluationUnits: 500,
  /** every parameter point of a request: decoding and validating it, its vector, its part of the response */
  pointUnits: 25_000,
  /**
   * Newton iterations (evaluations with a Hessian) of each start of a cold fit; then those of a
   * profile fit started at a neighbour's solution. Counted by `npm run bench:cost` (its "Hessian evals
   * est/made" column) on every published likelihood's default fit: 4-13 a start on most (the networks
   * of (x, θ): 5-10), 15-23 on 1Lbb, dy-smeft-run3(-mll) and tttt-cp-np, 30-40 on tttt-cp and the
   * polynomial Gaussian toys (one start from θ0 takes 80-110 there), 13.6 a start over all of them.
   * 15 keeps every operation's estimate above half its measured time: where fits take more, their
   * evaluations are priced above what they take or are cheap beside a request's fixed cost. 40 was
   * the worst case, and with every start priced like it a fit on a network of (x, θ) was estimated
   * at 14× its time and refused.
   */
  coldIterations: 15,
  warmIterations: 1.5,
  /** Newton iterations of a fit started at another fit's solution (an ensemble member's, from the estimate's: 2-6 measured) */
  memberIterations: 8,
  /** value-only evaluations per iteration (line search, negative-curvature probes): 0.8-1.2 measured, one trial step accepted in most */
  lineSearch: 1.25,
  /** Brent iterations per root (interval ends, contour vertices, limits) */
  brentIterations: 10,
  /** fixed cost of a request (routing, decoding, serialising, code still cold), ms */
  overheadMs: 10,
  /** every fit, whatever its size: its result, the held parameters, the scanner's bookkeeping (dy-smeft-run3-mll's 41 × 41 contour: ~25 µs a fit all told) */
  fitUnits: 10_000,
  /** Newton iterations of a toy's fit, started where the toy was drawn (measured: 4 on pyhf-2bin-shapesys, 9 on sbottom, 13 on 1Lbb) */
  toyIterations: 15,
  /** Newton iterations of an impact's refit, one parameter moved by 1σ from the best fit (1Lbb's 496 refits: 6.2 s measured, 12.4 s estimated) */
  impactIterations: 3,
} as const;

export interface CostEstimate {
  /** work units: what the meter will count */
  units: number;
  /** of which linear algebra and networks, which the meter does not count */
  uncountedUnits: number;
  cpuMs: number;
  memoryBytes: number;
  /** −ln L evaluations assumed at orders 0, 1 and 2 (the bench sets them beside those made) */
  evaluations: [number, number, number];
}

/** The events each unbinned term's data will hold: the reference sample (Asimov), the published events, or the submitted ones. */
export type EventCounts = (termName: string) => number;

/** The sizes a likelihood's evaluations cost, for data with the given events. */
export interface LikelihoodSizes {
  /** units of one evaluation at each order: of the estimate (variant 0), and of one ensemble member */
  evaluation: [number, number, number];
  memberEvaluation: [number, number, number];
  /** free parameters of a fit (n) */
  free: number;
  parameters: number;
  variants: number;
  /** free parameters of interest: a cold fit starts at 1 + 2 × these points */
  freeInterest: number;
}

export function likelihoodSizes(likelihood: Likelihood, events: EventCounts): LikelihoodSizes {
  const evaluation: [number, number, number] = [0, 0, 0];
  const memberEvaluation: [number, number, number] = [0, 0, 0];
  for (const { term } of likelihood.terms) {
    for (const order of [0, 1, 2] as EvaluationOrder[]) {
      evaluation[order] += term.evaluationUnits(order, events(term.name));
      memberEvaluation[order] += term.evaluationUnits(order, events(term.name), likelihood.variants > 1 ? 1 : 0);
    }
  }
  const free = likelihood.parameters.filter((p) => !p.fixed).length;
  const freeInterest = likelihood.parameters.slice(0, likelihood.interest).filter((p) => !p.fixed).length;
  return { evaluation, memberEvaluation, free, parameters: likelihood.parameters.length, variants: likelihood.variants, freeInterest };
}

/** The events of every unbinned term for a dataset: `asimov` (the reference samples), `observed`, or `submitted` events. */
export function eventCounts(likelihood: Likelihood, data: 'asimov' | 'observed' | { submitted: number }): EventCounts {
  const counts = new Map(unbinnedTerms(likelihood).map((t) => [t.name, data === 'asimov' ? t.referenceCount : data === 'observed' ? t.observedCount : data.submitted]));
  return (name) => counts.get(name) ?? 0;
}

/** The cost of work that evaluates no likelihood (a density, a summary of submitted jets): units and memory only. */
export function plainCost(units: number, memoryBytes = 0): Cost {
  return new Cost({ evaluation: [0, 0, 0], memberEvaluation: [0, 0, 0], free: 0, parameters: 0, variants: 1, freeInterest: 0 }).other(units, memoryBytes);
}

/** A cost accumulated from evaluations and fits. */
export class Cost {
  units = 0;
  uncounted = 0;
  memory = 0;
  /** the evaluations counted in, at each order */
  readonly counts: [number, number, number] = [0, 0, 0];

  constructor(readonly sizes: LikelihoodSizes) {}

  /** `count` evaluations of the estimate, or of ensemble members (`member`) */
  evaluations(count: number, order: EvaluationOrder, member = false): this {
    const n = this.sizes.parameters;
    this.counts[order] += count;
    this.units += count * (member ? this.sizes.memberEvaluation : this.sizes.evaluation)[order];
    this.uncounted += count * (CALIBRATION.evaluationUnits + [0, n, n * n][order]);
    return this;
  }

  /** The per-point work of a request with `count` parameter points. */
  points(count: number): this {
    this.uncounted += count * CALIBRATION.pointUnits;
    return this;
  }

  /** `count` fits of `iterations` Newton steps each, from `starts` starting points, of the estimate or of ensemble members. */
  fits(count: number, iterations: number, starts = 1, member = false): this {
    const steps = count * starts * iterations;
    this.evaluations(steps, 2, member).evaluations(steps * CALIBRATION.lineSearch, 0, member);
    // per step: Cholesky factors of the free parameters' Hessian (damping may take several),
    // at times its eigenvectors, and the step's bookkeeping
    this.uncounted += steps * (this.sizes.free ** 3 + 20 * this.sizes.free ** 2 + 5000) + count * starts * CALIBRATION.fitUnits;
    // the Hessian, its factor and the covariance, n² doubles each
    this.memory = Math.max(this.memory, 4 * 8 * this.sizes.parameters ** 2);
    return this;
  }

  /** A fit from the likelihood's initial point, with the multi-start over the parameters of interest (less `pinned` of them, held). */
  coldFit(count = 1, multiStart = true, pinned = 0, member = false): this {
    return this.fits(count, CALIBRATION.coldIterations, multiStart ? 1 + 2 * Math.max(0, this.sizes.freeInterest - pinned) : 1, member);
  }

  /** The fits of ensemble members, each started at the estimate's solution. */
  memberFits(count: number): this {
    return this.fits(count, CALIBRATION.memberIterations, 1, true);
  }

  /** The spread starts alone of `count` multi-start fits whose first start is warm (`pinned` parameters of interest held), of the estimate or of ensemble members. */
  spreadStarts(count: number, pinned = 0, member = false): this {
    return this.fits(count, CALIBRATION.coldIterations, 2 * Math.max(0, this.sizes.freeInterest - pinned), member);
  }

  /**
   * Profile fits started at a neighbour's solution, of the estimate or of ensemble members. (Where
   * nothing is left free, a scan of a one-parameter likelihood, such a fit is one evaluation with
   * the Hessian and 1.4-1.7 value-only probes, fewer than priced here; the margin covers the
   * Gaussian toys' polynomial terms, whose evaluations in those scans take up to twice their price.)
   */
  warmFits(count: number, member = false): this {
    return this.fits(count, CALIBRATION.warmIterations, 1, member);
  }

  /** Another cost's work added to this one (its memory held at the same time). */
  add(other: Cost): this {
    this.units += other.units;
    this.uncounted += other.uncounted;
    this.memory = Math.max(this.memory, other.memory);
    for (const order of [0, 1, 2] as const) this.counts[order] += other.counts[order];
    return this;
  }

  other(units: number, memoryBytes = 0): this {
    this.uncounted += units;
    this.memory += memoryBytes;
    return this;
  }

  estimate(): CostEstimate {
    const all = this.units + this.uncounted;
    return { units: this.units, uncountedUnits: this.uncounted, cpuMs: CALIBRATION.overheadMs + (all * CALIBRATION.nsPerUnit) / 1e6, memoryBytes: this.memory, evaluations: [...this.counts] };
  }
}

/** What to change, given the fraction of the request that fits the budget (e.g. 0.25: a quarter of the points). */
export type Advice = string | ((fraction: number) => string);

/** Refuses an estimate over the budget with what to change; returns the meter's allowance: the counted work of twice the budget. */
export function affordable(estimate: CostEstimate, advice: Advice): number {
  const fraction = Math.min(budget.cpuMs / estimate.cpuMs, budget.memoryBytes / estimate.memoryBytes);
  const what = typeof advice === 'string' ? advice : advice(fraction);
  const seconds = (ms: number) => `${(ms / 1000).toPrecision(3)} s`;
  const mb = (bytes: number) => `${(bytes / 2 ** 20).toPrecision(3)} MB`;
  if (estimate.cpuMs > budget.cpuMs) {
    throw tooCostly('too-costly', `this request would take about ${seconds(estimate.cpuMs)} of CPU; one request may take ${seconds(budget.cpuMs)}: ${what}`, []);
  }
  if (estimate.memoryBytes > budget.memoryBytes) {
    throw tooCostly('too-costly', `this request would hold about ${mb(estimate.memoryBytes)} in memory; one request may hold ${mb(budget.memoryBytes)}: ${what}`, []);
  }
  // not twice the estimate: a fit may take more iterations than assumed and still finish well within the limit
  return (2 * budget.cpuMs * 1e6) / CALIBRATION.nsPerUnit;
}

/**
 * Runs `f` if `cost` is within the budget (else `too-costly` with `advice`), under a work meter
 * allowed twice the budget; a computation stopped by the meter is a `deadline` failure.
 */
export function budgeted<T>(cost: Cost, advice: Advice, f: () => T): T {
  const estimate = cost.estimate();
  const allowance = affordable(estimate, advice);
  try {
    const { result, spent } = metered(allowance, 2 * budget.cpuMs, f);
    observer?.(estimate, spent);
    return result;
  } catch (error) {
    if (error instanceof WorkLimitError) throw deadline(`the computation was stopped: ${error.message}, twice the budget of one request (estimated ${(estimate.cpuMs / 1000).toPrecision(3)} s); ${typeof advice === 'string' ? advice : advice(0.5)}`);
    throw error;
  }
}

/**
 * Runs `f`, whose cost cannot be estimated ahead (a result page's scans), under a meter
 * allowed the whole budget: past it the computation stops as a `deadline` failure.
 */
export function withinBudget<T>(what: string, f: () => T): T {
  try {
    return metered((2 * budget.cpuMs * 1e6) / CALIBRATION.nsPerUnit, 2 * budget.cpuMs, f).result;
  } catch (error) {
    if (error instanceof WorkLimitError) throw deadline(`${what} was stopped at the budget of one request (${budget.cpuMs / 1000} s of CPU): ${error.message}`);
    throw error;
  }
}

/** Advice for a request of `count` things (points, values, events): about how many fit the budget. */
export function fewer(what: string, count: number, root = 1): Advice {
  return (fraction) => `ask for fewer ${what}: about ${Math.max(1, Math.floor(count * fraction ** (1 / root) * 0.9))} of the ${count} would fit`;
}

/**
 * The grid a request gets when it names none: `preferred` points, or, where that would be over
 * the budget, the largest count from `minimum` up that fits (so that requests sent with the
 * defaults keep working on every likelihood; the response shows the grid used).
 */
export function defaultPoints(preferred: number, minimum: number, costOf: (points: number) => Cost): number {
  return largestAffordable(preferred, minimum, costOf) ?? minimum;
}

/** The largest count from `preferred` down to `minimum` whose cost fits the budget, or null where none does. */
export function largestAffordable(preferred: number, minimum: number, costOf: (points: number) => Cost): number | null {
  for (let points = preferred; points >= minimum; points--) if (costOf(points).estimate().cpuMs <= budget.cpuMs) return points;
  return null;
}
