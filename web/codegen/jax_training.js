// @ts-check
// The JAX script's optimizer and training sections: the optax optimizer and per-epoch schedule,
// the jitted train_step and evaluate, the epoch loop with early stopping. Must not import the
// Keras or perceptron writers.

import { keyArgument } from "./jax_model.js";
import { pyCall, pyFloat, pyInt } from "./python.js";
import { epochsLine } from "./sections.js";

/** @typedef {import("./plan.js").Plan} Plan */
/** @typedef {import("./plan.js").OptimizerName} OptimizerName */

/**
 * `learning_rate`: a number, or a function of the optax step that reads an epoch schedule.
 * @param {Plan} plan
 * @returns {string[]}
 */
function scheduleLines(plan) {
  const s = plan.s;
  const lr = pyFloat(Number(s.learning_rate));
  const rate = pyFloat(Number(s.decay_rate));
  const decayEpochs = pyInt(s.decay_epochs);
  if (s.decay === "none") return [`learning_rate = ${lr}`];
  const epochSchedule = {
    exponential: [
      `# learning_rate * ${rate} ** (epoch / ${decayEpochs})`,
      ...pyCall("", "epoch_schedule = optax.exponential_decay", [
        `init_value=${lr}`,
        `transition_steps=${decayEpochs}`,
        `decay_rate=${rate}`,
      ]),
    ],
    step: [
      `# learning_rate * ${rate} ** floor(epoch / ${decayEpochs})`,
      ...pyCall("", "epoch_schedule = optax.exponential_decay", [
        `init_value=${lr}`,
        `transition_steps=${decayEpochs}`,
        `decay_rate=${rate}`,
        "staircase=True",
      ]),
    ],
    cosine: [
      `# cosine from learning_rate down to ${rate} * learning_rate over ${decayEpochs} epochs, then flat`,
      ...pyCall("", "epoch_schedule = optax.cosine_decay_schedule", [
        `init_value=${lr}`,
        `decay_steps=${decayEpochs}`,
        `alpha=${rate}`,
      ]),
    ],
  }[/** @type {"exponential" | "step" | "cosine"} */ (s.decay)];
  return [
    "# optax schedules count optimizer steps, the playground counts epochs: the schedule is",
    "# written in epochs and read at step // steps_per_epoch, with",
    "# steps_per_epoch = ceil(training points / batch size).",
    "steps_per_epoch = math.ceil(n_train / BATCH_SIZE)",
    ...epochSchedule,
    "",
    "",
    "def learning_rate(step):",
    "    return epoch_schedule(step // steps_per_epoch)",
    "",
    "",
  ];
}

/**
 * The optimizer's comment line and its construction.
 * @param {Plan} plan
 * @returns {string[]}
 */
function optimizerLines(plan) {
  const s = plan.s;
  /** @type {Record<OptimizerName, [string, string[], string]>} optax function, arguments, comment */
  const optimizers = {
    sgd: ["optax.sgd", ["learning_rate"], "# Plain minibatch gradient descent (full-batch when BATCH_SIZE >= the training points)."],
    momentum: [
      "optax.sgd",
      ["learning_rate", `momentum=${pyFloat(Number(s.momentum))}`],
      "# Heavy-ball momentum: v <- g + momentum * v; params <- params - learning_rate * v.",
    ],
    nesterov: [
      "optax.sgd",
      ["learning_rate", `momentum=${pyFloat(Number(s.momentum))}`, "nesterov=True"],
      "# Nesterov momentum: the step looks ahead along the velocity.",
    ],
    rmsprop: [
      "optax.rmsprop",
      ["learning_rate", `decay=${pyFloat(Number(s.rho))}`, `eps=${pyFloat(Number(s.epsilon))}`, "eps_in_sqrt=False"],
      "# RMSProp with epsilon outside the square root, as in the playground.",
    ],
    adam: [
      "optax.adam",
      ["learning_rate", `b1=${pyFloat(Number(s.beta1))}`, `b2=${pyFloat(Number(s.beta2))}`, `eps=${pyFloat(Number(s.epsilon))}`],
      "# Adam with bias-corrected moments.",
    ],
  };
  const [callee, args, comment] = optimizers[plan.optimizer];
  return [comment, ...pyCall("", `optimizer = ${callee}`, args)];
}

