// @ts-check
// The Keras script's training section: loss and metric, the per-epoch learning-rate schedule,
// the optimizer, compile, early stopping and fit. Must not import keras_layers.js.

import { penalised } from "./plan.js";
import { pyCall, pyFloat, pyInt } from "./python.js";
import { epochsLine } from "./sections.js";

/** @typedef {import("./plan.js").Plan} Plan */
/** @typedef {import("./plan.js").LossKind} LossKind */
/** @typedef {import("./plan.js").OptimizerName} OptimizerName */

/**
 * Loss kind -> [the lines that set `loss`, the accuracy metric or null]. Matches the output
 * head of keras_layers.js; the perceptron never gets here.
 * @type {Record<LossKind, [string[], string | null]>}
 */
const LOSSES = {
  sigmoid_ce: [
    [
      "# Stable cross-entropy: the output layer gives logits and the loss applies the sigmoid",
      "# itself (softplus form), so it stays finite however confident the network gets.",
      "loss = keras.losses.BinaryCrossentropy(from_logits=True)",
    ],
    "keras.metrics.BinaryAccuracy(threshold=0.0)", // logit 0 = probability 0.5
  ],
  sigmoid_ce_naive: [
    [
      "# The unstable form, on purpose: cross-entropy computed from probabilities. For large",
      "# logits the sigmoid rounds to exactly 0 or 1 and log(0) follows (Keras clips the",
      "# probabilities, so its loss saturates and the gradient vanishes instead).",
      "loss = keras.losses.BinaryCrossentropy(from_logits=False)",
    ],
    "keras.metrics.BinaryAccuracy()",
  ],
  sigmoid_mse: [
    ["# MSE between the sigmoid probabilities and the 0/1 labels.", "loss = keras.losses.MeanSquaredError()"],
    "keras.metrics.BinaryAccuracy()",
  ],
  softmax_ce: [
    [
      "# Stable cross-entropy: the output layer gives logits and the loss applies the softmax",
      "# itself (log-sum-exp form), so it stays finite however confident the network gets.",
      "loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)",
    ],
    "keras.metrics.SparseCategoricalAccuracy()",
  ],
  softmax_ce_naive: [
    [
      "# The unstable form, on purpose: cross-entropy computed from softmax probabilities,",
      "# which round to exactly 0 for large logits (Keras clips them, so its loss saturates",
      "# and the gradient vanishes instead of becoming inf).",
      "loss = keras.losses.SparseCategoricalCrossentropy(from_logits=False)",
    ],
    "keras.metrics.SparseCategoricalAccuracy()",
  ],
  softmax_mse: [
    ["# MSE between the softmax probabilities and the one-hot classes.", "loss = keras.losses.MeanSquaredError()"],
    "keras.metrics.CategoricalAccuracy()",
  ],
  linear_mse: [["loss = keras.losses.MeanSquaredError()"], null],
  relu_mse: [["loss = keras.losses.MeanSquaredError()"], null],
  perceptron: [[], null],
};

/**
 * `learning_rate`: a number, or a Keras schedule stepped so that it follows the playground's
 * per-epoch decay.
 * @param {Plan} plan
 * @returns {string[]}
 */
function scheduleLines(plan) {
  const s = plan.s;
  const lr = pyFloat(Number(s.learning_rate));
  if (s.decay === "none") return [`learning_rate = ${lr}`];
  const rate = pyFloat(Number(s.decay_rate));
  const epochs = pyInt(s.decay_epochs);
  const lines = [
    "# Keras schedules count optimizer steps, the playground counts epochs: one epoch is",
    "# steps_per_epoch = ceil(training points / batch size) steps.",
    "steps_per_epoch = math.ceil(n_train / batch_size)",
  ];
  if (s.decay === "exponential") {
    lines.push(
      `# learning_rate * ${rate} ** (epoch / ${epochs}), changed once an epoch as in the playground.`,
      ...pyCall("", "learning_rate = keras.optimizers.schedules.ExponentialDecay", [
        `initial_learning_rate=${lr}`,
        "decay_steps=steps_per_epoch",
        `decay_rate=${rate} ** (1 / ${epochs})`,
        "staircase=True",
      ]),
    );
  } else if (s.decay === "step") {
    lines.push(
      `# learning_rate * ${rate} ** floor(epoch / ${epochs}): a step down every ${epochs} epochs.`,
      ...pyCall("", "learning_rate = keras.optimizers.schedules.ExponentialDecay", [
        `initial_learning_rate=${lr}`,
        `decay_steps=${epochs} * steps_per_epoch`,
        `decay_rate=${rate}`,
        "staircase=True",
      ]),
    );
  } else {
    lines.push(
      `# Cosine from learning_rate down to ${rate} * learning_rate over ${epochs} epochs, then flat`,
      "# (Keras lowers it every step, the playground once an epoch).",
      ...pyCall("", "learning_rate = keras.optimizers.schedules.CosineDecay", [
        `initial_learning_rate=${lr}`,
        `decay_steps=${epochs} * steps_per_epoch`,
        `alpha=${rate}`,
      ]),
    );
  }
  return lines;
}

