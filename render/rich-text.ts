/**
 * Physicists' plain-text notation for sub- and superscripts, `E_T^miss`, `C_lq^(1)`, `m_ℓℓ`,
 * `p_{T,ℓ}`, read into runs of text and drawn as HTML (<sub>, <sup>) or SVG (<tspan>). Manifests
 * are written in this notation because they are JSON; the pages must not show it raw.
 *
 * A subscript needs a one-letter base (accents allowed: `q̃_μ`) that starts a word (`m_ℓℓ`, `C_eu`), so identifiers such
 * as `mu_SIG` or `atlas_sbottom_RegionA.json` stay as they are. Its body is `{…}` or one to four
 * letters and digits; not after `/`, `.`, `:` or `-`, so paths and URLs stay intact. A superscript follows any character: `^{…}`, `^(…)` or an optionally
 * signed run of up to five letters and digits (`^miss`, `^-1`, `^2`).
 */
import { html } from 'hono/html';

export interface TextRun {
  text: string;
  shift: 'sub' | 'sup' | null;
}

const SUBSCRIPT = /(?<![\p{L}\p{N}_./:-])(\p{L}\p{M}*)_(\{[^{}]*\}|[\p{L}\p{N}]{1,4})/uy;
const SUPERSCRIPT = /\^(\{[^{}]*\}|\([^()]*\)|[-+−]?[\p{L}\p{N}]{1,5}|[*+−-])/uy;

/** Drops the braces of `{…}` (they only group); parentheses are kept: `C_lq^(1)` shows them. */
const body = (token: string) => (token.startsWith('{') ? token.slice(1, -1) : token);

/** `E_T^miss` → E, T (sub), miss (sup); runs of the same shift are merged. */
export function textRuns(text: string): TextRun[] {
  const runs: TextRun[] = [];
  const push = (piece: string, shift: TextRun['shift']) => {
    if (!piece) return;
    const last = runs.at(-1);
    if (last && last.shift === shift) last.text += piece;
    else runs.push({ text: piece, shift });
  };
  let i = 0;
  while (i < text.length) {
    SUBSCRIPT.lastIndex = i;
    const sub = SUBSCRIPT.exec(text);
    if (sub) {
      push(sub[1], null);
      push(body(sub[2]), 'sub');
      i = SUBSCRIPT.lastIndex;
      continue;
    }
    SUPERSCRIPT.lastIndex = i;
    const sup = i > 0 ? SUPERSCRIPT.exec(text) : null;
    if (sup) {
      push(body(sup[1]), 'sup');
      i = SUPERSCRIPT.lastIndex;
      continue;
    }
    const ch = String.fromCodePoint(text.codePointAt(i)!);
    push(ch, null);
    i += ch.length;
  }
  return runs;
}

const escape = (text: string) => String(html`${text}`);

/** The text as it reads, without markup (for widths, titles and alt texts). */
export function plainText(text: string): string {
  return textRuns(text)
    .map((r) => r.text)
    .join('');
}

/** Escaped HTML with <sub>/<sup>. */
export function richHtml(text: string): string {
  return textRuns(text)
    .map((r) => (r.shift ? `<${r.shift}>${escape(r.text)}</${r.shift}>` : escape(r.text)))
    .join('');
}

/** Escaped SVG text content with shifted, smaller <tspan>s. */
export function richSvg(text: string): string {
  return textRuns(text)
    .map((r) => (r.shift ? `<tspan baseline-shift="${r.shift === 'sub' ? 'sub' : 'super'}" font-size="75%">${escape(r.text)}</tspan>` : escape(r.text)))
    .join('');
}
