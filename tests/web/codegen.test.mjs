// @ts-check
// Tests for web/codegen.js (the "Show code" Keras and JAX scripts); run with `node --test tests/web/`.
// Imports only node builtins and the module under test: no DOM. Parses scripts with python3.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";

import { DEFAULT_EPOCHS, jaxCode, kerasCode, pyFloat } from "../../web/codegen.js";
import { DEFAULTS as PROTOCOL_DEFAULTS } from "../../web/codegen/plan.js";

/** The settings object as the page holds it (the protocol's defaults). */
const DEFAULTS = PROTOCOL_DEFAULTS;

const PROBLEMS = /** @type {const} */ ([
  ["binary", 1],
  ["multiclass", 4],
  ["multilabel", 3],
  ["regression", 1],
]);
const LOSSES = ["cross_entropy", "cross_entropy_naive", "mse", "perceptron"];
const OPTIMIZERS = ["sgd", "momentum", "nesterov", "rmsprop", "adam"];
const DECAYS = ["none", "exponential", "step", "cosine"];
const ACTIVATIONS = ["sigmoid", "tanh", "relu", "leaky_relu", "elu", "selu", "swish", "linear"];
const INITS = ["glorot_uniform", "glorot_normal", "he_uniform", "he_normal", "uniform", "zeros"];
const FEATURES = ["x1", "x2", "x1^2", "x2^2", "x1*x2", "sin_x1", "sin_x2"];

/**
 * @param {Record<string, any>} [overrides]
 * @returns {Record<string, any>}
 */
function settings(overrides = {}) {
  return { ...DEFAULTS, ...overrides };
}

/**
 * The Keras output layer: from its comment to the end of the Sequential list.
 * @param {string} code
 * @returns {string}
 */
function outputLayer(code) {
  const start = code.indexOf("# output layer");
  assert.ok(start >= 0, "the output layer is marked");
  return code.slice(start, code.indexOf("\n    ]\n", start));
}

/**
 * @param {string} text
 * @param {string} part
 * @returns {number}
 */
function count(text, part) {
  return text.split(part).length - 1;
}

describe("pyFloat", () => {
  test("writes numbers as Python's repr of a float does", () => {
    assert.equal(pyFloat(1e-7), "1e-07");
    assert.equal(pyFloat(1e-10), "1e-10");
    assert.equal(pyFloat(0.03), "0.03");
    assert.equal(pyFloat(0.999), "0.999");
    assert.equal(pyFloat(0.0001), "0.0001");
    assert.equal(pyFloat(0.00001), "1e-05");
    assert.equal(pyFloat(1), "1.0");
    assert.equal(pyFloat(100000), "100000.0");
    assert.equal(pyFloat(1e16), "1e+16");
    assert.equal(pyFloat(1.5e-8), "1.5e-08");
    assert.equal(pyFloat(-2.5), "-2.5");
    assert.equal(pyFloat(0), "0.0");
  });
});