/**
 * The optimizer section (BATCH_SIZE to evaluate) and the training section (the epoch loop).
 * @param {Plan} plan
 * @returns {string[]}
 */
export function jaxTrainingLines(plan) {
  const s = plan.s;
  const keyArg = keyArgument(plan);
  const accuracy = plan.problem !== "regression";
  const lines = [
    "# ---- optimizer -----------------------------------------------------------------------",
    `BATCH_SIZE = ${pyInt(s.batch_size)}`,
    ...scheduleLines(plan),
    ...optimizerLines(plan),
    "",
    "",
    "@jax.jit",
    `def train_step(params, opt_state, x, y${keyArg}):`,
    `    loss, grads = jax.value_and_grad(objective)(params, x, y${keyArg})`,
    "    updates, opt_state = optimizer.update(grads, opt_state, params)",
    "    return optax.apply_updates(params, updates), opt_state, loss",
    "",
    "",
    "@jax.jit",
    "def evaluate(params, x, y):",
    '    """The loss as the playground reports it (no penalty, no dropout)' + (accuracy ? ' and the accuracy."""' : '."""'),
    "    logits = forward(params, x)",
    accuracy ? "    return data_loss(logits, y), accuracy(logits, y)" : "    return data_loss(logits, y)  # regression: no accuracy",
    "",
    "",
    "# ---- training ------------------------------------------------------------------------",
    epochsLine(plan, "EPOCHS"),
    `key = jax.random.PRNGKey(${pyInt(s.seed)})  # the playground's seed (its draws differ)`,
    "key, init_key = jax.random.split(key)",
    "params = init_params(init_key)",
    "opt_state = optimizer.init(params)",
    `shuffle_rng = np.random.default_rng(${pyInt(s.seed)})`,
  ];
  if (s.early_stopping) {
    lines.push(
      `PATIENCE = ${pyInt(s.patience)}  # early stopping: epochs without a better test loss`,
      "best_loss, best_params, best_epoch = math.inf, params, 0",
    );
  }
  lines.push(
    "for epoch in range(EPOCHS):",
    "    order = shuffle_rng.permutation(n_train)",
    "    for start in range(0, n_train, BATCH_SIZE):",
    "        rows = order[start : start + BATCH_SIZE]",
  );
  if (keyArg) {
    lines.push(
      "        key, dropout_key = jax.random.split(key)",
      "        params, opt_state, loss = train_step(",
      "            params, opt_state, X_train[rows], y_train[rows], dropout_key",
      "        )",
    );
  } else {
    lines.push("        params, opt_state, loss = train_step(params, opt_state, X_train[rows], y_train[rows])");
  }
  lines.push(
    accuracy ? "    train_loss, train_accuracy = evaluate(params, X_train, y_train)" : "    train_loss = evaluate(params, X_train, y_train)",
    accuracy ? "    test_loss, test_accuracy = evaluate(params, X_test, y_test)" : "    test_loss = evaluate(params, X_test, y_test)",
    "    test_loss = float(test_loss)",
    "    if epoch % max(1, EPOCHS // 20) == 0 or epoch == EPOCHS - 1:",
    ...(accuracy
      ? [
          "        print(",
          '            f"epoch {epoch + 1}: train loss {float(train_loss):.4f}, test loss {test_loss:.4f}, "',
          '            f"train accuracy {float(train_accuracy):.3f}, test accuracy {float(test_accuracy):.3f}"',
          "        )",
        ]
      : ['        print(f"epoch {epoch + 1}: train loss {float(train_loss):.4f}, test loss {test_loss:.4f}")']),
  );
  if (s.early_stopping) {
    lines.push(
      "    if test_loss < best_loss:",
      "        best_loss, best_params, best_epoch = test_loss, params, epoch + 1",
      "    elif epoch + 1 - best_epoch >= PATIENCE:",
      "        params = best_params  # restore the weights with the lowest test loss",
      '        print(f"stopped early at epoch {epoch + 1}; best weights from epoch {best_epoch}")',
      "        break",
    );
  }
  lines.push(
    "",
    accuracy
      ? 'print("test loss and accuracy:", [float(v) for v in evaluate(params, X_test, y_test)])'
      : 'print("test loss:", float(evaluate(params, X_test, y_test)))',
  );
  return lines;
}
