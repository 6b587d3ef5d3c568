/**
 * SVG plots for the result pages and the published figures (functions/ and scripts/ share
 * them): pure functions from data to an SVG string,
 * scales by d3-scale, paths by d3-shape, axes, ticks, labels and legend drawn by hand.
 * No fonts, scripts or anything else from elsewhere; sized for a 640 × 360 view box and
 * scaled to the page's width. Every text is escaped.
 */
import { scaleLinear, type ScaleLinear } from 'd3-scale';
import { area, curveLinearClosed, line } from 'd3-shape';
import { html } from 'hono/html';
import { plainText, richSvg, textRuns } from './rich-text.js';

/** Text for SVG content, escaped by hono's html helper. */
function escapeText(text: string): string {
  return String(html`${text}`);
}

/**
 * The width of a label in a sans-serif face, in ems, from the glyph widths of DejaVu Sans (the
 * widest of the common system faces, Chromium's on Debian): narrow punctuation and i, l, t;
 * m and w; capitals; minus signs and the rest. An estimate that errs wide, so that text laid out
 * by it does not overlap. Sub- and superscripts are set at 75%.
 */
export function textWidthEm(text: string): number {
  let width = 0;
  for (const run of textRuns(text)) {
    let w = 0;
    for (const ch of run.text) {
      if (/[ .,:;'|!ijlIft()[\]]/.test(ch)) w += 0.34;
      else if (/[mwMW−—]/.test(ch)) w += 0.9;
      else if (/[A-Z]/.test(ch)) w += 0.74;
      else w += 0.64;
    }
    width += run.shift ? 0.75 * w : w;
  }
  return width;
}

/** Okabe–Ito colours (distinguishable with the common colour-vision deficiencies). */
export const COLORS = {
  black: '#000000',
  blue: '#0072B2',
  sky: '#56B4E9',
  orange: '#E69F00',
  vermilion: '#D55E00',
  green: '#009E73',
  purple: '#CC79A7',
  grey: '#6e7781',
} as const;

export type Point = readonly [number, number];

export interface Series {
  points: readonly Point[];
  color: string;
  width?: number;
  /** SVG stroke-dasharray, e.g. "6 4" */
  dash?: string;
  label?: string;
}

export interface Band {
  x: readonly number[];
  lower: readonly number[];
  upper: readonly number[];
  color: string;
  opacity?: number;
  label?: string;
}

export interface HLine {
  y: number;
  /** a short label right of the frame */
  label?: string;
  color?: string;
  dash?: string;
}

/** A shaded range of x over the full height (e.g. a confidence interval). */
export interface Span {
  from: number;
  to: number;
  color: string;
  opacity: number;
  label?: string;
}

export interface Marker {
  x: number;
  y: number;
  shape: 'cross' | 'diamond' | 'circle';
  color: string;
  label?: string;
}

interface Frame {
  id: string;
  width?: number;
  height?: number;
  xDomain: readonly [number, number];
  yDomain: readonly [number, number];
  xLabel: string;
  yLabel: string;
  /** accessible title and description of the figure */
  title: string;
  description?: string;
  /** room right of the frame (for the labels of horizontal lines); default 18 */
  rightMargin?: number;
  /** x tick positions (default: about 8 round numbers) and their labels */
  xTicks?: readonly number[];
  xTickLabel?: (t: number) => string;
  /** y tick positions (default: about 6 round numbers) and their labels */
  yTicks?: readonly number[];
  yTickLabel?: (t: number) => string;
}

export interface LinePlotOptions extends Frame {
  series: readonly Series[];
  bands?: readonly Band[];
  hlines?: readonly HLine[];
  spans?: readonly Span[];
  markers?: readonly Marker[];
}

export interface ContourLayer {
  /** polygons, each an outer ring followed by its holes, in data coordinates */
  polygons: readonly (readonly (readonly Point[])[])[];
  color: string;
  width?: number;
  dash?: string;
  fillOpacity?: number;
  label?: string;
}

export interface ContourPlotOptions extends Frame {
  layers: readonly ContourLayer[];
  markers?: readonly Marker[];
}

interface LegendItem {
  kind: 'line' | 'fill' | 'marker';
  color: string;
  dash?: string;
  width?: number;
  opacity?: number;
  shape?: Marker['shape'];
  label: string;
}

const FONT = 'font-family="system-ui,-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif"';
const num = (v: number) => String(Math.round(v * 100) / 100);

/** Legend rows laid out in the top margin; returns the markup and the height used. */
function legend(items: readonly LegendItem[], left: number, right: number): { svg: string; height: number } {
  if (!items.length) return { svg: '', height: 0 };
  const rows: { item: LegendItem; x: number }[][] = [[]];
  let x = left;
  for (const item of items) {
    const w = 30 + 12.5 * textWidthEm(item.label) + 18;
    if (x + w > right && rows.at(-1)!.length) {
      rows.push([]);
      x = left;
    }
    rows.at(-1)!.push({ item, x });
    x += w;
  }
  const parts: string[] = [];
  rows.forEach((row, r) => {
    const y = 16 + 18 * r;
    for (const { item, x } of row) {
      if (item.kind === 'line') parts.push(`<line x1="${num(x)}" x2="${num(x + 24)}" y1="${y}" y2="${y}" stroke="${item.color}" stroke-width="${item.width ?? 2}"${item.dash ? ` stroke-dasharray="${item.dash}"` : ''}/>`);
      else if (item.kind === 'fill') parts.push(`<rect x="${num(x)}" y="${y - 6}" width="24" height="12" fill="${item.color}" fill-opacity="${item.opacity ?? 0.3}" stroke="${item.color}" stroke-opacity="0.6"/>`);
      else parts.push(markerShape(x + 12, y, item.shape ?? 'circle', item.color));
      parts.push(`<text x="${num(x + 30)}" y="${y + 4}" font-size="12.5" fill="#1b1f24">${richSvg(item.label)}</text>`);
    }
  });
  return { svg: `<g class="legend">${parts.join('')}</g>`, height: 18 * rows.length + 8 };
}

function markerShape(x: number, y: number, shape: Marker['shape'], color: string): string {
  if (shape === 'cross') return `<path d="M${num(x - 6)},${num(y)}H${num(x + 6)}M${num(x)},${num(y - 6)}V${num(y + 6)}" stroke="${color}" stroke-width="2.5"/>`;
  if (shape === 'diamond') return `<path d="M${num(x)},${num(y - 6)}L${num(x + 6)},${num(y)}L${num(x)},${num(y + 6)}L${num(x - 6)},${num(y)}Z" fill="#fff" stroke="${color}" stroke-width="2"/>`;
  return `<circle cx="${num(x)}" cy="${num(y)}" r="4.5" fill="${color}" stroke="#fff" stroke-width="1"/>`;
}

interface Axes {
  x: ScaleLinear<number, number>;
  y: ScaleLinear<number, number>;
  open: string;
  axes: string;
  close: string;
  clip: string;
}

/** The frame of a plot: view box, legend, axes with ticks, grid and labels, and a clip path for the data. */
function frame(options: Frame, items: readonly LegendItem[]): Axes {
  const width = options.width ?? 640;
  const height = options.height ?? 360;
  // the y ticks' labels decide the left margin: the rotated axis label (x ≈ 4…24 with a subscript) must clear the widest
  const yTicks = scaleLinear().domain([options.yDomain[0], options.yDomain[1]]);
  const yFormat = yTicks.tickFormat(6);
  const widest = Math.max(0, ...yTicks.ticks(6).map((t) => textWidthEm(yFormat(t))));
  const margin = { left: Math.max(62, Math.ceil(36 + 12.5 * widest)), right: options.rightMargin ?? 18, bottom: 48 };
  const key = legend(items, margin.left, width - margin.right);
  const top = Math.max(14, key.height + 4);
  const x = scaleLinear().domain([options.xDomain[0], options.xDomain[1]]).range([margin.left, width - margin.right]);
  const y = yTicks.range([height - margin.bottom, top]);
  const [x0, x1] = x.range();
  const [y0, y1] = y.range();
  const parts: string[] = [];
  const xFormat = options.xTickLabel ?? x.tickFormat(8);
  for (const t of options.xTicks ?? x.ticks(8)) {
    const px = num(x(t));
    parts.push(`<line x1="${px}" x2="${px}" y1="${num(y1)}" y2="${num(y0)}" stroke="#eaeef2"/>`);
    parts.push(`<line x1="${px}" x2="${px}" y1="${num(y0)}" y2="${num(y0 + 5)}" stroke="#57606a"/>`);
    parts.push(`<text class="tick" x="${px}" y="${num(y0 + 19)}" text-anchor="middle" font-size="12.5" fill="#1b1f24">${escapeText(xFormat(t))}</text>`);
  }
  for (const t of options.yTicks ?? y.ticks(6)) {
    const py = num(y(t));
    parts.push(`<line x1="${num(x0)}" x2="${num(x1)}" y1="${py}" y2="${py}" stroke="#eaeef2"/>`);
    parts.push(`<line x1="${num(x0 - 5)}" x2="${num(x0)}" y1="${py}" y2="${py}" stroke="#57606a"/>`);
    parts.push(`<text class="tick" x="${num(x0 - 8)}" y="${num(y(t) + 4)}" text-anchor="end" font-size="12.5" fill="#1b1f24">${escapeText(options.yTickLabel ? options.yTickLabel(t) : yFormat(t))}</text>`);
  }
  const grid = parts.join('');
  const box = `<rect x="${num(x0)}" y="${num(y1)}" width="${num(x1 - x0)}" height="${num(y0 - y1)}" fill="none" stroke="#57606a"/>`;
  const labels =
    `<text class="axis-label" x="${num((x0 + x1) / 2)}" y="${height - 8}" text-anchor="middle" font-size="14" fill="#1b1f24">${richSvg(options.xLabel)}</text>` +
    `<text class="axis-label" transform="translate(16 ${num((y0 + y1) / 2)}) rotate(-90)" text-anchor="middle" font-size="14" fill="#1b1f24">${richSvg(options.yLabel)}</text>`;
  const clip = `${options.id}-clip`;
  const titleId = `${options.id}-title`;
  const descId = `${options.id}-desc`;
  const open =
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-labelledby="${titleId}${options.description ? ` ${descId}` : ''}" ${FONT}>` +
    `<title id="${titleId}">${escapeText(plainText(options.title))}</title>` +
    (options.description ? `<desc id="${descId}">${escapeText(plainText(options.description))}</desc>` : '') +
    `<defs><clipPath id="${clip}"><rect x="${num(x0)}" y="${num(y1)}" width="${num(x1 - x0)}" height="${num(y0 - y1)}"/></clipPath></defs>` +
    `<rect width="${width}" height="${height}" fill="#fff"/>` +
    grid;
  return { x, y, open, axes: box + labels + key.svg, close: '</svg>', clip };
}

/** Finite points only, with breaks where a value is missing (NaN/∞). */
const finitePoint = (p: Point) => Number.isFinite(p[0]) && Number.isFinite(p[1]);

/**
 * A line plot: shaded x-spans, bands, curves, horizontal reference lines with labels at the
 * right edge, and markers; data outside the y domain are clipped at the frame.
 */
export function linePlot(options: LinePlotOptions): string {
  const items: LegendItem[] = [
    ...options.series.filter((s) => s.label).map((s) => ({ kind: 'line' as const, color: s.color, dash: s.dash, width: s.width, label: s.label! })),
    ...(options.bands ?? []).filter((b) => b.label).map((b) => ({ kind: 'fill' as const, color: b.color, opacity: b.opacity, label: b.label! })),
    ...dedupe((options.spans ?? []).filter((s) => s.label).map((s) => ({ kind: 'fill' as const, color: s.color, opacity: s.opacity, label: s.label! }))),
    ...(options.markers ?? []).filter((m) => m.label).map((m) => ({ kind: 'marker' as const, color: m.color, shape: m.shape, label: m.label! })),
  ];
  const labelled = (options.hlines ?? []).filter((h) => h.label);
  const rightMargin = labelled.length ? Math.max(18, 12 + 12.5 * Math.max(...labelled.map((h) => textWidthEm(h.label!)))) : undefined;
  const { x, y, open, axes, close, clip } = frame({ rightMargin, ...options }, items);
  const [y0, y1] = y.range();
  const [x0, x1] = x.range();
  const clamp = (v: number) => Math.min(Math.max(v, x.domain()[0]), x.domain()[1]);
  const parts: string[] = [open, `<g clip-path="url(#${clip})">`];
  for (const s of options.spans ?? []) {
    const a = x(clamp(Math.min(s.from, s.to)));
    const b = x(clamp(Math.max(s.from, s.to)));
    parts.push(`<rect x="${num(a)}" y="${num(y1)}" width="${num(Math.max(b - a, 0.5))}" height="${num(y0 - y1)}" fill="${s.color}" fill-opacity="${s.opacity}"/>`);
  }
  for (const b of options.bands ?? []) {
    const rows = b.x.map((xv, k) => [xv, b.lower[k], b.upper[k]] as const);
    const d = area<(typeof rows)[number]>()
      .defined((r) => Number.isFinite(r[0]) && Number.isFinite(r[1]) && Number.isFinite(r[2]))
      .x((r) => x(r[0]))
      .y0((r) => y(r[1]))
      .y1((r) => y(r[2]))
      .digits(2)(rows);
    if (d) parts.push(`<path d="${d}" fill="${b.color}" fill-opacity="${b.opacity ?? 0.3}" stroke="none"/>`);
  }
  for (const h of options.hlines ?? []) {
    const py = num(y(h.y));
    parts.push(`<line x1="${num(x0)}" x2="${num(x1)}" y1="${py}" y2="${py}" stroke="${h.color ?? COLORS.grey}" stroke-width="1.3" stroke-dasharray="${h.dash ?? '5 4'}"/>`);
  }
  for (const s of options.series) {
    const d = line<Point>()
      .defined(finitePoint)
      .x((p) => x(p[0]))
      .y((p) => y(p[1]))
      .digits(2)(s.points);
    if (d) parts.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="${s.width ?? 2.2}" stroke-linejoin="round"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}/>`);
  }
  parts.push('</g>');
  for (const h of options.hlines ?? []) {
    if (!h.label || h.y < y.domain()[0] || h.y > y.domain()[1]) continue;
    parts.push(`<text x="${num(x1 + 5)}" y="${num(y(h.y) + 4)}" font-size="12.5" fill="${h.color ?? COLORS.grey}">${richSvg(h.label)}</text>`);
  }
  for (const m of options.markers ?? []) {
    if (m.x < x.domain()[0] || m.x > x.domain()[1] || m.y < y.domain()[0] || m.y > y.domain()[1]) continue;
    parts.push(markerShape(x(m.x), y(m.y), m.shape, m.color));
  }
  parts.push(axes, close);
  return parts.join('');
}

