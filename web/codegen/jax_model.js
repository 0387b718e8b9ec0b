// @ts-check
// The JAX script's model section: activations, init_params, forward (with inverted dropout),
// data_loss per loss kind, the L1/L2 penalty, objective, accuracy. Must not import jax_training.js.

import { penalised } from "./plan.js";
import { pyFloat, pyInt, plain } from "./python.js";
import { JAX_ACTIVATIONS, LEAKY_SLOPE, initFormula } from "./vocabulary.js";

/** @typedef {import("./plan.js").Plan} Plan */
/** @typedef {import("./plan.js").LossKind} LossKind */

/**
 * @param {Plan} plan
 * @returns {string} ", key" where training drops units (forward and objective take a key), else ""
 */
export function keyArgument(plan) {
  return plan.dropout.some((rate) => rate > 0) ? ", key" : "";
}

/**
 * @param {string} k the number of outputs, as Python
 * @returns {Record<LossKind, string[]>} the body of data_loss(logits, y) per loss kind
 */
function lossBodies(k) {
  return {
    sigmoid_ce: [
      '    """Stable binary cross-entropy from logits (softplus form), mean over points and outputs."""',
      "    return jnp.mean(optax.sigmoid_binary_cross_entropy(logits, y))",
    ],
    sigmoid_ce_naive: [
      '    """The unstable form, on purpose: cross-entropy through probabilities. For large logits',
      "    the sigmoid rounds to exactly 0 or 1 and log(0) makes the loss inf (the stable form is",
      '    optax.sigmoid_binary_cross_entropy(logits, y))."""',
      "    p = 1.0 / (1.0 + jnp.exp(-logits))",
      "    return jnp.mean(-(y * jnp.log(p) + (1.0 - y) * jnp.log(1.0 - p)))",
    ],
    sigmoid_mse: [
      '    """MSE between the sigmoid probabilities and the 0/1 labels."""',
      "    return jnp.mean((jax.nn.sigmoid(logits) - y) ** 2)",
    ],
    softmax_ce: [
      '    """Stable cross-entropy from logits (log-sum-exp form); y holds class indices."""',
      "    return jnp.mean(optax.softmax_cross_entropy_with_integer_labels(logits, y))",
    ],
    softmax_ce_naive: [
      '    """The unstable form, on purpose: softmax without the max shift, then log. exp overflows',
      "    and probabilities round to 0 for large logits (the stable form is",
      '    optax.softmax_cross_entropy_with_integer_labels(logits, y))."""',
      "    exps = jnp.exp(logits)",
      "    p = exps / jnp.sum(exps, axis=1, keepdims=True)",
      "    return jnp.mean(-jnp.log(jnp.take_along_axis(p, y[:, None], axis=1)[:, 0]))",
    ],
    softmax_mse: [
      '    """MSE between the softmax probabilities and the one-hot classes."""',
      `    return jnp.mean((jax.nn.softmax(logits, axis=1) - jax.nn.one_hot(y, ${k})) ** 2)`,
    ],
    linear_mse: ['    """Squared error of the linear output."""', "    return jnp.mean((logits - y) ** 2)"],
    relu_mse: [
      '    """Squared error of the relu output (never negative)."""',
      "    return jnp.mean((jax.nn.relu(logits) - y) ** 2)",
    ],
    perceptron: [
      '    """The perceptron criterion: |z| on misclassified points, 0 on the rest. With the step',
      "    output held constant its gradient is (yhat - y) x, so gradient descent on it is exactly",
      '    the perceptron rule w <- w + learning_rate * (y - yhat) x."""',
      "    predicted = jax.lax.stop_gradient((logits >= 0.0).astype(logits.dtype))",
      "    return jnp.mean((predicted - y) * logits)",
    ],
  };
}

/**
 * Constants and helper functions ahead of init_params: HIDDEN, N_OUTPUTS, the activations the
 * script defines itself, ACTIVATIONS and DROPOUT.
 * @param {Plan} plan
 * @returns {string[]}
 */
function layerConstantLines(plan) {
  const definesLeaky = plan.activations.includes("leaky_relu");
  const definesLinear = plan.activations.includes("linear");
  const lines = [
    `HIDDEN = [${plan.hidden.map(pyInt).join(", ")}]  # neurons per hidden layer, input side first`,
    `N_OUTPUTS = ${pyInt(plan.nOutputs)}`,
  ];
  if (definesLeaky) {
    lines.push(
      "",
      "",
      "def leaky_relu(z):",
      `    return jax.nn.leaky_relu(z, negative_slope=${pyFloat(LEAKY_SLOPE)})  # the playground's slope`,
    );
  }
  if (definesLinear) {
    lines.push("", "", "def linear(z):", "    return z");
  }
  if (definesLeaky || definesLinear) lines.push("", "");
  lines.push(
    `ACTIVATIONS = [${plan.activations.map((a) => JAX_ACTIVATIONS[/** @type {keyof typeof JAX_ACTIVATIONS} */ (a)]).join(", ")}]  # one per hidden layer`,
  );
  if (keyArgument(plan)) {
    lines.push(`DROPOUT = [${plan.dropout.map(pyFloat).join(", ")}]  # dropout rate per hidden layer`);
  }
  return lines;
}

