// @ts-check
// What every script shares: the opening comment (summary and notes), the data section with its
// features() and train/test split, the epochs line. Must not import the framework writers.

import { pyFloat, pyInt, plain, wrapComment } from "./python.js";
import { DOMAIN, FEATURE_COLUMNS, TARGET_NOISE } from "./vocabulary.js";

/** @typedef {import("./plan.js").Plan} Plan */
/** @typedef {import("./plan.js").Problem} Problem */

/**
 * @param {Plan} plan
 * @returns {string} e.g. "binary classification, 2 features, hidden layers [4, 2], cross_entropy, sgd"
 */
function summary(plan) {
  const what = {
    binary: "binary classification",
    multiclass: `${plan.nOutputs}-class classification`,
    multilabel: `${plan.nOutputs}-label classification`,
    regression: "regression",
  }[plan.problem];
  const layers = plan.hidden.length ? `hidden layers [${plan.hidden.join(", ")}]` : "no hidden layer";
  const loss = plan.problem === "regression" ? `mse, ${plan.s.regression_output} output` : plain(plan.s.loss);
  return `${what}, ${plan.features.length} feature${plan.features.length > 1 ? "s" : ""}, ${layers}, ${loss}, ${plain(plan.optimizer)}`;
}

/**
 * The script's opening comment: what it is, the plan's summary, `about`, then the plan's notes.
 * @param {Plan} plan
 * @param {string} title e.g. "Keras 3"
 * @param {string[]} about comment lines on what the script needs and how it differs
 * @returns {string[]}
 */
export function headerLines(plan, title, about) {
  return [
    `# ${title} version of the neural-network playground's model:`,
    `# ${summary(plan)}.`,
    ...about,
    ...(plan.notes.length ? ["#", ...plan.notes.flatMap((note) => wrapComment(`Note: ${note}`))] : []),
  ];
}

/**
 * @param {Plan} plan
 * @param {string} name the script's variable, e.g. "epochs"
 * @returns {string} the line that sets how long the script trains
 */
export function epochsLine(plan, name) {
  return `${name} = ${pyInt(plan.epochs)}  # the playground trains until paused: choose how long`;
}

/**
 * How a script wants its targets.
 * @typedef {"column" | "flat" | "labels" | "onehot" | "multilabel" | "value"} TargetForm
 */

/** @type {Record<Problem, TargetForm>} the targets as the problem has them, before any loss wants others */
const NATURAL_FORMS = { binary: "column", multiclass: "labels", multilabel: "multilabel", regression: "value" };

/**
 * @param {Plan} plan
 * @returns {TargetForm} the target form of the plan's problem
 */
export function naturalForm(plan) {
  return NATURAL_FORMS[plan.problem];
}

/**
 * The placeholder data, the feature columns and the train/test split: X (n, 2) and y.
 * @param {Plan} plan
 * @param {TargetForm} form
 * @returns {string[]}
 */
export function dataLines(plan, form) {
  const s = plan.s;
  const k = plan.nOutputs;
  const n = pyInt(s.n_points);
  const noise = Number(s.noise);
  const percent = Math.round(Number(s.train_fraction) * 100);
  const source =
    s.dataset === "custom"
      ? `the points you drew, ${percent}% of them to train.`
      : `${n} points of its "${plain(s.dataset)}" dataset (noise ${pyFloat(noise)}), ${percent}% of them to train.`;
  /** @type {string[]} */
  const shape = {
    column: ["y: (n, 1) labels, 0 or 1.", "The placeholder labels random points by a circle of radius 3."],
    flat: ["y: (n,) labels, 0 or 1.", "The placeholder labels random points by a circle of radius 3."],
    labels: [`y: (n,) class indices 0 to ${k - 1}.`, `The placeholder cuts the plane into ${k} angular sectors.`],
    onehot: [
      `y: (n, ${k}) one-hot classes, for MSE.`,
      `The placeholder cuts the plane into ${k} angular sectors.`,
    ],
    multilabel: [`y: (n, ${k}) labels, each 0 or 1.`, "The placeholder labels each point by half-planes."],
    value: ["y: (n, 1) target values.", "The placeholder is a bump around the origin."],
  }[form];
  const lines = [
    "# ---- data ----------------------------------------------------------------------------",
    `# The playground used ${source}`,
    `rng = np.random.default_rng(${pyInt(s.data_seed)})  # the playground's data_seed`,
    "",
    "# ==== your data here ==================================================================",
    `# X: (n, 2) points (x1, x2), each in [${pyFloat(-DOMAIN)}, ${pyFloat(DOMAIN)}]; ${shape[0]}`,
    `# ${shape[1]} Replace it with your own data.`,
    `X = rng.uniform(${pyFloat(-DOMAIN)}, ${pyFloat(DOMAIN)}, size=(${n}, 2))`,
  ];
  if (form === "column" || form === "flat") {
    const suffix = form === "column" ? "[:, None]" : "";
    lines.push(`y = (np.hypot(X[:, 0], X[:, 1]) < 3.0).astype("float32")${suffix}`);
  } else if (form === "labels" || form === "onehot") {
    lines.push(`y = (np.floor((np.arctan2(X[:, 1], X[:, 0]) + np.pi) / (2 * np.pi) * ${k}) % ${k}).astype("int32")`);
    if (form === "onehot") lines.push(`y = np.eye(${k}, dtype="float32")[y]  # one-hot`);
  } else if (form === "multilabel") {
    const halfPlanes = ["X[:, 0] > 0.0", "X[:, 1] > 0.0", "X[:, 0] + X[:, 1] > 1.0", "X[:, 0] - X[:, 1] > 1.0", "X[:, 1] < -2.0"];
    const columns = Array.from({ length: k }, (_, i) => halfPlanes[i % halfPlanes.length]);
    lines.push(`y = np.stack([${columns.join(", ")}], axis=1).astype("float32")`);
  } else {
    lines.push('y = np.exp(-(X[:, 0] ** 2 + X[:, 1] ** 2) / 8.0)[:, None].astype("float32")');
  }
  if (noise > 0 && form === "value") {
    lines.push(`y = y + rng.normal(0.0, ${pyFloat(TARGET_NOISE * noise)}, size=y.shape).astype("float32")  # noise`);
  } else if (noise > 0) {
    lines.push(`X = X + rng.normal(0.0, ${pyFloat(noise)}, size=X.shape)  # noise: jitter the points`);
  }
  lines.push(
    "# ==== end of your data ================================================================",
    "",
    "",
    "def features(X):",
    '    """The network\'s inputs: the selected feature columns, computed from x1 and x2."""',
    "    x1, x2 = X[:, 0], X[:, 1]",
    "    columns = [",
    ...plan.features.map((name) => `        ${FEATURE_COLUMNS[/** @type {keyof typeof FEATURE_COLUMNS} */ (name)]},  # ${name}`),
    "    ]",
    '    return np.stack(columns, axis=1).astype("float32")',
    "",
    "",
    `# Shuffle, then the first round(n * ${pyFloat(Number(s.train_fraction))}) points train and the rest test.`,
    "order = rng.permutation(len(X))",
    `n_train = min(max(round(len(X) * ${pyFloat(Number(s.train_fraction))}), 1), len(X) - 1)`,
    "X_train, y_train = features(X[order[:n_train]]), y[order[:n_train]]",
    "X_test, y_test = features(X[order[n_train:]]), y[order[n_train:]]",
  );
  return lines;
}