/** A 2-D plot of confidence regions: each layer's polygons (with holes) as filled/outlined paths, plus markers. */
export function contourPlot(options: ContourPlotOptions): string {
  const items: LegendItem[] = [
    ...options.layers.filter((l) => l.label).map((l) => ({ kind: 'line' as const, color: l.color, dash: l.dash, width: l.width, label: l.label! })),
    ...(options.markers ?? []).filter((m) => m.label).map((m) => ({ kind: 'marker' as const, color: m.color, shape: m.shape, label: m.label! })),
  ];
  const { x, y, open, axes, close, clip } = frame(options, items);
  const ring = line<Point>()
    .x((p) => x(p[0]))
    .y((p) => y(p[1]))
    .curve(curveLinearClosed)
    .digits(2);
  const parts: string[] = [open, `<g clip-path="url(#${clip})">`];
  for (const layer of options.layers) {
    const d = layer.polygons.flatMap((polygon) => polygon.map((r) => ring(r as Point[]) ?? '')).join('');
    if (!d) continue;
    parts.push(
      `<path d="${d}" fill="${layer.color}" fill-opacity="${layer.fillOpacity ?? 0}" fill-rule="evenodd" stroke="${layer.color}" stroke-width="${layer.width ?? 2}" stroke-linejoin="round"${layer.dash ? ` stroke-dasharray="${layer.dash}"` : ''}/>`,
    );
  }
  parts.push('</g>');
  for (const m of options.markers ?? []) {
    if (m.x < x.domain()[0] || m.x > x.domain()[1] || m.y < y.domain()[0] || m.y > y.domain()[1]) continue;
    parts.push(markerShape(x(m.x), y(m.y), m.shape, m.color));
  }
  parts.push(axes, close);
  return parts.join('');
}

