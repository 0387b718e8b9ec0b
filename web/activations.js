// @ts-check
// The hidden-layer activations g(z) and g'(z), exactly as server/nn_playground/engine/numerics/model.py
// defines them (constants, kink conventions), for plotting. Pure: imports nothing, no DOM.

/** Activation names in the order of the server's config.Activation. */
export const ACTIVATIONS = Object.freeze([
  "sigmoid",
  "tanh",
  "relu",
  "leaky_relu",
  "elu",
  "selu",
  "swish",
  "linear",
]);

/** model.SELU_ALPHA */
export const SELU_ALPHA = 1.6732632423543772;
/** model.SELU_SCALE */
export const SELU_SCALE = 1.0507009873554805;
/** model.LEAKY_SLOPE */
export const LEAKY_SLOPE = 0.01;

/** @param {number} z @returns {number} 1 / (1 + e^-z), without overflow for large |z| */
function sigmoid(z) {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

/** @param {string} name @returns {never} */
function unknown(name) {
  throw new RangeError(`activation: expected one of ${ACTIVATIONS.join(", ")}, received ${JSON.stringify(name)}`);
}

/**
 * g(z). At the kink z = 0 every piecewise activation takes its left branch, as the server's
 * `z > 0` tests do (all are continuous there, so the value is the same either way).
 * @param {string} name one of ACTIVATIONS
 * @param {number} z
 * @returns {number}
 */
export function activation(name, z) {
  switch (name) {
    case "sigmoid":
      return sigmoid(z);
    case "tanh":
      return Math.tanh(z);
    case "relu":
      return z > 0 ? z : 0;
    case "leaky_relu":
      return z > 0 ? z : LEAKY_SLOPE * z;
    case "elu":
      return z > 0 ? z : Math.expm1(z);
    case "selu":
      return SELU_SCALE * (z > 0 ? z : SELU_ALPHA * Math.expm1(z));
    case "swish":
      return z * sigmoid(z);
    case "linear":
      return z;
    default:
      return unknown(name);
  }
}

/**
 * g'(z), written as model.activation_and_derivative writes it. At z = 0 the server uses the
 * left branch (its test is `z > 0`): relu'(0) = 0, leaky_relu'(0) = LEAKY_SLOPE, elu'(0) = 1,
 * selu'(0) = SELU_SCALE * SELU_ALPHA.
 * @param {string} name one of ACTIVATIONS
 * @param {number} z
 * @returns {number}
 */
export function derivative(name, z) {
  switch (name) {
    case "sigmoid": {
      const a = sigmoid(z);
      return a * (1 - a);
    }
    case "tanh": {
      const a = Math.tanh(z);
      return 1 - a * a;
    }
    case "relu":
      return z > 0 ? 1 : 0;
    case "leaky_relu":
      return z > 0 ? 1 : LEAKY_SLOPE;
    case "elu":
      return z > 0 ? 1 : Math.expm1(z) + 1;
    case "selu":
      return z > 0 ? SELU_SCALE : activation("selu", z) + SELU_SCALE * SELU_ALPHA;
    case "swish": {
      const s = sigmoid(z);
      return s * (1 + z * (1 - s));
    }
    case "linear":
      return 1;
    default:
      return unknown(name);
  }
}

/**
 * g and g' sampled at `samples` evenly spaced z from zMin to zMax (both ends included).
 * @param {string} name one of ACTIVATIONS
 * @param {number} [zMin]
 * @param {number} [zMax]
 * @param {number} [samples] an integer >= 2
 * @returns {{z: Float64Array, g: Float64Array, dg: Float64Array}}
 */
export function curve(name, zMin = -5, zMax = 5, samples = 201) {
  if (!ACTIVATIONS.includes(name)) unknown(name);
  if (!Number.isInteger(samples) || samples < 2) {
    throw new RangeError(`curve: samples must be an integer >= 2, received ${samples}`);
  }
  if (!Number.isFinite(zMin) || !Number.isFinite(zMax) || !(zMin < zMax)) {
    throw new RangeError(`curve: expected finite zMin < zMax, received ${zMin} and ${zMax}`);
  }
  const z = new Float64Array(samples);
  const g = new Float64Array(samples);
  const dg = new Float64Array(samples);
  for (let i = 0; i < samples; i++) {
    z[i] = i === samples - 1 ? zMax : zMin + ((zMax - zMin) * i) / (samples - 1);
    g[i] = activation(name, z[i]);
    dg[i] = derivative(name, z[i]);
  }
  return { z, g, dg };
}
