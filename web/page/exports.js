// @ts-check
// What a user can take away: the boundary as PNG, the trained weights as JSON, and the
// script that trains the model (Keras or JAX, written by the server) in a dialog. DOM only.
import { element, make } from "./dom.js";
import { send } from "../shared/protocol.js";

/** @param {Blob} blob @param {string} name */
function download(blob, name) {
  const url = URL.createObjectURL(blob);
  make("a", { href: url, download: name }).click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/**
 * The exact weights of one model of the latest frame, with the settings that made them.
 * @param {import("../shared/protocol.js").ModelFrame} model @param {Record<string, unknown>} settings
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

/**
 * Wires the download buttons and "Show code". @param {import("./drawing.js").Drawing} session
 * @param {import("../shared/page_state.js").PageState} state @returns {CodeDialog} for `code` answers
 */
export function bindExports(session, state) {
  element("download-png").addEventListener("click", async () => {
    const png = await session.png(); // null: nothing painted yet
    if (png) download(png, "boundary.png");
  });
  element("download-weights").addEventListener("click", () => {
    const text = state.lastModel && JSON.stringify(weightsDocument(state.lastModel, state.settings), null, 1);
    if (text) download(new Blob([text], { type: "application/json" }), "weights.json");
  });
  // In compare mode the script is that of the model whose gradients are shown. Not
  // state.post: the server answers an export with `code`, not with a `settings` answer.
  const model = () => (state.compare.length ? Number(/** @type {HTMLSelectElement} */ (element("gradient-model")).value) : 0);
  const dialog = new CodeDialog(/** @type {HTMLDialogElement} */ (element("code-dialog")), (format) => session.post(send.export(format, model())));
  element("show-code").addEventListener("click", () => dialog.open());
  return dialog;
}

/**
 * The "Show code" dialog: asks the server for the script of the model on screen (the server
 * writes it from the session's data, initial weights and settings) and shows the answer.
 * Buttons data-code="keras|jax" choose the format, "copy" and "download" take the script.
 */
export class CodeDialog {
  /**
   * @param {HTMLDialogElement} dialog with a <pre><code> and the data-code buttons
   * @param {(format: "keras" | "jax") => void} request sends an export request
   */
  constructor(dialog, request) {
    this.dialog = dialog;
    this.request = request;
    this.code = /** @type {HTMLElement} */ (dialog.querySelector("code"));
    /** @type {"keras" | "jax"} the format shown, or on its way */
    this.format = "keras";
    this.filename = "";
    dialog.addEventListener("click", (event) => {
      const kind = /** @type {HTMLElement} */ (event.target).dataset?.code;
      if (kind === "copy") navigator.clipboard?.writeText(this.code.textContent ?? "").catch(() => undefined);
      else if (kind === "download" && this.filename) download(new Blob([this.code.textContent ?? ""], { type: "text/x-python" }), this.filename);
      else if (kind === "keras" || kind === "jax") this.ask(kind);
    });
  }

  /** Opens the dialog on a fresh script of the model as it is now. */
  open() {
    this.ask(this.format);
    this.dialog.showModal();
  }

  /** @param {"keras" | "jax"} format */
  ask(format) {
    this.format = format;
    this.filename = "";
    this.code.textContent = "The server is writing the script…";
    for (const button of this.dialog.querySelectorAll("[data-code]")) {
      const kind = button.getAttribute("data-code");
      if (kind === "keras" || kind === "jax") button.setAttribute("aria-pressed", String(kind === format));
    }
    this.request(format);
  }

  /** @param {Record<string, any>} message the server's `code` message */
  show(message) {
    if (message.format !== this.format) return; // an answer to a format since left
    this.filename = message.filename;
    this.code.textContent = message.code;
    this.dialog.dataset.filename = message.filename;
  }
}