function dedupe<T extends { label: string }>(items: T[]): T[] {
  const seen = new Set<string>();
  return items.filter((i) => (seen.has(i.label) ? false : (seen.add(i.label), true)));
}

export interface HistogramPlotOptions extends Omit<Frame, 'xDomain' | 'yDomain'> {
  /** filled contributions stacked bottom-up, one value per bin */
  stacks: readonly { label: string; color: string; values: readonly number[] }[];
  /** totals drawn as step lines */
  lines?: readonly { label: string; color: string; dash?: string; values: readonly number[] }[];
  /** data points with vertical error bars, at the bin centres */
  points?: { label: string; color: string; values: readonly number[]; errors: readonly number[] };
  /** shaded ±error bands around per-bin values (a total's uncertainty) */
  bands?: readonly { label: string; color: string; values: readonly number[]; errors: readonly number[] }[];
  /** the bins' edges as tick labels at the bin boundaries (bins drawn equally wide); without them, the bin index at each centre */
  edges?: readonly string[];
}

/** Counts per bin (x = bin index, or the bin edges as labels): stacked contributions, step-line totals and data with error bars. */
export function histogramPlot(options: HistogramPlotOptions): string {
  const n = Math.max(1, ...options.stacks.map((s) => s.values.length), ...(options.lines ?? []).map((l) => l.values.length), options.points?.values.length ?? 0);
  const stackTop = Array.from({ length: n }, (_, b) => options.stacks.reduce((t, s) => t + Math.max(0, s.values[b] ?? 0), 0));
  const tops = [...stackTop, ...(options.lines ?? []).flatMap((l) => l.values), ...(options.points ? options.points.values.map((v, b) => v + options.points!.errors[b]) : []), ...(options.bands ?? []).flatMap((band) => band.values.map((v, b) => v + band.errors[b]))];
  const yMax = Math.max(1e-9, ...tops.filter(Number.isFinite)) * 1.25;
  const items: LegendItem[] = [
    ...(options.points ? [{ kind: 'marker' as const, color: options.points.color, shape: 'circle' as const, label: options.points.label }] : []),
    ...(options.lines ?? []).map((l) => ({ kind: 'line' as const, color: l.color, dash: l.dash, label: l.label })),
    ...(options.bands ?? []).map((b) => ({ kind: 'fill' as const, color: b.color, opacity: 0.3, label: b.label })),
    ...options.stacks.map((s) => ({ kind: 'fill' as const, color: s.color, opacity: 0.75, label: s.label })),
  ];
  // edges at the bin boundaries, or bin numbers at bin centres; every k-th where bins are many
  const step = Math.ceil(n / 12);
  const { edges } = options;
  const ticks = edges
    ? { xTicks: Array.from({ length: Math.ceil(edges.length / step) }, (_, k) => k * step), xTickLabel: (t: number) => edges[t] }
    : { xTicks: Array.from({ length: Math.ceil(n / step) }, (_, k) => k * step + 0.5), xTickLabel: (t: number) => String(t - 0.5) };
  const { x, y, open, axes, close, clip } = frame({ ...ticks, ...options, xDomain: [0, n], yDomain: [0, yMax] }, items);
  const parts: string[] = [open, `<g clip-path="url(#${clip})">`];
  const base = new Array<number>(n).fill(0);
  for (const s of options.stacks) {
    for (let b = 0; b < n; b++) {
      const v = Math.max(0, s.values[b] ?? 0);
      if (v > 0) parts.push(`<rect x="${num(x(b))}" y="${num(y(base[b] + v))}" width="${num(x(b + 1) - x(b))}" height="${num(y(base[b]) - y(base[b] + v))}" fill="${s.color}" fill-opacity="0.75" stroke="#fff" stroke-width="0.5"/>`);
      base[b] += v;
    }
  }
  for (const band of options.bands ?? []) {
    band.values.forEach((v, b) => {
      const e = band.errors[b];
      if (!Number.isFinite(v) || !(e > 0)) return;
      parts.push(`<rect x="${num(x(b))}" y="${num(y(v + e))}" width="${num(x(b + 1) - x(b))}" height="${num(y(Math.max(0, v - e)) - y(v + e))}" fill="${band.color}" fill-opacity="0.3"/>`);
    });
  }
  for (const l of options.lines ?? []) {
    let d = '';
    l.values.forEach((v, b) => {
      if (!Number.isFinite(v)) return;
      d += `${d ? 'L' : 'M'}${num(x(b))},${num(y(v))}H${num(x(b + 1))}`;
    });
    if (d) parts.push(`<path d="${d}" fill="none" stroke="${l.color}" stroke-width="2"${l.dash ? ` stroke-dasharray="${l.dash}"` : ''}/>`);
  }
  parts.push('</g>');
  if (options.points) {
    const { values, errors, color } = options.points;
    values.forEach((v, b) => {
      const cx = x(b + 0.5);
      parts.push(`<line x1="${num(cx)}" x2="${num(cx)}" y1="${num(y(Math.max(0, v - errors[b])))}" y2="${num(y(Math.min(yMax, v + errors[b])))}" stroke="${color}" stroke-width="1.5"/>`);
      parts.push(markerShape(cx, y(v), 'circle', color));
    });
  }
  parts.push(axes, close);
  return parts.join('');
}

