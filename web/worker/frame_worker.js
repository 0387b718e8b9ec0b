// @ts-check
// The drawing worker: owns the session's websocket, decodes its frames and paints every
// picture on canvases the page handed over (OffscreenCanvas), so none of that runs on the
// page's main thread, which stays free for input. The page gets the server's text messages
// as they come and the numbers of the painted frames (no grids; the latest with its
// weights), in batches at most every NUMBERS_MS: each batch costs the page a style, layout,
// paint and commit, once for the text and the three charts together. Measured on the large
// network (python bench/run.py, 2 cores shared with the server): batches every 100 ms kept
// the page's main thread busy about 6 ms per painted frame, every 200 ms about 3 ms; charts
// and numbers five times a second still read as live, and the pictures stay at display rate.
//
// A connection that closes and reconnects by itself (socket.js) keeps the painter and its
// canvases: the frames of the session that ended are dropped, and the next session's paint
// over the same pictures.
//
// Page -> worker: {type: "open", url, side, neuronSide, domain, palette} (GET /api/config's), {type: "post", message} (a client
//   message for the server), {type: "retry"} (reconnect now, after a close that does not
//   retry by itself), {type: "boundary", canvas}, {type: "compared", canvases},
//   {type: "network", canvas}, {type: "layout", layout}, {type: "size", target, size},
//   {type: "options", options}, {type: "lines", values} (what the weight lines show, null: the
//   weights), {type: "png"}.
// Worker -> page: {type: "message", message}, {type: "reconnecting", reconnecting} (socket.js's
//   Reconnecting), {type: "closed", closed} (socket.js's Closed), {type: "shown", frames,
//   received, drawn}, {type: "png", blob}, {type: "failure", text}.
import { usePalette } from "../shared/colors.js";
import { FramePainter } from "./frame_painter.js";
import { pointData } from "../shared/protocol.js";
import { Session } from "./socket.js";

/** @typedef {import("../shared/protocol.js").Frame} Frame */

const NUMBERS_MS = 200;

const worker = /** @type {DedicatedWorkerGlobalScope} */ (/** @type {unknown} */ (self));
// A worker's animation frames follow the display; a browser without them gets ~60 a second.
const nextFrame = (/** @type {() => void} */ callback) =>
  typeof worker.requestAnimationFrame === "function" ? worker.requestAnimationFrame(callback) : setTimeout(callback, 16);
/** @param {unknown} error */
const fail = (error) => worker.postMessage({ type: "failure", text: error instanceof Error ? error.message : String(error) });

/** @type {Session | null} */
let session = null;
/** @type {FramePainter | null} */
let painter = null;
let drawn = 0;
/** @type {Frame[]} painted frames whose numbers the page has not had yet (grids dropped) */
let unsent = [];
/** @type {Frame | null} the latest of them, whole: the page gets its weights */
let latest = null;
let sentAt = -Infinity;
/** @type {ReturnType<typeof setTimeout> | null} */
let sendTimer = null;

/** @param {Frame} frame @returns {Frame} the frame without arrays: what the charts need */
const scalars = (frame) => ({ ...frame, models: frame.models.map((model) => ({ ...model, arrays: {} })) });

/**
 * The frame with copies of its float arrays (weights and biases), no grids: what the page's
 * numbers, hover and downloads need. A view would clone its whole buffer.
 * @param {Frame} frame
 */
function withWeights(frame) {
  const models = frame.models.map((model) => {
    /** @type {Record<string, import("../shared/protocol.js").WireArray>} */
    const arrays = {};
    for (const [name, array] of Object.entries(model.arrays)) {
      if (array.data instanceof Float32Array) arrays[name] = { data: array.data.slice(), shape: array.shape };
    }
    return { ...model, arrays };
  });
  return { ...frame, models };
}

function loop() {
  const frame = session?.take() ?? null;
  try {
    painter?.paint(frame);
  } catch (error) {
    fail(error);
  }
  if (frame) {
    drawn += 1;
    unsent.push(scalars(frame));
    latest = frame;
    sendNumbers();
  }
  nextFrame(loop);
}

/** Sends the unsent numbers now if NUMBERS_MS have passed, or when they will have. */
function sendNumbers() {
  if (!unsent.length || sendTimer !== null) return;
  const wait = sentAt + NUMBERS_MS - performance.now();
  if (wait > 0) {
    sendTimer = setTimeout(() => {
      sendTimer = null;
      sendNumbers();
    }, wait);
    return;
  }
  sentAt = performance.now();
  // Only the latest frame's weights are shown: the others go without theirs.
  if (latest) unsent[unsent.length - 1] = withWeights(latest);
  worker.postMessage({ type: "shown", frames: unsent, received: session?.framesReceived ?? 0, drawn });
  forgetNumbers();
}

/** Forgets the unsent numbers: just sent, or of a session that ended (the next one's charts start empty). */
function forgetNumbers() {
  unsent = [];
  latest = null;
}

/** @type {Record<string, (painter: FramePainter, request: Record<string, any>) => void>} requests for the painter alone */
const TO_PAINTER = {
  boundary: (painter, { canvas }) => painter.setBoundary(canvas),
  compared: (painter, { canvases }) => painter.setCompared(canvases),
  network: (painter, { canvas }) => painter.setNetwork(canvas),
  layout: (painter, { layout }) => painter.setLayout(layout),
  size: (painter, { target, size }) => painter.resize(target, size),
  options: (painter, { options }) => painter.setOptions(options),
  lines: (painter, { values }) => painter.setLineValues(values),
};

/** @param {Record<string, any>} request */
async function handle(request) {
  if (Object.hasOwn(TO_PAINTER, request.type)) {
    if (painter) TO_PAINTER[request.type](painter, request);
    return;
  }
  switch (request.type) {
    case "open":
      usePalette(request.palette);
      painter = new FramePainter(request.side, request.neuronSide, request.domain);
      session = new Session(request.url, {
        onMessage(message) {
          if (message.type === "data") painter?.setData(pointData(/** @type {import("../shared/protocol.js").Data} */ (message)));
          worker.postMessage({ type: "message", message });
        },
        onReconnecting(reconnecting) {
          forgetNumbers();
          worker.postMessage({ type: "reconnecting", reconnecting });
        },
        onClose(closed) {
          forgetNumbers();
          worker.postMessage({ type: "closed", closed });
        },
      });
      nextFrame(loop);
      break;
    case "post":
      await session?.post(request.message);
      break;
    case "retry":
      session?.retry();
      break;
    case "png": {
      const canvas = painter?.boundary?.canvas;
      const blob = canvas ? await canvas.convertToBlob({ type: "image/png" }) : null;
      worker.postMessage({ type: "png", blob });
      break;
    }
    default:
      fail(`drawing worker: unknown request ${request.type}`);
  }
}

worker.addEventListener("message", (event) => {
  handle(event.data).catch(fail);
});
