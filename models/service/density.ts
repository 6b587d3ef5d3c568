/**
 * A published density of variables at submitted points (seed 002: the EEEC surrogate, issue 19):
 * the network's f at (coordinates of the variables, parameters), as e^f in linear coordinates or
 * e^f / Π x in log coordinates, the density per unit of each variable. Points outside the
 * density's region or parameters outside their ranges are refused, never extrapolated.
 */
import type { LoadedArtifact } from '../artifact/load.js';
import { evaluateEnsemble, type FrozenNetwork } from '../network/frozen-network.js';
import { networkUnits } from '../ratio/ratio-model.js';
import { budgeted, fewer, plainCost } from './cost.js';
import { invalidInput, notApplicable } from './errors.js';
import type { DensityRequest } from './schemas.js';

export function density(artifact: LoadedArtifact, request: DensityRequest) {
  const densities = artifact.densities ?? [];
  if (!densities.length) throw notApplicable('this likelihood publishes no density (POST …/density serves surrogates such as eeec-top-mass’s EEEC)');
  const chosen = request.density === undefined ? densities[0] : densities.find((d) => d.spec.name === request.density);
  if (!chosen) throw invalidInput('invalid-request', `no density '${request.density}' (${densities.map((d) => d.spec.name).join(', ')})`, ['density']);
  const { spec, network } = chosen;
  const names = [...spec.variables, ...spec.parameters];
  const width = names.length;
  const ranges = new Map(artifact.manifest.parameters.map((p) => [p.name, p.range]));
  const inputs = new Float64Array(request.points.length * width);
  request.points.forEach((point, k) => {
    const unknown = Object.keys(point).find((name) => !names.includes(name));
    if (unknown) throw invalidInput('unknown-parameter', `'${unknown}' is not a variable or parameter of density '${spec.name}' (${names.join(', ')})`, ['points', k, unknown]);
    names.forEach((name, j) => {
      const value = point[name];
      if (value === undefined) throw invalidInput('invalid-request', `points[${k}] must name ${name}`, ['points', k]);
      if (j >= spec.variables.length) {
        const [low, high] = ranges.get(name)!;
        if (!(value >= low && value <= high)) throw invalidInput('parameter-out-of-range', `${name} = ${value} is outside its range [${low}, ${high}]`, ['points', k, name]);
      } else {
        const previous = j > 0 ? point[spec.variables[j - 1]] : spec.region.min;
        if (!(value >= previous && value <= spec.region.max)) {
          throw invalidInput('outside-selection', `density '${spec.name}' is defined for ${spec.region.min} ≤ ${spec.variables.join(' ≤ ')} ≤ ${spec.region.max}; points[${k}] has ${name} = ${value}`, ['points', k, name]);
        }
      }
      inputs[k * width + j] = value;
    });
  });
  const cost = plainCost(request.points.length * (networkUnits(network) + 50));
  const values = budgeted(cost, fewer('points', request.points.length), () => densityAt(network, spec.coordinates, spec.variables.length, inputs, request.points.length));
  return { density: spec.name, variables: spec.variables, parameters: spec.parameters, values: Array.from(values), normalisation: spec.normalisation };
}

/**
 * A density network's value at n rows (the variables in their own units, then the parameters):
 * e^f, or in log coordinates e^{f(ln x, θ)} / Π x, the density per unit of each variable.
 *
 *   a network whose f is −(ln x1 + ln x2) in log coordinates gives 1/(x1 x2)² at (x1, x2)
 */
export function densityAt(network: FrozenNetwork, coordinates: 'log' | 'linear', variables: number, rows: Float64Array, n: number): Float64Array {
  const width = network.inputs;
  const inputs = rows.slice(0, n * width);
  const jacobian = new Float64Array(n).fill(1);
  if (coordinates === 'log') {
    for (let k = 0; k < n; k++) {
      for (let j = 0; j < variables; j++) {
        jacobian[k] *= rows[k * width + j];
        inputs[k * width + j] = Math.log(rows[k * width + j]);
      }
    }
  }
  const f = evaluateEnsemble(network, inputs, n).mean;
  return Float64Array.from(f, (v, k) => Math.exp(v) / jacobian[k]);
}
