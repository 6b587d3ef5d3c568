/**
 * The region of phase space a likelihood describes. A learned likelihood's cross section,
 * reference sample and networks are made for the events its analysis selects; an event
 * outside has no density under it (its σ does not count such events), and its networks
 * would extrapolate there. So events outside are refused, never evaluated and never
 * silently dropped: the client applies the published selection, which the manifest states
 * per observable (`observables[].selection`).
 */
import { DatasetError } from './term.js';

/** min ≤ x ≤ max; either bound may be absent. */
export interface ObservableSelection {
  readonly min?: number;
  readonly max?: number;
}

/** Per observable name, its selection; observables not named are not restricted. */
export type Selection = Readonly<Record<string, ObservableSelection>>;

export class SelectionError extends DatasetError {}

/** "150 ≤ m_ll ≤ 6000", "p_T ≥ 25". */
export function selectionText(name: string, { min, max }: ObservableSelection): string {
  if (min !== undefined && max !== undefined) return `${min} ≤ ${name} ≤ ${max}`;
  return min !== undefined ? `${name} ≥ ${min}` : `${name} ≤ ${max}`;
}

type Check = { name: string; column: number; lo: number; hi: number };

const checksOf = (observables: readonly string[], selection: Selection): Check[] =>
  observables.flatMap((name, column) => (selection[name] ? [{ name, column, lo: selection[name].min ?? -Infinity, hi: selection[name].max ?? Infinity }] : []));

/** The first check event i fails, or null when it lies inside. */
function failedCheck(values: ArrayLike<number>, i: number, D: number, checks: readonly Check[]): Check | null {
  for (const check of checks) {
    const value = values[i * D + check.column];
    if (!(value >= check.lo && value <= check.hi)) return check;
  }
  return null;
}

/** The rows of `count` events (row-major, columns `observables`) that lie inside `selection`. */
export function rowsInsideSelection(values: ArrayLike<number>, count: number, observables: readonly string[], selection: Selection): Int32Array {
  const checks = checksOf(observables, selection);
  const rows = new Int32Array(count);
  let n = 0;
  for (let i = 0; i < count; i++) if (!failedCheck(values, i, observables.length, checks)) rows[n++] = i;
  return rows.slice(0, n);
}

/**
 * Throws a SelectionError at [...path, event, column] if any of `count` events (rows of
 * `observables`, row-major) lies outside `selection`, saying how many do and the first.
 */
export function assertInsideSelection(values: ArrayLike<number>, count: number, observables: readonly string[], selection: Selection, path: (string | number)[]): void {
  const checks = checksOf(observables, selection);
  if (checks.length === 0) return;
  let outside = 0;
  let first: { event: number; check: Check } | null = null;
  for (let i = 0; i < count; i++) {
    const check = failedCheck(values, i, observables.length, checks);
    if (!check) continue;
    outside++;
    first ??= { event: i, check };
  }
  if (!first) return;
  const { event, check } = first;
  throw new SelectionError(
    [...path, event, check.column],
    `${outside} of ${count} events lie outside the selection this likelihood describes; the first is event ${event}, with ${check.name} = ${values[event * observables.length + check.column]} where ${selectionText(check.name, selection[check.name])}. Its cross section and networks describe only selected events: apply the manifest's observables[].selection before submitting`,
  );
}
