// @ts-check
// The wire, decoded: binary frames into typed-array views, text messages into objects, and
// the client messages the page sends. Pure: no DOM, no socket (node --test runs it).

/**
 * @typedef {{data: Uint8Array | Float32Array, shape: number[]}} WireArray
 * @typedef {Record<string, any> & {arrays: Record<string, WireArray>}} ModelFrame
 * @typedef {{frame: number, revision: number, state: string, models: ModelFrame[], bytes: number}} Frame
 */

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
 * A text message from the server (ready, data, status, error, busy, code).
 * @param {string} text
 * @returns {Record<string, any> & {type: string}}
 */
export function parseMessage(text) {
  const message = JSON.parse(text);
  if (typeof message !== "object" || message === null || typeof message.type !== "string") {
    throw new Error(`message: expected an object with a "type", received ${text.slice(0, 80)}`);
  }
  return message;
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
};