describe("Keras output heads and losses", () => {
  test("cross_entropy on binary data: logits out, BinaryCrossentropy(from_logits=True)", () => {
    const code = kerasCode(settings(), "binary", 1);
    assert.match(code, /keras\.losses\.BinaryCrossentropy\(from_logits=True\)/);
    assert.doesNotMatch(code, /from_logits=False/);
    const output = outputLayer(code);
    assert.match(output, /keras\.layers\.Dense\(\s*1,/);
    assert.doesNotMatch(output, /activation=/);
    assert.match(code, /BinaryAccuracy\(threshold=0\.0\)/);
  });

  test("cross_entropy_naive: the output activation, from_logits=False and a warning", () => {
    const code = kerasCode(settings({ loss: "cross_entropy_naive" }), "binary", 1);
    assert.match(code, /BinaryCrossentropy\(from_logits=False\)/);
    assert.doesNotMatch(code, /from_logits=True/);
    assert.match(outputLayer(code), /activation="sigmoid"/);
    assert.match(code, /# The unstable form/);
  });

  test("multiclass: softmax logits and SparseCategoricalCrossentropy with integer labels", () => {
    const code = kerasCode(settings(), "multiclass", 4);
    assert.match(code, /keras\.losses\.SparseCategoricalCrossentropy\(from_logits=True\)/);
    const output = outputLayer(code);
    assert.match(output, /keras\.layers\.Dense\(\s*4,/);
    assert.doesNotMatch(output, /activation=/);
    assert.match(code, /SparseCategoricalAccuracy/);
    assert.match(code, /% 4\)\.astype\("int32"\)/, "class indices as targets");

    const naive = kerasCode(settings({ loss: "cross_entropy_naive" }), "multiclass", 4);
    assert.match(naive, /SparseCategoricalCrossentropy\(from_logits=False\)/);
    assert.match(outputLayer(naive), /activation="softmax"/);
  });

  test("MSE on classification goes through the output's probabilities", () => {
    const binary = kerasCode(settings({ loss: "mse" }), "binary", 1);
    assert.match(binary, /keras\.losses\.MeanSquaredError\(\)/);
    assert.match(outputLayer(binary), /activation="sigmoid"/);
    assert.doesNotMatch(binary, /Crossentropy/);

    const multiclass = kerasCode(settings({ loss: "mse" }), "multiclass", 3);
    assert.match(multiclass, /keras\.losses\.MeanSquaredError\(\)/);
    assert.match(outputLayer(multiclass), /activation="softmax"/);
    assert.match(multiclass, /np\.eye\(3, dtype="float32"\)\[y\]/, "one-hot targets");
    assert.match(multiclass, /CategoricalAccuracy/);
  });

  test("multilabel: one sigmoid per label, binary cross-entropy over the labels", () => {
    const code = kerasCode(settings(), "multilabel", 3);
    assert.match(code, /BinaryCrossentropy\(from_logits=True\)/);
    const output = outputLayer(code);
    assert.match(output, /one sigmoid per label/);
    assert.match(output, /keras\.layers\.Dense\(\s*3,/);
    assert.doesNotMatch(code, /softmax|SparseCategorical/);
    assert.match(code, /y: \(n, 3\) labels/);

    const naive = kerasCode(settings({ loss: "cross_entropy_naive" }), "multilabel", 2);
    assert.match(outputLayer(naive), /Dense\(\s*2,\s*activation="sigmoid"/);
  });

  test("regression: MSE whatever the loss, relu output when asked", () => {
    const linear = kerasCode(settings({ loss: "cross_entropy" }), "regression", 1);
    assert.match(linear, /keras\.losses\.MeanSquaredError\(\)/);
    assert.doesNotMatch(linear, /Crossentropy|Accuracy/);
    assert.doesNotMatch(outputLayer(linear), /activation=/);

    const relu = kerasCode(settings({ regression_output: "relu" }), "regression", 1);
    assert.match(outputLayer(relu), /activation="relu"/);
    assert.match(relu, /MeanSquaredError/);
  });

  test("the perceptron rule is a plain numpy loop, explained in comments", () => {
    const code = kerasCode(settings({ loss: "perceptron", hidden: [] }), "binary", 1);
    assert.doesNotMatch(code, /^import keras/m);
    assert.match(code, /^import numpy as np$/m);
    assert.match(code, /# The perceptron rule is not a Keras loss/);
    assert.match(code, /def predict\(X, w, b\):/);
    assert.match(code, /step = \(error @ x_batch\) \/ len\(rows\)/);
    assert.match(code, /w = w \+ learning_rate \* step/);
    assert.doesNotMatch(code, /l1 \* np\.sign/, "no penalty when l1 = l2 = 0");

    const penalised = kerasCode(settings({ loss: "perceptron", hidden: [], l1: 0.01, l2: 0.02 }), "binary", 1);
    assert.match(penalised, /l1, l2 = 0\.01, 0\.02/);
    assert.match(penalised, /l1 \* np\.sign\(w\) \+ 2\.0 \* l2 \* w/);
  });

  test("the perceptron rule forces plain SGD and drops hidden layers, saying so", () => {
    const code = kerasCode(settings({ loss: "perceptron", hidden: [4], optimizer: "adam" }), "binary", 1);
    assert.match(code, /# Note: The perceptron rule trains a network without hidden layers/);
    assert.match(code, /# Note: The playground trains the perceptron rule by plain SGD/);
    assert.match(code, /no hidden layer, perceptron, sgd\./);
  });

  test("perceptron on non-binary data falls back to cross-entropy with a note", () => {
    const code = kerasCode(settings({ loss: "perceptron" }), "multiclass", 3);
    assert.match(code, /SparseCategoricalCrossentropy\(from_logits=True\)/);
    assert.match(code, /# Note: The playground takes the perceptron rule for binary data only/);
  });
});

describe("Keras layers", () => {
  test("every activation is mapped; leaky_relu keeps the engine's 0.01 slope", () => {
    for (const activation of ACTIVATIONS) {
      const code = kerasCode(settings({ hidden: [3], activations: [activation], dropout: [0] }), "binary", 1);
      if (activation === "leaky_relu") {
        assert.match(code, /keras\.layers\.LeakyReLU\(negative_slope=0\.01\)/);
        assert.doesNotMatch(code, /activation="leaky_relu"/, "Keras's own leaky_relu slope is 0.2");
      } else {
        assert.match(code, new RegExp(`Dense\\(3, activation="${activation}"`), activation);
      }
    }
  });

  test("a shorter activation list repeats its last entry", () => {
    const code = kerasCode(settings({ hidden: [3, 3, 3], activations: ["elu", "relu"] }), "binary", 1);
    assert.equal(count(code, 'activation="elu"'), 1);
    assert.equal(count(code, 'activation="relu"'), 2);
  });

  test("hidden layers in order with their widths; none when hidden is empty", () => {
    const code = kerasCode(settings({ hidden: [7, 5, 2], activations: ["tanh"] }), "binary", 1);
    const widths = [...code.matchAll(/keras\.layers\.Dense\(\s*(\d+),/g)].map((m) => Number(m[1]));
    assert.deepEqual(widths, [7, 5, 2, 1]);
    const flat = kerasCode(settings({ hidden: [] }), "binary", 1);
    assert.equal(count(flat, "keras.layers.Dense("), 1);
  });

  test("dropout layers only where the rate is above zero, after their layer", () => {
    const code = kerasCode(settings({ hidden: [4, 4, 4], activations: ["relu"], dropout: [0.3, 0.0, 0.1] }), "binary", 1);
    assert.equal(count(code, "keras.layers.Dropout("), 2);
    const first = code.indexOf("keras.layers.Dropout(0.3)");
    const third = code.indexOf("keras.layers.Dropout(0.1)");
    const denses = [...code.matchAll(/keras\.layers\.Dense\(/g)].map((m) => m.index ?? -1);
    assert.ok(denses[0] < first && first < denses[1], "Dropout(0.3) follows the first hidden layer");
    assert.ok(denses[2] < third && third < denses[3], "Dropout(0.1) follows the third hidden layer");

    const none = kerasCode(settings({ dropout: [0.0, 0.0] }), "binary", 1);
    assert.doesNotMatch(none, /Dropout/);
    const repeated = kerasCode(settings({ hidden: [4, 4], dropout: [0.25] }), "binary", 1);
    assert.equal(count(repeated, "keras.layers.Dropout(0.25)"), 2, "a shorter list repeats its last rate");
  });

  test("every initialisation is mapped, on every layer", () => {
    const expected = {
      glorot_uniform: 'kernel_initializer="glorot_uniform"',
      glorot_normal: 'kernel_initializer="glorot_normal"',
      he_uniform: 'kernel_initializer="he_uniform"',
      he_normal: 'kernel_initializer="he_normal"',
      uniform: "kernel_initializer=keras.initializers.RandomUniform(minval=-0.5, maxval=0.5)",
      zeros: 'kernel_initializer="zeros"',
    };
    for (const init of INITS) {
      const code = kerasCode(settings({ init }), "binary", 1);
      assert.equal(count(code, expected[/** @type {keyof typeof expected} */ (init)]), 3, init);
    }
  });

  test("L1/L2 as a kernel regularizer on every layer, only when set", () => {
    const code = kerasCode(settings({ l1: 0.001, l2: 0.0 }), "binary", 1);
    assert.match(code, /regularizer = keras\.regularizers\.L1L2\(l1=0\.001, l2=0\.0\)/);
    assert.equal(count(code, "kernel_regularizer=regularizer"), 3);
    const none = kerasCode(settings(), "binary", 1);
    assert.doesNotMatch(none, /regulari[sz]er/);
  });

  test("the feature columns are computed from x1 and x2, in the engine's order", () => {
    const code = kerasCode(settings({ features: ["sin_x2", "x1*x2", "x1^2"] }), "binary", 1);
    const columns = code.slice(code.indexOf("columns = ["), code.indexOf("    ]", code.indexOf("columns = [")));
    assert.deepEqual(
      [...columns.matchAll(/^ {8}(.+),  # (\S+)$/gm)].map((m) => [m[1], m[2]]),
      [
        ["x1 * x1", "x1^2"],
        ["x1 * x2", "x1*x2"],
        ["np.sin(x2)", "sin_x2"],
      ],
    );
    assert.match(code, /keras\.Input\(shape=\(3,\)\)/);

    const all = kerasCode(settings({ features: FEATURES }), "binary", 1);
    for (const column of ["x1,", "x2,", "x1 * x1,", "x2 * x2,", "x1 * x2,", "np.sin(x1),", "np.sin(x2),"]) {
      assert.ok(all.includes(`        ${column}  #`), column);
    }
    assert.throws(() => kerasCode(settings({ features: ["x3"] }), "binary", 1), /unknown feature/);
  });

  test("the data section: a marked placeholder X (n, 2), the seed and the split", () => {
    const code = kerasCode(settings({ n_points: 240, data_seed: 17, train_fraction: 0.7, noise: 0.3 }), "binary", 1);
    assert.match(code, /# ==== your data here =+/);
    assert.match(code, /# ==== end of your data =+/);
    assert.match(code, /X = rng\.uniform\(-6\.0, 6\.0, size=\(240, 2\)\)/);
    assert.match(code, /rng = np\.random\.default_rng\(17\)/);
    assert.match(code, /n_train = min\(max\(round\(len\(X\) \* 0\.7\), 1\), len\(X\) - 1\)/);
    assert.match(code, /X = X \+ rng\.normal\(0\.0, 0\.3, size=X\.shape\)/);
    assert.match(code, /X_train, y_train = features\(X\[order\[:n_train\]\]\), y\[order\[:n_train\]\]/);
  });
});

describe("Keras optimizers, schedules and training", () => {
  const custom = { learning_rate: 0.05, momentum: 0.85, rho: 0.77, beta1: 0.81, beta2: 0.997, epsilon: 1e-8 };

  test("each optimizer with its parameters", () => {
    /** @type {Record<string, RegExp>} */
    const expected = {
      sgd: /keras\.optimizers\.SGD\(learning_rate=learning_rate\)/,
      momentum: /keras\.optimizers\.SGD\(learning_rate=learning_rate, momentum=0\.85\)/,
      nesterov: /keras\.optimizers\.SGD\(learning_rate=learning_rate, momentum=0\.85, nesterov=True\)/,
      rmsprop: /keras\.optimizers\.RMSprop\(learning_rate=learning_rate, rho=0\.77, epsilon=1e-08\)/,
      adam: /keras\.optimizers\.Adam\(\s*learning_rate=learning_rate,\s*beta_1=0\.81,\s*beta_2=0\.997,\s*epsilon=1e-08,?\s*\)/,
    };
    for (const optimizer of OPTIMIZERS) {
      const code = kerasCode(settings({ ...custom, optimizer }), "binary", 1);
      assert.match(code, expected[optimizer], optimizer);
      assert.match(code, /^learning_rate = 0\.05$/m);
    }
  });

  test("decay schedules count steps: epochs times steps_per_epoch", () => {
    const base = { learning_rate: 0.05, decay_rate: 0.4, decay_epochs: 40, batch_size: 25 };
    const none = kerasCode(settings({ ...base, decay: "none" }), "binary", 1);
    assert.doesNotMatch(none, /schedules|steps_per_epoch|^import math/m);

    const exponential = kerasCode(settings({ ...base, decay: "exponential" }), "binary", 1);
    assert.match(exponential, /^import math$/m);
    assert.match(exponential, /steps_per_epoch = math\.ceil\(n_train \/ batch_size\)/);
    assert.match(exponential, /# Keras schedules count optimizer steps/);
    assert.match(
      exponential,
      /keras\.optimizers\.schedules\.ExponentialDecay\(\s*initial_learning_rate=0\.05,\s*decay_steps=steps_per_epoch,\s*decay_rate=0\.4 \*\* \(1 \/ 40\),\s*staircase=True,?\s*\)/,
    );

    const step = kerasCode(settings({ ...base, decay: "step" }), "binary", 1);
    assert.match(
      step,
      /ExponentialDecay\(\s*initial_learning_rate=0\.05,\s*decay_steps=40 \* steps_per_epoch,\s*decay_rate=0\.4,\s*staircase=True,?\s*\)/,
    );

    const cosine = kerasCode(settings({ ...base, decay: "cosine" }), "binary", 1);
    assert.match(
      cosine,
      /keras\.optimizers\.schedules\.CosineDecay\(\s*initial_learning_rate=0\.05,\s*decay_steps=40 \* steps_per_epoch,\s*alpha=0\.4,?\s*\)/,
    );
    for (const code of [exponential, step, cosine]) {
      assert.match(code, /keras\.optimizers\.SGD\(learning_rate=learning_rate\)/);
    }
  });

  test("fit with the batch size, the test set and the epochs asked for", () => {
    const code = kerasCode(settings({ batch_size: 25 }), "binary", 1, { epochs: 123 });
    assert.match(code, /^batch_size = 25$/m);
    assert.match(code, /^epochs = 123 /m);
    assert.match(code, /model\.fit\(\s*X_train,\s*y_train,\s*batch_size=batch_size,\s*epochs=epochs,\s*validation_data=\(X_test, y_test\)/);
    assert.match(kerasCode(settings(), "binary", 1), new RegExp(`^epochs = ${DEFAULT_EPOCHS} `, "m"));
  });

  test("an EarlyStopping callback restoring the best weights, only when early stopping is on", () => {
    const on = kerasCode(settings({ early_stopping: true, patience: 7 }), "binary", 1);
    assert.match(on, /keras\.callbacks\.EarlyStopping\(monitor="val_loss", patience=7, restore_best_weights=True\)/);
    assert.match(on, /callbacks=callbacks,/);
    const off = kerasCode(settings({ early_stopping: false, patience: 7 }), "binary", 1);
    assert.doesNotMatch(off, /EarlyStopping|callbacks/);
  });
});

describe("JAX script", () => {
  test("params as a list of (W, b), a forward function, a jitted update step and a minibatch loop", () => {
    const code = jaxCode(settings(), "binary", 1);
    for (const part of [
      /^import jax$/m,
      /^import optax$/m,
      /params\.append\(\(W, jnp\.zeros\(fan_out\)\)\)/,
      /^def forward\(params, x\):/m,
      /@jax\.jit\ndef train_step\(params, opt_state, x, y\):/,
      /jax\.value_and_grad\(objective\)/,
      /optax\.apply_updates\(params, updates\)/,
      /for start in range\(0, n_train, BATCH_SIZE\):/,
      /^BATCH_SIZE = 10$/m,
      /^HIDDEN = \[4, 2\]/m,
    ]) {
      assert.match(code, part);
    }
  });

  test("the stable loss for each head", () => {
    assert.match(jaxCode(settings(), "binary", 1), /optax\.sigmoid_binary_cross_entropy\(logits, y\)/);
    const multilabel = jaxCode(settings(), "multilabel", 3);
    assert.match(multilabel, /optax\.sigmoid_binary_cross_entropy\(logits, y\)/);
    assert.match(multilabel, /^N_OUTPUTS = 3$/m);
    const multiclass = jaxCode(settings(), "multiclass", 5);
    assert.match(multiclass, /optax\.softmax_cross_entropy_with_integer_labels\(logits, y\)/);
    assert.match(multiclass, /jnp\.argmax\(logits, axis=1\) == y/);
    assert.match(jaxCode(settings(), "regression", 1), /jnp\.mean\(\(logits - y\) \*\* 2\)/);
    assert.match(
      jaxCode(settings({ regression_output: "relu" }), "regression", 1),
      /jnp\.mean\(\(jax\.nn\.relu\(logits\) - y\) \*\* 2\)/,
    );
    assert.match(jaxCode(settings({ loss: "mse" }), "binary", 1), /jax\.nn\.sigmoid\(logits\) - y/);
    assert.match(jaxCode(settings({ loss: "mse" }), "multiclass", 3), /jax\.nn\.one_hot\(y, 3\)/);
  });

  test("the naive losses go through probabilities and say they are unstable", () => {
    const binary = jaxCode(settings({ loss: "cross_entropy_naive" }), "binary", 1);
    assert.match(binary, /p = 1\.0 \/ \(1\.0 \+ jnp\.exp\(-logits\)\)/);
    assert.match(binary, /The unstable form/);
    assert.doesNotMatch(binary, /return jnp\.mean\(optax\./);
    const multiclass = jaxCode(settings({ loss: "cross_entropy_naive" }), "multiclass", 3);
    assert.match(multiclass, /exps = jnp\.exp\(logits\)/);
  });

  test("the perceptron criterion with a stop_gradient on the step output", () => {
    const code = jaxCode(settings({ loss: "perceptron", hidden: [], optimizer: "adam" }), "binary", 1);
    assert.match(code, /jax\.lax\.stop_gradient\(\(logits >= 0\.0\)/);
    assert.match(code, /optimizer = optax\.sgd\(learning_rate\)/);
    assert.match(code, /^HIDDEN = \[\]/m);
  });

  test("every activation is mapped", () => {
    const expected = {
      sigmoid: "jax.nn.sigmoid",
      tanh: "jnp.tanh",
      relu: "jax.nn.relu",
      leaky_relu: "leaky_relu",
      elu: "jax.nn.elu",
      selu: "jax.nn.selu",
      swish: "jax.nn.swish",
      linear: "linear",
    };
    const code = jaxCode(settings({ hidden: [2, 2, 2, 2, 2, 2], activations: ACTIVATIONS.slice(0, 6) }), "binary", 1);
    assert.match(code, /^ACTIVATIONS = \[jax\.nn\.sigmoid, jnp\.tanh, jax\.nn\.relu, leaky_relu, jax\.nn\.elu, jax\.nn\.selu\]/m);
    assert.match(code, /jax\.nn\.leaky_relu\(z, negative_slope=0\.01\)/);
    for (const activation of ACTIVATIONS) {
      const one = jaxCode(settings({ hidden: [3], activations: [activation] }), "binary", 1);
      const name = expected[/** @type {keyof typeof expected} */ (activation)];
      assert.ok(one.includes(`ACTIVATIONS = [${name}]`), activation);
    }
    assert.match(jaxCode(settings({ hidden: [3], activations: ["linear"] }), "binary", 1), /^def linear\(z\):/m);
  });

  test("each optimizer with its parameters", () => {
    const custom = { momentum: 0.85, rho: 0.77, beta1: 0.81, beta2: 0.997, epsilon: 1e-8 };
    /** @type {Record<string, string>} */
    const expected = {
      sgd: "optax.sgd(learning_rate)",
      momentum: "optax.sgd(learning_rate, momentum=0.85)",
      nesterov: "optax.sgd(learning_rate, momentum=0.85, nesterov=True)",
      rmsprop: "optax.rmsprop(learning_rate, decay=0.77, eps=1e-08, eps_in_sqrt=False)",
      adam: "optax.adam(learning_rate, b1=0.81, b2=0.997, eps=1e-08)",
    };
    for (const optimizer of OPTIMIZERS) {
      const code = jaxCode(settings({ ...custom, optimizer }), "binary", 1);
      assert.ok(code.includes(`optimizer = ${expected[optimizer]}`), optimizer);
    }
  });

  test("schedules in epochs, read at step // steps_per_epoch", () => {
    const base = { learning_rate: 0.05, decay_rate: 0.4, decay_epochs: 40 };
    assert.match(jaxCode(settings({ ...base, decay: "none" }), "binary", 1), /^learning_rate = 0\.05$/m);
    const exponential = jaxCode(settings({ ...base, decay: "exponential" }), "binary", 1);
    assert.match(exponential, /optax\.exponential_decay\(init_value=0\.05, transition_steps=40, decay_rate=0\.4\)/);
    assert.match(exponential, /return epoch_schedule\(step \/\/ steps_per_epoch\)/);
    assert.match(exponential, /steps_per_epoch = math\.ceil\(n_train \/ BATCH_SIZE\)/);
    const step = jaxCode(settings({ ...base, decay: "step" }), "binary", 1);
    assert.match(
      step,
      /optax\.exponential_decay\(\s*init_value=0\.05,\s*transition_steps=40,\s*decay_rate=0\.4,\s*staircase=True,?\s*\)/,
    );
    const cosine = jaxCode(settings({ ...base, decay: "cosine" }), "binary", 1);
    assert.match(cosine, /optax\.cosine_decay_schedule\(init_value=0\.05, decay_steps=40, alpha=0\.4\)/);
  });

  test("dropout by jax.random.bernoulli, only when some rate is above zero", () => {
    const code = jaxCode(settings({ hidden: [4, 4, 4], dropout: [0.3, 0.0, 0.1] }), "binary", 1);
    assert.match(code, /^DROPOUT = \[0\.3, 0\.0, 0\.1\]/m);
    assert.match(code, /jax\.random\.bernoulli\(subkey, 1\.0 - rate, h\.shape\)/);
    assert.match(code, /def train_step\(params, opt_state, x, y, key\):/);
    const none = jaxCode(settings({ dropout: [0.0] }), "binary", 1);
    assert.doesNotMatch(none, /bernoulli|DROPOUT/);
  });

  test("L1/L2 added to the loss, only when set", () => {
    const code = jaxCode(settings({ l1: 0.002, l2: 0.003 }), "binary", 1);
    assert.match(code, /^L1, L2 = 0\.002, 0\.003$/m);
    assert.match(code, /L1 \* jnp\.sum\(jnp\.abs\(W\)\) \+ L2 \* jnp\.sum\(W \* W\) for W, _ in params/);
    assert.match(code, /return data_loss\(forward\(params, x\), y\) \+ penalty\(params\)/);
    assert.doesNotMatch(jaxCode(settings(), "binary", 1), /def penalty|\+ penalty\(|L1, L2 =/);
  });

  test("initialisations drawn as the engine draws them", () => {
    assert.match(jaxCode(settings(), "binary", 1), /W = U \* math\.sqrt\(6\.0 \/ \(fan_in \+ fan_out\)\)/);
    assert.match(jaxCode(settings({ init: "he_normal" }), "binary", 1), /W = N \* math\.sqrt\(2\.0 \/ fan_in\)/);
    assert.match(jaxCode(settings({ init: "uniform" }), "binary", 1), /W = U \* 0\.5/);
    assert.match(jaxCode(settings({ init: "zeros" }), "binary", 1), /W = jnp\.zeros\(\(fan_in, fan_out\)\)/);
  });

  test("early stopping restores the best params, only when on", () => {
    const on = jaxCode(settings({ early_stopping: true, patience: 9 }), "binary", 1);
    assert.match(on, /^PATIENCE = 9 /m);
    assert.match(on, /elif epoch \+ 1 - best_epoch >= PATIENCE:\n\s+params = best_params/);
    assert.doesNotMatch(jaxCode(settings(), "binary", 1), /PATIENCE|best_params/);
  });
});

describe("every combination is valid Python", () => {
  const python = spawnSync("python3", ["--version"]);
  const hasPython = python.status === 0;

  test("no JavaScript literals leak into the scripts", () => {
    for (const [problem, n] of PROBLEMS) {
      for (const loss of LOSSES) {
        for (const code of [kerasCode(settings({ loss, early_stopping: true }), problem, n), jaxCode(settings({ loss }), problem, n)]) {
          assert.doesNotMatch(code, /\b(true|false|undefined|null|NaN)\b/);
          assert.doesNotMatch(code, /\t/);
          assert.ok(code.endsWith("\n"));
        }
      }
    }
  });

  test("problems x losses x optimizers x decays parse with python3's ast", { skip: !hasPython && "python3 not found" }, () => {
    const dir = mkdtempSync(join(tmpdir(), "codegen-"));
    try {
      /** @type {string[]} */
      const files = [];
      let i = 0;
      for (const [problem, n] of PROBLEMS) {
        for (const loss of LOSSES) {
          for (const optimizer of OPTIMIZERS) {
            for (const decay of DECAYS) {
              const perceptron = loss === "perceptron";
              const overrides = {
                loss,
                optimizer,
                decay,
                hidden: perceptron ? [] : [[], [3], [5, 4], [2, 2, 2, 2, 2, 2]][i % 4],
                activations: [ACTIVATIONS[i % 8], ACTIVATIONS[(i + 3) % 8]],
                dropout: i % 3 === 0 ? [0.0] : [0.5, 0.0],
                init: INITS[i % 6],
                l1: i % 2 ? 0.001 : 0.0,
                l2: i % 5 ? 0.0 : 1e-5,
                early_stopping: i % 2 === 0,
                features: FEATURES.slice(i % 7, (i % 7) + 1 + (i % 3)),
                regression_output: i % 2 ? "relu" : "linear",
                noise: (i % 4) / 4,
                epsilon: [1e-7, 1e-10, 1.0][i % 3],
                dataset: i % 9 ? "circle" : "custom",
              };
              for (const [name, generate] of /** @type {const} */ ([
                ["keras", kerasCode],
                ["jax", jaxCode],
              ])) {
                const file = join(dir, `${name}_${problem}_${loss}_${optimizer}_${decay}.py`);
                writeFileSync(file, generate(settings(overrides), problem, n, { epochs: 1 + i }));
                files.push(file);
              }
              i += 1;
            }
          }
        }
      }
      assert.equal(files.length, 4 * 4 * 5 * 4 * 2);
      // One python3 for all the files: ast.parse each, listing those that fail.
      const check = [
        "import ast, sys",
        "bad = []",
        "for name in sys.argv[1:]:",
        "    try:",
        "        ast.parse(open(name).read(), name)",
        "    except SyntaxError as error:",
        "        bad.append(f'{name}: {error}')",
        "print('\\n'.join(bad))",
        "sys.exit(1 if bad else 0)",
      ].join("\n");
      const result = spawnSync("python3", ["-c", check, ...files], { encoding: "utf8" });
      assert.equal(result.status, 0, `${result.stdout}${result.stderr}`);

      // And one file at a time, as a reader would check it.
      for (const file of [files[0], files[files.length - 1]]) {
        const single = spawnSync("python3", ["-c", "import ast,sys; ast.parse(open(sys.argv[1]).read())", file], { encoding: "utf8" });
        assert.equal(single.status, 0, single.stderr);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("a syntax error would be caught", { skip: !hasPython && "python3 not found" }, () => {
    const dir = mkdtempSync(join(tmpdir(), "codegen-"));
    try {
      const file = join(dir, "broken.py");
      writeFileSync(file, kerasCode(settings(), "binary", 1).replace("model = keras.Sequential(", "model = keras.Sequential(("));
      const result = spawnSync("python3", ["-c", "import ast,sys; ast.parse(open(sys.argv[1]).read())", file], { encoding: "utf8" });
      assert.notEqual(result.status, 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
