// @ts-check
// The engine's constants and names that the scripts mirror (features, activations, inits), and
// how Keras and JAX spell each. Pure data: imports nothing.

export const DOMAIN = 6.0; // limits.DOMAIN: x1 and x2 live in [-DOMAIN, DOMAIN]
export const LEAKY_SLOPE = 0.01; // model.LEAKY_SLOPE
export const TARGET_NOISE = 0.25; // data.TARGET_NOISE

/** Feature name -> numpy column computed from x1, x2 (model.input_features), in engine order. */
export const FEATURE_COLUMNS = Object.freeze({
  x1: "x1",
  x2: "x2",
  "x1^2": "x1 * x1",
  "x2^2": "x2 * x2",
  "x1*x2": "x1 * x2",
  sin_x1: "np.sin(x1)",
  sin_x2: "np.sin(x2)",
});

/** Activation -> Keras `activation=` value; leaky_relu is a separate LeakyReLU layer. */
export const KERAS_ACTIVATIONS = Object.freeze({
  sigmoid: '"sigmoid"',
  tanh: '"tanh"',
  relu: '"relu"',
  leaky_relu: null,
  elu: '"elu"',
  selu: '"selu"',
  swish: '"swish"',
  linear: '"linear"',
});

/** Activation -> the JAX function (leaky_relu and linear are defined in the script). */
export const JAX_ACTIVATIONS = Object.freeze({
  sigmoid: "jax.nn.sigmoid",
  tanh: "jnp.tanh",
  relu: "jax.nn.relu",
  leaky_relu: "leaky_relu",
  elu: "jax.nn.elu",
  selu: "jax.nn.selu",
  swish: "jax.nn.swish",
  linear: "linear",
});

/** Init -> the Keras kernel_initializer (a fresh one per layer: Keras warns on reuse). */
export const KERAS_INITS = Object.freeze({
  glorot_uniform: '"glorot_uniform"',
  glorot_normal: '"glorot_normal"',
  he_uniform: '"he_uniform"',
  he_normal: '"he_normal"',
  uniform: "keras.initializers.RandomUniform(minval=-0.5, maxval=0.5)",
  zeros: '"zeros"',
});

/**
 * Init -> [numpy/JAX weight expression of fan_in, fan_out and a draw, a description], as
 * model.init_params draws: `U` stands for a uniform(-1, 1) draw, `N` for a standard normal.
 */
const INIT_FORMULAS = Object.freeze({
  glorot_uniform: ["U * math.sqrt(6.0 / (fan_in + fan_out))", "uniform in +-sqrt(6 / (fan_in + fan_out))"],
  glorot_normal: ["N * math.sqrt(2.0 / (fan_in + fan_out))", "normal with variance 2 / (fan_in + fan_out)"],
  he_uniform: ["U * math.sqrt(6.0 / fan_in)", "uniform in +-sqrt(6 / fan_in)"],
  he_normal: ["N * math.sqrt(2.0 / fan_in)", "normal with variance 2 / fan_in"],
  uniform: ["U * 0.5", "uniform in +-0.5"],
  zeros: ["", "all zeros, so every neuron of a layer stays identical (the symmetry problem)"],
});

/**
 * @param {string} init an init name the plan has checked
 * @returns {string[]} [weight expression ("" for zeros), description], from INIT_FORMULAS
 */
export function initFormula(init) {
  return INIT_FORMULAS[/** @type {keyof typeof INIT_FORMULAS} */ (init)];
}
