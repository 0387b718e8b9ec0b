// @ts-check
// The perceptron rule as a plain numpy script (it is no Keras loss): init, the per-epoch learning
// rate, the minibatch loop. Must not import the Keras or JAX writers.

import { penalised } from "./plan.js";
import { pyFloat, pyInt, plain } from "./python.js";
import { dataLines, epochsLine, headerLines } from "./sections.js";
import { initFormula } from "./vocabulary.js";

/** @typedef {import("./plan.js").Plan} Plan */
/** @typedef {import("./plan.js").DecayName} DecayName */

/**
 * A Python function `learning_rate_at(epoch)` with the playground's per-epoch schedule
 * (optim.scheduled_learning_rate), for the plain numpy loop.
 * @param {Plan} plan
 * @returns {string[]}
 */
function epochRateLines(plan) {
  const s = plan.s;
  const rate = pyFloat(Number(s.decay_rate));
  const epochs = pyInt(s.decay_epochs);
  const lr = pyFloat(Number(s.learning_rate));
  const body = {
    none: [`    return ${lr}  # no decay`],
    exponential: [`    return ${lr} * ${rate} ** (epoch / ${epochs})  # exponential decay`],
    step: [`    return ${lr} * ${rate} ** (epoch // ${epochs})  # step decay`],
    cosine: [
      `    progress = min(epoch / ${epochs}, 1.0)  # cosine decay, then flat`,
      `    return ${lr} * (${rate} + (1.0 - ${rate}) * 0.5 * (1.0 + math.cos(math.pi * progress)))`,
    ],
  }[/** @type {DecayName} */ (s.decay)];
  return [
    "def learning_rate_at(epoch):",
    '    """The learning rate of a whole epoch, as the playground schedules it."""',
    ...body,
  ];
}

/**
 * The perceptron rule as a plain numpy loop (Keras has no such loss).
 * @param {Plan} plan
 * @returns {string}
 */
export function perceptronNumpy(plan) {
  const s = plan.s;
  const [formula, description] = initFormula(s.init);
  const init = formula
    ? formula
        .replace(/^U\b/, "init_rng.uniform(-1.0, 1.0, size=fan_in)")
        .replace(/^N\b/, "init_rng.standard_normal(fan_in)")
    : "np.zeros(fan_in)";
  const lines = [
    ...headerLines(plan, "Plain numpy", [
      "#",
      "# The perceptron rule is not a Keras loss: its output is a step (0 or 1) with no useful",
      "# gradient, and each update is w <- w + learning_rate * (y - yhat) x. The playground trains",
      "# it as plain gradient descent on the perceptron criterion (|z| on misclassified points,",
      "# 0 on the rest), which is exactly that rule; so this script is a numpy loop, not Keras.",
    ]),
    "import math",
    "",
    "import numpy as np",
    "",
    ...dataLines(plan, "flat"),
    "",
    "# ---- the perceptron ------------------------------------------------------------------",
    `init_rng = np.random.default_rng(${pyInt(s.seed)})  # the playground's seed (its draws differ)`,
    "fan_in, fan_out = X_train.shape[1], 1",
    `# ${plain(s.init)}: ${description}`,
    `w = ${init}`,
    "b = 0.0",
    ...(penalised(plan) ? [`l1, l2 = ${pyFloat(Number(s.l1))}, ${pyFloat(Number(s.l2))}  # weight penalties (not on the bias)`] : []),
    "",
    "",
    ...epochRateLines(plan),
    "",
    "",
    "def predict(X, w, b):",
    '    """The step output: 1 where w.x + b >= 0, else 0."""',
    '    return (X @ w + b >= 0.0).astype("float32")',
    "",
    "",
    "def perceptron_loss(X, y, w, b):",
    '    """The perceptron criterion: the mean of |z| over misclassified points (0 elsewhere)."""',
    "    return float(np.mean((predict(X, w, b) - y) * (X @ w + b)))",
    "",
    "",
    epochsLine(plan, "epochs"),
    `batch_size = ${pyInt(s.batch_size)}`,
    `shuffle_rng = np.random.default_rng(${pyInt(s.seed)})`,
  ];
  if (s.early_stopping) {
    lines.push(
      `patience = ${pyInt(s.patience)}  # early stopping: epochs without a better test loss`,
      "best_loss, best_w, best_b, best_epoch = math.inf, w.copy(), b, 0",
    );
  }
  lines.push(
    "for epoch in range(epochs):",
    "    learning_rate = learning_rate_at(epoch)",
    "    order = shuffle_rng.permutation(n_train)",
    "    for start in range(0, n_train, batch_size):",
    "        rows = order[start : start + batch_size]",
    "        x_batch, y_batch = X_train[rows], y_train[rows]",
    "        error = y_batch - predict(x_batch, w, b)  # +1: missed a 1, -1: missed a 0, 0: right",
  );
  if (penalised(plan)) {
    lines.push(
      "        # The perceptron rule averaged over the minibatch, less the penalty's gradient.",
      "        step = (error @ x_batch) / len(rows) - (l1 * np.sign(w) + 2.0 * l2 * w)",
    );
  } else {
    lines.push("        # The perceptron rule, averaged over the minibatch.", "        step = (error @ x_batch) / len(rows)");
  }
  lines.push(
    "        w = w + learning_rate * step",
    "        b = b + learning_rate * float(np.mean(error))",
    "    test_loss = perceptron_loss(X_test, y_test, w, b)",
    "    if epoch % max(1, epochs // 20) == 0 or epoch == epochs - 1:",
    "        accuracy = float(np.mean(predict(X_test, w, b) == y_test))",
    '        print(f"epoch {epoch + 1}: test loss {test_loss:.4f}, test accuracy {accuracy:.3f}")',
  );
  if (s.early_stopping) {
    lines.push(
      "    if test_loss < best_loss:",
      "        best_loss, best_w, best_b, best_epoch = test_loss, w.copy(), b, epoch + 1",
      "    elif epoch + 1 - best_epoch >= patience:",
      "        w, b = best_w, best_b  # restore the best weights",
      '        print(f"stopped early at epoch {epoch + 1}; best weights from epoch {best_epoch}")',
      "        break",
    );
  }
  lines.push(
    "",
    'print("weights:", w, "bias:", b)',
    'print("test accuracy:", float(np.mean(predict(X_test, w, b) == y_test)))',
  );
  return lines.join("\n") + "\n";
}