/**
 * init_params(key), drawing each W as the playground's init does.
 * @param {Plan} plan
 * @returns {string[]}
 */
function initLines(plan) {
  const [formula, description] = initFormula(plan.s.init);
  const drawn = formula.includes("U")
    ? ["        U = jax.random.uniform(subkey, (fan_in, fan_out), minval=-1.0, maxval=1.0)", `        W = ${formula}`]
    : formula.includes("N")
      ? ["        N = jax.random.normal(subkey, (fan_in, fan_out))", `        W = ${formula}`]
      : ["        W = jnp.zeros((fan_in, fan_out))"];
  return [
    "def init_params(key):",
    `    """A list of (W, b) per layer, b zero and W by ${plain(plan.s.init)}:`,
    `    ${description}."""`,
    "    sizes = [X_train.shape[1], *HIDDEN, N_OUTPUTS]",
    "    params = []",
    "    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):",
    "        key, subkey = jax.random.split(key)",
    ...drawn,
    "        params.append((W, jnp.zeros(fan_out)))",
    "    return params",
  ];
}

/**
 * forward(params, x[, key]): logits, dropping hidden units when given a key.
 * @param {Plan} plan
 * @returns {string[]}
 */
function forwardLines(plan) {
  const head = keyArgument(plan)
    ? [
        "def forward(params, x, key=None):",
        '    """Logits (n, N_OUTPUTS). With a key (training) it drops hidden units: inverted dropout."""',
        "    h = x",
        "    for (W, b), activation, rate in zip(params[:-1], ACTIVATIONS, DROPOUT):",
        "        h = activation(h @ W + b)",
        "        if key is not None and rate > 0.0:",
        "            key, subkey = jax.random.split(key)",
        "            keep = jax.random.bernoulli(subkey, 1.0 - rate, h.shape)",
        "            h = jnp.where(keep, h / (1.0 - rate), 0.0)",
      ]
    : [
        "def forward(params, x):",
        '    """Logits (n, N_OUTPUTS)."""',
        "    h = x",
        "    for (W, b), activation in zip(params[:-1], ACTIVATIONS):",
        "        h = activation(h @ W + b)",
      ];
  return [...head, "    W, b = params[-1]", "    return h @ W + b"];
}

/**
 * The model section, from its heading to accuracy() (none for regression), each top-level
 * definition followed by two blank lines.
 * @param {Plan} plan
 * @returns {string[]}
 */
export function jaxModelLines(plan) {
  const s = plan.s;
  const keyArg = keyArgument(plan);
  const lines = [
    "# ---- model ---------------------------------------------------------------------------",
    ...layerConstantLines(plan),
    "",
    "",
    ...initLines(plan),
    "",
    "",
    ...forwardLines(plan),
    "",
    "",
    "def data_loss(logits, y):",
    ...lossBodies(pyInt(plan.nOutputs))[plan.kind],
    "",
    "",
  ];
  if (penalised(plan)) {
    lines.push(
      `L1, L2 = ${pyFloat(Number(s.l1))}, ${pyFloat(Number(s.l2))}`,
      "",
      "",
      "def penalty(params):",
      '    """L1 * sum|W| + L2 * sum W^2 over every layer\'s weights (not the biases)."""',
      "    return sum(L1 * jnp.sum(jnp.abs(W)) + L2 * jnp.sum(W * W) for W, _ in params)",
      "",
      "",
    );
  }
  lines.push(
    `def objective(params, x, y${keyArg}):`,
    '    """What the optimizer minimises: the minibatch loss' + (penalised(plan) ? ' plus the weight penalty."""' : '."""'),
    `    return data_loss(forward(params, x${keyArg}), y)` + (penalised(plan) ? " + penalty(params)" : ""),
    "",
    "",
  );
  if (plan.problem !== "regression") {
    const accuracy = plan.kind.startsWith("softmax")
      ? "    return jnp.mean(jnp.argmax(logits, axis=1) == y)"
      : "    return jnp.mean((logits >= 0.0) == (y >= 0.5))  # logit 0 = probability 0.5";
    lines.push("def accuracy(logits, y):", accuracy, "", "");
  }
  return lines;
}