export interface HeatmapPlotOptions extends Frame {
  /** rectangles in data coordinates, coloured by value from white (0) to `color` (the maximum) */
  cells: readonly { x0: number; x1: number; y0: number; y1: number; value: number; text?: string }[];
  color: string;
  /** what the colour means, for the legend */
  valueLabel: string;
}

/** Cells shaded by a non-negative value (linear scale from white), with optional text in each cell. */
export function heatmapPlot(options: HeatmapPlotOptions): string {
  const max = Math.max(1e-300, ...options.cells.map((c) => c.value).filter(Number.isFinite));
  const { x, y, open, axes, close, clip } = frame(options, [{ kind: 'fill', color: options.color, opacity: 1, label: `${options.valueLabel} (white 0 … full ${Number(max.toPrecision(3))})` }]);
  const parts: string[] = [open, `<g clip-path="url(#${clip})">`];
  for (const c of options.cells) {
    const opacity = Math.max(0, Math.min(1, c.value / max));
    const [px0, px1] = [x(c.x0), x(c.x1)];
    const [py0, py1] = [y(c.y1), y(c.y0)];
    parts.push(`<rect x="${num(px0)}" y="${num(py0)}" width="${num(px1 - px0)}" height="${num(py1 - py0)}" fill="${options.color}" fill-opacity="${num(opacity)}" stroke="#d0d7de" stroke-width="0.6"/>`);
    if (c.text) parts.push(`<text x="${num((px0 + px1) / 2)}" y="${num((py0 + py1) / 2 + 3.5)}" text-anchor="middle" font-size="9.5" fill="${opacity > 0.6 ? '#fff' : '#1b1f24'}">${escapeText(c.text)}</text>`);
  }
  parts.push('</g>', axes, close);
  return parts.join('');
}

