// @ts-check
// What a user can take away: the boundary as PNG, the trained weights as JSON, and the
// equivalent Keras or JAX code in a dialog. DOM only; the code itself comes from codegen.js.
import { jaxCode, kerasCode } from "./codegen.js";

/** @param {Blob} blob @param {string} name */
function download(blob, name) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** @param {Blob | null} png the boundary as painted (null: nothing painted yet) */
export function downloadBoundary(png) {
  if (png) download(png, "boundary.png");
}

/**
 * The exact weights of one model of the latest frame, with the settings that made them.
 * @param {import("./protocol.js").ModelFrame} model @param {Record<string, unknown>} settings
 */
export function weightsDocument(model, settings) {
  const layers = [];
  for (let layer = 0; `weights.${layer}` in model.arrays; layer += 1) {
    const weights = model.arrays[`weights.${layer}`];
    const [fanIn, fanOut] = weights.shape;
    const rows = [];
    for (let i = 0; i < fanIn; i += 1) rows.push(Array.from(weights.data.subarray(i * fanOut, (i + 1) * fanOut)));
    layers.push({ weights: rows, biases: Array.from(model.arrays[`biases.${layer}`].data) });
  }
  return { epoch: model.epoch, features: model.features, hidden: model.hidden, settings, layers };
}

/** @param {import("./protocol.js").ModelFrame} model @param {Record<string, unknown>} settings */
export function downloadWeights(model, settings) {
  const text = JSON.stringify(weightsDocument(model, settings), null, 1);
  download(new Blob([text], { type: "application/json" }), "weights.json");
}

/**
 * Fills and opens the code dialog.
 * @param {HTMLDialogElement} dialog with a <pre><code> and buttons data-code="keras|jax|copy"
 * @param {Record<string, any>} settings @param {string} problem @param {number} nOutputs
 */
export function showCode(dialog, settings, problem, nOutputs) {
  const code = /** @type {HTMLElement} */ (dialog.querySelector("code"));
  const problemName = /** @type {import("./codegen.js").Problem} */ (problem);
  /** @param {string} kind */
  const show = (kind) => {
    code.textContent = kind === "jax" ? jaxCode(settings, problemName, nOutputs) : kerasCode(settings, problemName, nOutputs);
    for (const button of dialog.querySelectorAll("[data-code]")) {
      button.setAttribute("aria-pressed", String(button.getAttribute("data-code") === kind));
    }
  };
  dialog.onclick = (event) => {
    const kind = /** @type {HTMLElement} */ (event.target).dataset?.code;
    if (kind === "copy") navigator.clipboard?.writeText(code.textContent ?? "").catch(() => undefined);
    else if (kind) show(kind);
  };
  show("keras");
  dialog.showModal();
}
