// @ts-check
// Settling the playground's settings into a Plan: protocol defaults, lists fitted to the depth,
// the loss kind, notes on what a script changes. Must not import the script writers.

import { plain } from "./python.js";
import { FEATURE_COLUMNS, KERAS_ACTIVATIONS, KERAS_INITS } from "./vocabulary.js";

/** @typedef {"binary" | "multiclass" | "multilabel" | "regression"} Problem */
/**
 * The criterion the engine trains with (hyper.LossKind): problem, loss and output together.
 * @typedef {"sigmoid_ce" | "sigmoid_ce_naive" | "sigmoid_mse" | "softmax_ce" | "softmax_ce_naive"
 *   | "softmax_mse" | "linear_mse" | "relu_mse" | "perceptron"} LossKind
 */
/** @typedef {"sgd" | "momentum" | "nesterov" | "rmsprop" | "adam"} OptimizerName */
/** @typedef {"none" | "exponential" | "step" | "cosine"} DecayName */
/** @typedef {{epochs?: number}} CodeOptions `epochs`: how long the script trains (the playground runs until paused). */
/**
 * Everything a script needs, settled once: lists fitted to the depth, the loss kind chosen.
 * @typedef {{
 *   s: Record<string, any>,
 *   problem: Problem,
 *   nOutputs: number,
 *   kind: LossKind,
 *   features: string[],
 *   hidden: number[],
 *   activations: string[],
 *   dropout: number[],
 *   optimizer: OptimizerName,
 *   epochs: number,
 *   notes: string[],
 * }} Plan
 */

/** Epochs a script trains for when the caller does not say. */
export const DEFAULT_EPOCHS = 300;

/** The protocol's defaults (docs/protocol.md section 8), for settings left out; a Python test
 * (tests/test_web_defaults.py) checks them against protocol.Settings. */
export const DEFAULTS = Object.freeze({
  dataset: "circle",
  n_points: 500,
  noise: 0.0,
  train_fraction: 0.5,
  n_classes: 3,
  data_seed: 0,
  features: ["x1", "x2"],
  hidden: [4, 2],
  activations: ["tanh", "tanh"],
  loss: "cross_entropy",
  regression_output: "linear",
  init: "glorot_uniform",
  seed: 0,
  optimizer: "sgd",
  learning_rate: 0.03,
  momentum: 0.9,
  beta1: 0.9,
  beta2: 0.999,
  rho: 0.9,
  epsilon: 1e-7,
  decay: "none",
  decay_rate: 0.5,
  decay_epochs: 100,
  batch_size: 10,
  l1: 0.0,
  l2: 0.0,
  dropout: [0.0, 0.0],
  early_stopping: false,
  patience: 20,
});

const PROBLEMS = ["binary", "multiclass", "multilabel", "regression"];
const OPTIMIZERS = ["sgd", "momentum", "nesterov", "rmsprop", "adam"];
const DECAYS = ["none", "exponential", "step", "cosine"];

/**
 * @template T
 * @param {T[]} values
 * @param {number} depth
 * @returns {T[]} cut to `depth`, or extended by repeating the last entry (training_setup.fit_to_depth)
 */
function fitToDepth(values, depth) {
  return Array.from({ length: depth }, (_, i) => values[Math.min(i, values.length - 1)]);
}

/**
 * @param {Record<string, any>} settings the playground's settings (docs/protocol.md section 8)
 * @param {string} problem
 * @param {number} nOutputs classes (multiclass) or labels (multilabel); 1 otherwise
 * @param {CodeOptions} options
 * @returns {Plan}
 */
export function planOf(settings, problem, nOutputs, options) {
  if (!PROBLEMS.includes(problem)) throw new Error(`unknown problem: ${problem}`);
  const p = /** @type {Problem} */ (problem);
  /** @type {Record<string, any>} */
  const s = { ...DEFAULTS, ...settings };
  /** @type {string[]} */
  const notes = [];
  const selected = new Set(s.features);
  for (const name of selected) {
    if (!(name in FEATURE_COLUMNS)) throw new Error(`unknown feature: ${name}`);
  }
  const features = Object.keys(FEATURE_COLUMNS).filter((name) => selected.has(name));
  if (features.length === 0) throw new Error("at least one feature is needed");
  /** @type {[string, string[]][]} */
  const choiceLists = [
    ["optimizer", OPTIMIZERS],
    ["decay", DECAYS],
    ["init", Object.keys(KERAS_INITS)],
  ];
  for (const [name, choices] of choiceLists) {
    if (!choices.includes(s[name])) throw new Error(`unknown ${name}: ${s[name]}`);
  }
  let hidden = s.hidden.map(Number);
  let loss = s.loss;
  /** @type {LossKind} */
  let kind;
  if (p === "regression") {
    kind = s.regression_output === "relu" ? "relu_mse" : "linear_mse";
  } else {
    if (loss === "perceptron" && p !== "binary") {
      notes.push("The playground takes the perceptron rule for binary data only: this script uses cross-entropy.");
      loss = "cross_entropy";
    }
    const softmax = p === "multiclass";
    if (loss === "perceptron") kind = "perceptron";
    else if (loss === "cross_entropy") kind = softmax ? "softmax_ce" : "sigmoid_ce";
    else if (loss === "cross_entropy_naive") kind = softmax ? "softmax_ce_naive" : "sigmoid_ce_naive";
    else if (loss === "mse") kind = softmax ? "softmax_mse" : "sigmoid_mse";
    else throw new Error(`unknown loss: ${loss}`);
  }
  let optimizer = s.optimizer;
  if (kind === "perceptron") {
    if (hidden.length > 0) {
      notes.push("The perceptron rule trains a network without hidden layers: the hidden layers are left out.");
      hidden = [];
    }
    if (optimizer !== "sgd") {
      notes.push(`The playground trains the perceptron rule by plain SGD whatever the optimizer (${plain(optimizer)}): so does this script.`);
      optimizer = "sgd";
    }
  }
  const depth = hidden.length;
  const activations = fitToDepth(s.activations.length ? s.activations : ["tanh"], depth);
  for (const activation of activations) {
    if (!(activation in KERAS_ACTIVATIONS)) throw new Error(`unknown activation: ${activation}`);
  }
  const dropout = fitToDepth(s.dropout.length ? s.dropout.map(Number) : [0], depth);
  const outputs = p === "multiclass" || p === "multilabel" ? Math.max(1, Math.round(nOutputs)) : 1;
  const epochs = Math.max(1, Math.round(options.epochs ?? DEFAULT_EPOCHS));
  return { s, problem: p, nOutputs: outputs, kind, features, hidden, activations, dropout, optimizer, epochs, notes };
}

/**
 * @param {Plan} plan
 * @returns {boolean} whether the weights carry an L1 or L2 penalty
 */
export function penalised(plan) {
  return Number(plan.s.l1) > 0 || Number(plan.s.l2) > 0;
}
