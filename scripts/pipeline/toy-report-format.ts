/**
 * How the toy results documents (report.ts → docs/gaussian-toys.md, estimators-report.ts →
 * docs/estimators.md) write a manifest's figures: one number format and one coverage lookup.
 */
import type { Manifest } from '../../models/artifact/manifest-schema.js';
import { formatCoverage } from '../../models/inference/coverage.js';

/** A figure in a table: three significant digits (or `digits`), exponential below 1e-3 and from 1e4, '—' when absent. */
export function formatFigure(v: number | undefined, digits = 3): string {
  if (v === undefined) return '—';
  return Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(2) : v.toPrecision(digits);
}

/** The manifest's recorded coverage at level `cl`, formatted (binomial error, or Clopper–Pearson at 0% and 100%), '—' when absent. */
export function recordedCoverage(m: Manifest, cl: number): string {
  const e = (m.validation.coverage ?? []).find((x) => Math.abs(x.cl - cl) < 1e-3);
  return e ? formatCoverage(e) : '—';
}
