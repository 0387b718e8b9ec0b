// @ts-check
// The wire, decoded: binary frames into typed-array views, text messages into objects, and
// the client messages the page sends. Pure: no DOM, no socket (node --test runs it).

/**
 * @typedef {{data: Uint8Array | Float32Array, shape: number[]}} WireArray
 * @typedef {Record<string, any> & {arrays: Record<string, WireArray>}} ModelFrame
 * @typedef {{frame: number, revision: number, state: string, models: ModelFrame[], bytes: number}} Frame
 */

// The server's messages as the page reads them: protocol.py's models, field for field
// (tests/test_web_contract.py compares these typedefs and SERVER_FIELDS with the models' JSON
// Schemas, so a renamed field fails there and, at run time, in parseMessage).
/**
 * @typedef {{type: "ready", version: string, limits: Record<string, any>, settings: Record<string, any>, epochs_per_frame: number, effects: Record<string, string[]>, models: ModelSettings[]}} Ready
 * @typedef {{type: "data", problem: string, n_outputs: number, train: number[][], test: number[][], target_low: number, target_high: number}} Data
 * @typedef {{type: "status", state: string, epoch: number, detail: string}} Status
 * @typedef {{type: "error", field: string, expected: string, received: string, message: string}} ErrorMessage
 * @typedef {{type: "busy", reason: string, max_sessions: number}} Busy
 * @typedef {{type: "code", format: "keras" | "jax", model: number, filename: string, code: string}} Code
 * @typedef {{settings: Record<string, any>, loss: string, loss_kind: string, output_activation: string}} ModelSettings
 * @typedef {{type: "settings", revision: number, settings: Record<string, any>, compare: Record<string, unknown>[], models: ModelSettings[], epochs_per_frame: number, problem: string, n_outputs: number}} AppliedSettings
 * @typedef {{type: "frame", frame: number, revision: number, state: string, models: Record<string, any>[], buffers: Buffer[]}} FrameHeader
 * @typedef {{name: string, model: number, dtype: string, shape: number[], offset: number, length: number}} Buffer
 * @typedef {{layer: number, source: number, unit: number}} WeightChoice
 * @typedef {{z: number, a: number, slope: number | null, keep: number, upstream: number | null, delta: number}} UnitNumbers
 * @typedef {{name: string, activation: string, inputs: string[], units: UnitNumbers[], weights: number[][], biases: number[], point_gradients: number[][], point_bias_gradients: number[], step_gradients: number[][], step_bias_gradients: number[], after_weights: number[][], after_biases: number[]}} LayerNumbers
 * @typedef {{logits: number[], outputs: number[], targets: number[], label: number, loss: number}} OutputNumbers
 * @typedef {{name: string, value: number}} Factor
 * @typedef {{factors: Factor[], product: number, gradient: number}} ChainRule
 * @typedef {{index: number, loss: number, gradient: number}} BatchPoint
 * @typedef {{number: number, of: number, points: BatchPoint[], mean: number, step_gradient: number, penalty: number, gradient: number}} BatchNumbers
 * @typedef {{name: string, value: number}} Term
 * @typedef {{optimizer: string, learning_rate: number, gradient: number, terms: Term[], direction: number, before: number, after: number}} UpdateNumbers
 * @typedef {{epsilon: number, cost: number, nudged_cost: number, slope: number, gradient: number}} Nudge
 * @typedef {{type: "explanation", model: number, epoch: number, step: number, point: number, x: number[], in_batch: boolean, loss_kind: string, output_activation: string, layers: LayerNumbers[], output: OutputNumbers, weight: WeightChoice, weight_name: string, chain: ChainRule, batch: BatchNumbers, update: UpdateNumbers, nudge: Nudge, diverges: boolean}} Explanation
 * @typedef {Ready | Data | Status | ErrorMessage | Busy | AppliedSettings | Code | Explanation} ServerMessage
 * @typedef {{problem: import("./colors.js").Problem, nOutputs: number, train: number[][], test: number[][],
 *   targetLow: number, targetHigh: number}} PointData a `data` message's, as the page and the worker use it
 */

/** Every field of each server text message, by type. */
export const SERVER_FIELDS = Object.freeze({
  ready: ["type", "version", "limits", "settings", "epochs_per_frame", "effects", "models"],
  data: ["type", "problem", "n_outputs", "train", "test", "target_low", "target_high"],
  status: ["type", "state", "epoch", "detail"],
  error: ["type", "field", "expected", "received", "message"],
  busy: ["type", "reason", "max_sessions"],
  code: ["type", "format", "model", "filename", "code"],
  settings: ["type", "revision", "settings", "compare", "models", "epochs_per_frame", "problem", "n_outputs"],
  explanation: ["type", "model", "epoch", "step", "point", "x", "in_batch", "loss_kind", "output_activation", "layers", "output", "weight", "weight_name", "chain", "batch", "update", "nudge", "diverges"],
});

/**
 * Every field of each text message of a digits session (/ws?lab=digits): digits_protocol.py's
 * models; status, error, busy and code are the ones both labs share.
 */
export const DIGITS_SERVER_FIELDS = Object.freeze({
  ready: ["type", "lab", "version", "limits", "settings", "epochs_per_frame", "effects", "models"],
  settings: ["type", "revision", "settings", "compare", "models", "epochs_per_frame", "train_images", "test_images"],
  digits: ["type", "digits", "labels", "images", "train_images", "test_images"],
  prediction: ["type", "image", "digits", "probabilities"],
  status: SERVER_FIELDS.status,
  error: SERVER_FIELDS.error,
  busy: SERVER_FIELDS.busy,
  code: SERVER_FIELDS.code,
});

