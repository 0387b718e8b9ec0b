// @ts-check
// The page's handle on the drawing worker (frame_worker.js): sends client messages through
// its websocket, hands it canvases to paint and keeps their backing stores sized to what
// is displayed (devicePixelRatio included), which only the page can measure.

/** @typedef {import("../shared/protocol.js").Frame} Frame */
/**
 * @typedef {{onMessage: (message: Record<string, any>) => void,
 *   onReconnecting: (reconnecting: import("../worker/socket.js").Reconnecting) => void,
 *   onClose: (closed: import("../worker/socket.js").Closed) => void,
 *   onShown: (frames: Frame[], received: number, drawn: number) => void, onFailure: (text: string) => void}} Handlers
 *   onReconnecting: the connection closed and opens again by itself; onClose: it closed and
 *   waits for retry()
 */

export class Drawing {
  /**
   * @param {string} url the session's websocket address
   * @param {{side: number, neuronSide: number, domain: number, palette: string[]}} constants grid
   *   cells per side of the output and a neuron map, the plotting domain and the palette
   *   (GET /api/config's)
   */
  constructor(url, constants) {
    /** @type {Handlers | null} */
    this.handlers = null;
    this.worker = new Worker(new URL("../worker/frame_worker.js", import.meta.url), { type: "module" });
    /** @type {((blob: Blob | null) => void)[]} */
    this.pngRequests = [];
    /** @type {ResizeObserver[]} the compared canvases' (replaced with them) */
    this.comparedObservers = [];
    this.worker.addEventListener("message", ({ data }) => {
      const handlers = /** @type {Handlers} */ (this.handlers);
      if (data.type === "shown") handlers.onShown(data.frames, data.received, data.drawn);
      else if (data.type === "message") handlers.onMessage(data.message);
      else if (data.type === "reconnecting") handlers.onReconnecting(data.reconnecting);
      else if (data.type === "closed") handlers.onClose(data.closed);
      else if (data.type === "png") this.pngRequests.shift()?.(data.blob);
      else if (data.type === "failure") handlers.onFailure(data.text);
    });
    this.worker.addEventListener("error", (event) => this.handlers?.onFailure(event.message || "the drawing worker failed"));
    this.worker.postMessage({ type: "open", url, ...constants });
  }

  /** Call before the page's start returns: the worker's reports come as tasks after it. @param {Handlers} handlers */
  listen(handlers) {
    this.handlers = handlers;
  }

  /** @param {Record<string, unknown>} message one of protocol.send's, for the server */
  post(message) {
    this.worker.postMessage({ type: "post", message });
  }

  /** Opens a new connection now, after a close that does not reconnect by itself. */
  retry() {
    this.worker.postMessage({ type: "retry" });
  }

  /** @param {HTMLCanvasElement} canvas the main boundary */
  boundary(canvas) {
    const offscreen = canvas.transferControlToOffscreen();
    this.worker.postMessage({ type: "boundary", canvas: offscreen }, [offscreen]);
    this.observeSize(canvas, "boundary");
  }

  /** @param {HTMLCanvasElement[]} canvases one per compared model, in order */
  compared(canvases) {
    for (const observer of this.comparedObservers) observer.disconnect();
    const offscreen = canvases.map((canvas) => canvas.transferControlToOffscreen());
    this.worker.postMessage({ type: "compared", canvases: offscreen }, offscreen);
    this.comparedObservers = canvases.map((canvas, i) => this.observeSize(canvas, i));
  }

  /** @param {HTMLCanvasElement} canvas the network view's */
  network(canvas) {
    const offscreen = canvas.transferControlToOffscreen();
    this.worker.postMessage({ type: "network", canvas: offscreen }, [offscreen]);
  }

  /** @param {import("../shared/network_layout.js").NetworkLayout} layout */
  layout(layout) {
    this.worker.postMessage({ type: "layout", layout });
  }

  /** @param {import("../worker/frame_painter.js").PaintOptions} options */
  options(options) {
    this.worker.postMessage({ type: "options", options });
  }

  /** @param {Float32Array[] | null} values what the weight lines show per layer (null: the weights) */
  lines(values) {
    this.worker.postMessage({ type: "lines", values });
  }

  /** @returns {Promise<Blob | null>} the main boundary as painted, as PNG */
  png() {
    return new Promise((resolve) => {
      this.pngRequests.push(resolve);
      this.worker.postMessage({ type: "png" });
    });
  }

  /** @param {HTMLCanvasElement} canvas @param {"boundary" | number} target */
  observeSize(canvas, target) {
    const observer = new ResizeObserver(() => {
      const size = Math.round(canvas.clientWidth * (window.devicePixelRatio || 1));
      if (size > 0) this.worker.postMessage({ type: "size", target, size });
    });
    observer.observe(canvas);
    return observer;
  }
}