/**
 * The optimizer's comment lines and its construction.
 * @param {Plan} plan
 * @returns {string[]}
 */
function optimizerLines(plan) {
  const s = plan.s;
  /** @type {Record<OptimizerName, [string, string[], string[]]>} class, arguments after learning_rate, notes */
  const optimizers = {
    sgd: ["SGD", [], ["# Plain minibatch gradient descent (full-batch when batch_size >= the training points)."]],
    momentum: ["SGD", [`momentum=${pyFloat(Number(s.momentum))}`], []],
    nesterov: ["SGD", [`momentum=${pyFloat(Number(s.momentum))}`, "nesterov=True"], []],
    rmsprop: [
      "RMSprop",
      [`rho=${pyFloat(Number(s.rho))}`, `epsilon=${pyFloat(Number(s.epsilon))}`],
      ["# Keras adds epsilon inside the square root, the playground outside: they differ only", "# where the gradients are tiny."],
    ],
    adam: [
      "Adam",
      [`beta_1=${pyFloat(Number(s.beta1))}`, `beta_2=${pyFloat(Number(s.beta2))}`, `epsilon=${pyFloat(Number(s.epsilon))}`],
      [],
    ],
  };
  const [optimizerClass, args, notes] = optimizers[plan.optimizer];
  return [...notes, ...pyCall("", `optimizer = keras.optimizers.${optimizerClass}`, ["learning_rate=learning_rate", ...args])];
}

/**
 * `callbacks`: early stopping on the test loss, restoring the best weights.
 * @param {Plan} plan
 * @returns {string[]}
 */
function callbackLines(plan) {
  const patience = pyInt(plan.s.patience);
  return [
    `# Early stopping: stop once the test loss has not improved for ${patience} epochs, and go`,
    "# back to the weights with the lowest test loss.",
    ...(penalised(plan) ? ["# (Keras's val_loss includes the L1/L2 penalty; the playground's test loss does not.)"] : []),
    "callbacks = [",
    ...pyCall("    ", "keras.callbacks.EarlyStopping", ['monitor="val_loss"', `patience=${patience}`, "restore_best_weights=True"], ","),
    "]",
  ];
}

/**
 * The training section, from its heading to the final evaluation.
 * @param {Plan} plan
 * @returns {string[]}
 */
export function kerasTrainingLines(plan) {
  const s = plan.s;
  const [lossLines, metric] = LOSSES[plan.kind];
  const lines = [
    "# ---- training ------------------------------------------------------------------------",
    ...lossLines,
    `batch_size = ${pyInt(s.batch_size)}`,
    ...scheduleLines(plan),
    ...optimizerLines(plan),
  ];
  const compileArgs = ["optimizer=optimizer", "loss=loss"];
  if (metric) {
    if (metric.includes("threshold=0.0")) lines.push("# Accuracy thresholds the logits at 0, i.e. the probabilities at 0.5.");
    lines.push(...pyCall("", "model.compile", [...compileArgs, `metrics=[${metric}]`]));
  } else {
    lines.push(`model.compile(${compileArgs.join(", ")})`);
  }
  const callbacks = s.early_stopping ? callbackLines(plan) : [];
  const fitArgs = ["X_train", "y_train", "batch_size=batch_size", "epochs=epochs", "validation_data=(X_test, y_test)"];
  if (callbacks.length) fitArgs.push("callbacks=callbacks");
  fitArgs.push("verbose=2");
  lines.push(
    "",
    epochsLine(plan, "epochs"),
    ...callbacks,
    ...pyCall("", "history = model.fit", fitArgs),
    'print("test:", model.evaluate(X_test, y_test, verbose=0, return_dict=True))',
  );
  return lines;
}