const decoder = new TextDecoder();

/** @param {number[]} shape */
function count(shape) {
  return shape.reduce((product, size) => product * size, 1);
}

/**
 * A binary frame: 4-byte little-endian header length, JSON header, then the buffers the
 * header lists. Arrays are views into `buffer`, not copies (the payload is 4-byte aligned).
 * @param {ArrayBuffer} buffer
 * @returns {Frame}
 */
export function decodeFrame(buffer) {
  if (buffer.byteLength < 4) throw new Error(`frame: expected at least 4 bytes, received ${buffer.byteLength}`);
  const headerLength = new DataView(buffer).getUint32(0, true);
  if (4 + headerLength > buffer.byteLength) {
    throw new Error(`frame: header of ${headerLength} bytes does not fit in ${buffer.byteLength}`);
  }
  const header = JSON.parse(decoder.decode(new Uint8Array(buffer, 4, headerLength)));
  if (header.type !== "frame") throw new Error(`frame: expected type "frame", received ${header.type}`);
  const payload = 4 + headerLength;
  /** @type {ModelFrame[]} */
  const models = header.models.map((/** @type {Record<string, any>} */ model) => ({ ...model, arrays: {} }));
  for (const entry of header.buffers) {
    const start = payload + entry.offset;
    if (start + entry.length > buffer.byteLength) {
      throw new Error(`frame: buffer ${entry.name} ends past the message`);
    }
    const n = count(entry.shape);
    const data = entry.dtype === "uint8" ? new Uint8Array(buffer, start, n) : new Float32Array(buffer, start, n);
    models[entry.model].arrays[entry.name] = { data, shape: entry.shape };
  }
  return { frame: header.frame, revision: header.revision, state: header.state, models, bytes: buffer.byteLength };
}

/**
 * A text message from the server (ready, data, status, error, busy, settings,
 * code, explanation), checked
 * against SERVER_FIELDS (or a digits session's DIGITS_SERVER_FIELDS) when its type is one of
 * those (a newer server's other types pass).
 * @param {string} text
 * @param {Readonly<Record<string, readonly string[]>>} [known] the lab's fields by message type
 * @returns {Record<string, any> & {type: string}}
 */
export function parseMessage(text, known = SERVER_FIELDS) {
  const message = JSON.parse(text);
  if (typeof message !== "object" || message === null || typeof message.type !== "string") {
    throw new Error(`message: expected an object with a "type", received ${text.slice(0, 80)}`);
  }
  const fields = known[message.type];
  if (fields) {
    const missing = fields.filter((name) => !(name in message));
    const unknown = Object.keys(message).filter((name) => !fields.includes(name));
    if (missing.length || unknown.length) {
      throw new Error(`message ${message.type}: expected the fields ${fields.join(", ")}; missing [${missing.join(", ")}], unknown [${unknown.join(", ")}]`);
    }
  }
  return message;
}

/** @param {Data} message @returns {PointData} */
export function pointData({ problem, n_outputs: nOutputs, train, test, target_low: targetLow, target_high: targetHigh }) {
  return { problem: /** @type {PointData["problem"]} */ (problem), nOutputs, train, test, targetLow, targetHigh };
}

/** Client messages, by the names docs/protocol.md gives them. */
export const send = {
  /** @param {Record<string, unknown>} settings */
  configure: (settings) => ({ type: "configure", settings }),
  play: () => ({ type: "play" }),
  pause: () => ({ type: "pause" }),
  /** @param {number} epochs */
  step: (epochs) => ({ type: "step", epochs }),
  /** @param {number | null} [seed] */
  reset: (seed = null) => ({ type: "reset", seed }),
  /** @param {number | null} [dataSeed] */
  regenerate: (dataSeed = null) => ({ type: "regenerate", data_seed: dataSeed }),
  /** @param {number} epochsPerFrame */
  speed: (epochsPerFrame) => ({ type: "speed", epochs_per_frame: epochsPerFrame }),
  /** @param {Record<string, unknown>[]} models */
  compare: (models) => ({ type: "compare", models }),
  /** @param {number} frame */
  ack: (frame) => ({ type: "ack", frame }),
  /** @param {"keras" | "jax"} format @param {number} [model] index in compare mode */
  export: (format, model = 0) => ({ type: "export", format, model }),
  /**
   * Takes the next step apart at train point `point` and weight `weight`; nothing changes.
   * @param {number} point @param {WeightChoice} weight @param {number} [epsilon] the nudge
   * @param {number} [model] index in compare mode
   */
  explain: (point, weight, epsilon = 1e-3, model = 0) => ({ type: "explain", point, weight, epsilon, model }),
  /** The one minibatch step the explanation showed, then paused. */
  applyStep: () => ({ type: "apply_step" }),
  /**
   * A drawn digit (digits lab): `side` x `side` grey levels, row by row, 0 paper .. 255 ink.
   * @param {number} side @param {number[]} pixels
   */
  predict: (side, pixels) => ({ type: "predict", side, pixels }),
};

/** The /ws address next to the page, whatever path it is served under; `lab`: the lab's ("digits"), none for 2-D. */
export function sessionUrl(location = window.location, lab = "") {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const base = location.pathname.replace(/[^/]*$/, "");
  return `${scheme}//${location.host}${base}ws${lab ? `?lab=${encodeURIComponent(lab)}` : ""}`;
}
