// @ts-check
// The explain view's sections, made from one `explanation`: a layer forward and backward (its
// weights clickable), the output and its loss, the chain rule of the chosen weight, the
// minibatch, the derivative by nudging and the optimizer's update. DOM only; no state.
import { make } from "./dom.js";
import { chainText, lossFormula, num, prediction, sumText } from "../shared/step_text.js";

/** @typedef {import("../shared/protocol.js").Explanation} Explanation */
/** @typedef {import("../shared/protocol.js").WeightChoice} WeightChoice */

const BATCH_ROWS = 20; // a long minibatch shows its first points and how many more

/** @param {string} text @param {string} [id] */
const formula = (text, id = "") => make("p", { className: "formula", textContent: text, ...(id && { id }) });

/** @param {(string | Node)[]} head @param {(string | Node)[][]} rows */
function table(head, rows) {
  const cells = (/** @type {(string | Node)[]} */ row, /** @type {"th" | "td"} */ tag) =>
    make("tr", {}, ...row.map((cell, i) => make(i === 0 ? "th" : tag, { scope: i === 0 ? "row" : "" }, cell)));
  return make("div", { className: "scroll" }, make("table", {}, make("thead", {}, cells(head, "th")), make("tbody", {}, ...rows.map((row) => cells(row, "td")))));
}

/** Label: value pairs on one line, each value in a span with this id (tests read them). @param {[string, number, string?][]} pairs */
function values(pairs) {
  const parts = pairs.flatMap(([label, value, id], i) => [i ? "; " : "", `${label} `, make("span", { textContent: num(value), ...(id && { id }) })]);
  return make("p", {}, ...parts);
}

/**
 * Layer `index` forward (z, g(z) with the chosen unit's sum) and backward (dL/dz per unit,
 * w and the point's dL/dw per weight, each a button that chooses it).
 * @param {Explanation} explanation @param {number} index @param {(weight: WeightChoice) => void} choose
 */
export function layerSection(explanation, index, choose) {
  const layer = explanation.layers[index];
  const chosen = explanation.weight;
  const unit = chosen.layer === index ? chosen.unit : 0;
  const units = layer.units.map((_, j) => `unit ${j + 1}`);
  const forward = table(
    ["", "z = w·a + b", `a = ${layer.activation}(z)`, "dL/dz"],
    layer.units.map((each, j) => [units[j], num(each.z), num(each.a), num(each.delta)]),
  );
  const cell = (/** @type {number} */ weight, /** @type {number} */ gradient, /** @type {WeightChoice} */ choice) => {
    const pressed = chosen.layer === choice.layer && chosen.source === choice.source && chosen.unit === choice.unit;
    const label = `${choice.source < 0 ? "bias" : layer.inputs[choice.source]} to unit ${choice.unit + 1}`;
    const button = make("button", { type: "button", "aria-pressed": String(pressed), title: `${label}: w and the point's dL/dw`, "aria-label": label }, num(weight), make("small", { textContent: num(gradient) }));
    button.addEventListener("click", () => choose(choice));
    return button;
  };
  const rows = [...layer.inputs, "bias"].map((name, row) => {
    const source = row < layer.inputs.length ? row : -1;
    return [name, ...layer.units.map((_, j) =>
      source < 0 ? cell(layer.biases[j], layer.point_bias_gradients[j], { layer: index, source, unit: j })
        : cell(layer.weights[source][j], layer.point_gradients[source][j], { layer: index, source, unit: j }))];
  });
  return [
    make("h3", { textContent: `Forward and backward: ${layer.name}` }),
    forward,
    formula(`unit ${unit + 1}: ${sumText(explanation, index, unit)}`, "explain-sum"),
    make("p", { className: "hint", textContent: "Weights: w, and under it the point's dL/dw. Click one (or its line in the network) for its chain rule." }),
    table(["input", ...units], rows),
  ];
}

/** The output, the prediction and the point's loss with its formula. @param {Explanation} explanation */
export function lossSection({ output, loss_kind: kind, output_activation: activation }) {
  const list = (/** @type {number[]} */ numbers) => numbers.map(num).join(", ");
  return [
    make("h3", { textContent: "Output and loss" }),
    make("p", { textContent: `logits z: ${list(output.logits)}; ${activation}(z): ${list(output.outputs)}; targets y: ${list(output.targets)}; prediction: ${prediction(output, kind)}` }),
    values([["loss of the point", output.loss, "explain-loss"]]),
    formula(lossFormula(kind)),
  ];
}

/** The chain rule, the minibatch, the nudge and the update, at the chosen weight. @param {Explanation} explanation */
export function stepSections({ chain, batch, nudge, update, weight_name: name }) {
  const shown = batch.points.slice(0, BATCH_ROWS).map((point) => [String(point.index), num(point.loss), num(point.gradient)]);
  const more = batch.points.length - shown.length;
  return [
    make("h3", { textContent: `Chain rule for ${name}` }),
    formula(chainText(chain), "explain-chain"),
    make("p", { className: "hint", textContent: chain.factors.map((each) => `${each.name}: ${num(each.value)}`).join("; ") }),
    values([["the engine's dL/dw", chain.gradient, "explain-chain-gradient"]]),
    make("h3", { textContent: `Minibatch ${batch.number} of ${batch.of}: ${batch.points.length} points` }),
    table(["point", "loss", "dL/dw"], shown),
    ...(more > 0 ? [make("p", { className: "hint", textContent: `… and ${more} more` })] : []),
    values([["mean", batch.mean], ["step's gradient", batch.step_gradient], ["L1/L2 term", batch.penalty], ["dJ/dw", batch.gradient, "explain-dj"]]),
    make("h3", { textContent: "The derivative by nudging w" }),
    values([["J(w)", nudge.cost], ["J(w + ε)", nudge.nudged_cost], ["(J(w + ε) − J(w)) / ε", nudge.slope, "explain-slope"], ["dJ/dw", nudge.gradient]]),
    make("h3", { textContent: `The update (${update.optimizer})` }),
    values([["learning rate", update.learning_rate], ["dJ/dw", update.gradient]]),
    ...update.terms.map((term) => values([[term.name, term.value]])),
    values([["direction", update.direction], ["w before", update.before, "explain-before"], ["w after", update.after, "explain-after"]]),
    formula(`w ← w − learning rate · direction = ${num(update.before)} − ${num(update.learning_rate)} · ${num(update.direction)} = ${num(update.after)}`),
  ];
}