export interface RowPlotOptions {
  id: string;
  title: string;
  description?: string;
  xLabel: string;
  /** one row per label, top to bottom: a point with an error bar, and/or bars from → to (outline: unfilled) */
  rows: readonly { label: string; point?: { value: number; lo: number; hi: number }; bars?: readonly { from: number; to: number; color: string; outline?: boolean }[] }[];
  /** vertical bands across every row (e.g. ±1σ and ±2σ) */
  spans?: readonly { from: number; to: number; color: string; opacity: number; label?: string }[];
  /** legend entries for the bars and points */
  legend?: readonly { kind: 'fill' | 'marker'; color: string; label: string; opacity?: number }[];
  xDomain?: readonly [number, number];
}

/** Labelled rows against one x axis (pulls, impacts): points with error bars, bars, vertical bands. */
export function rowPlot(options: RowPlotOptions): string {
  const width = 640;
  const rowHeight = 18;
  const values = options.rows.flatMap((r) => [...(r.point ? [r.point.lo, r.point.hi, r.point.value] : []), ...(r.bars ?? []).flatMap((b) => [b.from, b.to])]).filter(Number.isFinite);
  const spanValues = (options.spans ?? []).flatMap((s) => [s.from, s.to]);
  const [lo, hi] = options.xDomain ?? [Math.min(0, ...values, ...spanValues), Math.max(0, ...values, ...spanValues)];
  const left = Math.ceil(16 + 11.5 * Math.max(4, ...options.rows.map((r) => textWidthEm(r.label))));
  const items: LegendItem[] = [...(options.spans ?? []).filter((s) => s.label).map((s) => ({ kind: 'fill' as const, color: s.color, opacity: s.opacity, label: s.label! })), ...(options.legend ?? [])];
  const key = legend(items, left, width - 18);
  const top = Math.max(10, key.height + 4);
  const height = top + rowHeight * options.rows.length + 46;
  const pad = 0.05 * (hi - lo || 1);
  const x = scaleLinear().domain([lo - pad, hi + pad]).range([left, width - 18]).nice();
  const [x0, x1] = x.range();
  const y1 = top + rowHeight * options.rows.length;
  const parts: string[] = [];
  for (const s of options.spans ?? []) parts.push(`<rect x="${num(x(s.from))}" y="${top}" width="${num(x(s.to) - x(s.from))}" height="${num(y1 - top)}" fill="${s.color}" fill-opacity="${s.opacity}"/>`);
  for (const t of x.ticks(5)) {
    parts.push(`<line x1="${num(x(t))}" x2="${num(x(t))}" y1="${top}" y2="${num(y1 + 5)}" stroke="${t === 0 ? '#57606a' : '#eaeef2'}"/>`);
    parts.push(`<text class="tick" x="${num(x(t))}" y="${num(y1 + 19)}" text-anchor="middle" font-size="12.5" fill="#1b1f24">${escapeText(x.tickFormat(5)(t))}</text>`);
  }
  options.rows.forEach((row, k) => {
    const cy = top + rowHeight * (k + 0.5);
    parts.push(`<text x="${left - 8}" y="${num(cy + 4)}" text-anchor="end" font-size="11.5" fill="#1b1f24">${escapeText(row.label)}</text>`);
    for (const b of row.bars ?? []) {
      if (!Number.isFinite(b.from) || !Number.isFinite(b.to)) continue;
      const [a, c] = [Math.min(x(b.from), x(b.to)), Math.max(x(b.from), x(b.to))];
      parts.push(`<rect x="${num(a)}" y="${num(cy - 6)}" width="${num(Math.max(0.5, c - a))}" height="12" ${b.outline ? `fill="none" stroke="${b.color}" stroke-width="1.5"` : `fill="${b.color}" fill-opacity="0.75"`}/>`);
    }
    if (row.point && Number.isFinite(row.point.value)) {
      if (Number.isFinite(row.point.lo) && Number.isFinite(row.point.hi)) parts.push(`<line x1="${num(x(row.point.lo))}" x2="${num(x(row.point.hi))}" y1="${num(cy)}" y2="${num(cy)}" stroke="#1b1f24" stroke-width="1.5"/>`);
      parts.push(markerShape(x(row.point.value), cy, 'circle', '#1b1f24'));
    }
  });
  const descId = `${options.id}-desc`;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-labelledby="${options.id}-title${options.description ? ` ${descId}` : ''}" ${FONT}>` +
    `<title id="${options.id}-title">${escapeText(plainText(options.title))}</title>` +
    (options.description ? `<desc id="${descId}">${escapeText(plainText(options.description))}</desc>` : '') +
    `<rect width="${width}" height="${height}" fill="#fff"/>${parts.join('')}` +
    `<rect x="${num(x0)}" y="${top}" width="${num(x1 - x0)}" height="${num(y1 - top)}" fill="none" stroke="#57606a"/>` +
    `<text class="axis-label" x="${num((x0 + x1) / 2)}" y="${height - 8}" text-anchor="middle" font-size="14" fill="#1b1f24">${richSvg(options.xLabel)}</text>` +
    `${key.svg}</svg>`
  );
}
