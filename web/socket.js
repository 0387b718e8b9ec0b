// @ts-check
// The session's websocket: sends client messages, acknowledges every frame on arrival (the
// server keeps at most 2 unacknowledged) and keeps only the latest frame for the draw loop.
// Runs in the drawing worker (frame_worker.js). Imports protocol.js only; knows nothing of
// the DOM.
import { decodeFrame, parseMessage, send } from "./protocol.js";

/** @typedef {import("./protocol.js").Frame} Frame */

export class Session {
  /**
   * @param {string} url ws:// or wss:// address of /ws
   * @param {{onMessage: (message: Record<string, any>) => void, onClose: (reason: string) => void}} handlers
   */
  constructor(url, handlers) {
    this.handlers = handlers;
    /** @type {Frame | null} the newest frame not yet taken by the draw loop */
    this.latest = null;
    this.framesReceived = 0;
    this.socket = new WebSocket(url);
    this.socket.binaryType = "arraybuffer";
    this.socket.addEventListener("message", (event) => this.receive(event));
    this.socket.addEventListener("close", (event) => handlers.onClose(event.reason || `closed (${event.code})`));
    /** @type {Promise<void>} */
    this.opened = new Promise((resolve) => this.socket.addEventListener("open", () => resolve()));
  }

  /** @param {MessageEvent} event */
  receive(event) {
    if (event.data instanceof ArrayBuffer) {
      const frame = decodeFrame(event.data);
      this.framesReceived += 1;
      this.latest = frame; // an undrawn older frame is dropped: latest wins
      this.socket.send(JSON.stringify(send.ack(frame.frame)));
      return;
    }
    this.handlers.onMessage(parseMessage(event.data));
  }

  /** The newest frame since the last call, or null. */
  take() {
    const frame = this.latest;
    this.latest = null;
    return frame;
  }

  /** @param {Record<string, unknown>} message one of protocol.send's */
  async post(message) {
    await this.opened;
    if (this.socket.readyState !== WebSocket.OPEN) return;
    this.socket.send(JSON.stringify(message));
  }
}

/** The /ws address next to the page, whatever path it is served under. */
export function sessionUrl(location = window.location) {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const base = location.pathname.replace(/[^/]*$/, "");
  return `${scheme}//${location.host}${base}ws`;
}
