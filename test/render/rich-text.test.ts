import { describe, expect, it } from 'vitest';
import { plainText, richHtml, richSvg, textRuns } from '../../render/rich-text.js';

describe('sub- and superscripts in plain-text notation', () => {
  it('reads the notation of the published manifests', () => {
    expect(textRuns('E_T^miss')).toEqual([
      { text: 'E', shift: null },
      { text: 'T', shift: 'sub' },
      { text: 'miss', shift: 'sup' },
    ]);
    expect(richHtml('C_lq^(1) at Λ = 1 TeV')).toBe('C<sub>lq</sub><sup>(1)</sup> at Λ = 1 TeV');
    expect(richHtml('the reconstructed m_ℓℓ in 9 bins')).toBe('the reconstructed m<sub>ℓℓ</sub> in 9 bins');
    expect(richHtml('p_{T,ℓ} > 15 GeV, x^2')).toBe('p<sub>T,ℓ</sub> &gt; 15 GeV, x<sup>2</sup>');
    expect(richHtml('σ in fb^-1')).toBe('σ in fb<sup>-1</sup>');
    expect(richHtml('q̃_μ or q_μ')).toBe('q̃<sub>μ</sub> or q<sub>μ</sub>');
  });

  it('leaves identifiers, file names and URLs alone', () => {
    for (const text of ['mu_SIG', 'atlas_sbottom_RegionA.json', 'https://example.org/a_b', 'lumi_2018', 'x1_y']) expect(richHtml(text)).toBe(text);
  });

  it('escapes the text inside and outside the shifted runs', () => {
    expect(richHtml('a <b> & E_{<T>}')).toBe('a &lt;b&gt; &amp; E<sub>&lt;T&gt;</sub>');
    expect(richSvg('E_T^miss')).toBe('E<tspan baseline-shift="sub" font-size="75%">T</tspan><tspan baseline-shift="super" font-size="75%">miss</tspan>');
    expect(plainText('C_lq^(1) & p_{T}')).toBe('Clq(1) & pT');
  });

  it('keeps a trailing caret or underscore as text', () => {
    expect(plainText('a^')).toBe('a^');
    expect(plainText('x_')).toBe('x_');
    expect(plainText('^2 at the start')).toBe('^2 at the start');
  });
});
