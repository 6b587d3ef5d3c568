/**
 * The data of a binned term: observed (or toy, or Asimov) counts of all channels
 * concatenated, with the auxiliary data of its constraints; and the conversions between
 * counts per channel name (as published and as clients submit them) and concatenated counts.
 */
import { DatasetError } from '../../likelihood/term.js';
import type { BinnedChannel } from './compile.js';

/** Observed (or toy, or Asimov) data of a binned term. */
export interface BinnedData {
  /** all channels' bins concatenated in channel order */
  counts: Float64Array;
  /** auxiliary data, one per constraint, in the term's `constraints` order */
  aux: Float64Array;
}

/** Concatenated per-bin values (counts, expected yields) split by channel name. */
export function countsByChannel(channels: readonly BinnedChannel[], values: ArrayLike<number>): Record<string, number[]> {
  return Object.fromEntries(channels.map((c) => [c.name, Array.from({ length: c.bins }, (_, b) => values[c.offset + b])]));
}

/** Counts per channel name as the term's concatenated counts; `DatasetError` paths are relative to `path`. */
export function channelCounts(channels: readonly BinnedChannel[], totalBins: number, counts: Readonly<Record<string, ArrayLike<number>>>, path: (string | number)[]): Float64Array {
  const out = new Float64Array(totalBins);
  const known = new Set(channels.map((c) => c.name));
  for (const name of Object.keys(counts)) if (!known.has(name)) throw new DatasetError([...path, name], `unknown channel '${name}'; channels are ${[...known].join(', ')}`);
  for (const channel of channels) {
    const given = counts[channel.name];
    if (!given) throw new DatasetError([...path, channel.name], `counts for channel '${channel.name}' are missing`);
    if (given.length !== channel.bins) throw new DatasetError([...path, channel.name], `channel '${channel.name}' has ${channel.bins} bins, got ${given.length} counts`);
    for (let b = 0; b < channel.bins; b++) {
      const n = given[b];
      if (!(n >= 0) || !Number.isFinite(n)) throw new DatasetError([...path, channel.name, b], 'counts must be finite and non-negative');
      out[channel.offset + b] = n;
    }
  }
  return out;
}
