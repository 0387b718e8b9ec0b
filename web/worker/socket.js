// @ts-check
// The session's websocket: sends client messages, acknowledges every frame on arrival (the
// server keeps at most 2 unacknowledged), keeps only the latest frame for the draw loop, and
// opens a new connection by itself when the server goes away (reconnect.js says when and how
// soon). Runs in the drawing worker (frame_worker.js), and on the digits page's main thread
// (its frames are small). Imports protocol.js and reconnect.js
// only; knows nothing of the DOM.
import { decodeFrame, parseMessage, send, SERVER_FIELDS } from "../shared/protocol.js";
import { backoffDelay, closeAction } from "../shared/reconnect.js";

/** @typedef {import("../shared/protocol.js").Frame} Frame */
/** @typedef {import("../shared/reconnect.js").CloseAction} CloseAction */

/**
 * @typedef {{code: number, reason: string, action: CloseAction}} Closed a close the page
 *   must act on (anything but "reconnect")
 * @typedef {{code: number, reason: string, attempt: number, delayMs: number, opened: boolean}} Reconnecting
 *   attempt 1 for the first try after a close; `opened`: whether the closed connection had opened
 * @typedef {{onMessage: (message: Record<string, any>) => void, onClose: (closed: Closed) => void,
 *   onReconnecting?: (reconnecting: Reconnecting) => void}} Handlers
 */

export class Session {
  /**
   * @param {string} url ws:// or wss:// address of /ws
   * @param {Handlers} handlers
   * @param {{random?: () => number, schedule?: (callback: () => void, ms: number) => unknown,
   *   fields?: Readonly<Record<string, readonly string[]>>}} [options]
   *   the jitter's random numbers and the timer (tests pass their own); the lab's message
   *   fields (protocol.js's SERVER_FIELDS, or DIGITS_SERVER_FIELDS for the digits page)
   */
  constructor(url, handlers, { random = Math.random, schedule = (callback, ms) => setTimeout(callback, ms), fields = SERVER_FIELDS } = {}) {
    this.url = url;
    this.fields = fields;
    this.handlers = handlers;
    this.random = random;
    this.schedule = schedule;
    /** @type {Frame | null} the newest frame not yet taken by the draw loop */
    this.latest = null;
    this.framesReceived = 0; // over every connection: the page's counters never go back
    this.attempt = 0; // reconnections since the last `ready`
    this.connections = 0;
    /** @type {WebSocket} */
    this.socket = this.connect();
  }

  /** A new connection to the same address; its messages and close come to this session. */
  connect() {
    const socket = new WebSocket(this.url);
    socket.binaryType = "arraybuffer";
    this.connections += 1;
    let busy = false;
    let opened = false;
    socket.addEventListener("open", () => (opened = true));
    socket.addEventListener("message", (event) => {
      if (socket !== this.socket) return;
      const message = this.receive(event);
      if (message?.type === "busy") busy = true;
      if (message?.type === "ready") this.attempt = 0;
    });
    socket.addEventListener("close", (event) => {
      if (socket !== this.socket) return;
      this.latest = null; // a frame of the session that ended is never drawn
      const reason = event.reason || `closed (${event.code})`;
      const action = closeAction({ code: event.code, busy });
      if (action !== "reconnect") {
        this.handlers.onClose({ code: event.code, reason, action });
        return;
      }
      const delayMs = backoffDelay(this.attempt, this.random);
      this.attempt += 1;
      this.handlers.onReconnecting?.({ code: event.code, reason, attempt: this.attempt, delayMs, opened });
      this.schedule(() => {
        if (this.socket === socket) this.socket = this.connect();
      }, delayMs);
    });
    return socket;
  }

  /** Opens a new connection now (the learner asked to, after a close that does not retry). */
  retry() {
    if (this.socket.readyState === WebSocket.CONNECTING || this.socket.readyState === WebSocket.OPEN) return;
    this.attempt = 0;
    this.socket = this.connect();
  }

  /**
   * @param {MessageEvent} event
   * @returns {Record<string, any> | null} the text message, passed on; null for a frame
   */
  receive(event) {
    if (event.data instanceof ArrayBuffer) {
      const frame = decodeFrame(event.data);
      this.framesReceived += 1;
      this.latest = frame; // an undrawn older frame is dropped: latest wins
      this.socket.send(JSON.stringify(send.ack(frame.frame)));
      return null;
    }
    const message = parseMessage(event.data, this.fields);
    this.handlers.onMessage(message);
    return message;
  }

  /** The newest frame since the last call, or null. */
  take() {
    const frame = this.latest;
    this.latest = null;
    return frame;
  }

  /**
   * Sends when the connection is open (waiting for one still opening). A message posted while
   * disconnected is dropped: after the next `ready` the page sends its whole run again.
   * @param {Record<string, unknown>} message one of protocol.send's
   */
  async post(message) {
    const socket = this.socket;
    if (socket.readyState === WebSocket.CONNECTING) {
      await new Promise((resolve) => {
        socket.addEventListener("open", resolve, { once: true });
        socket.addEventListener("close", resolve, { once: true });
      });
    }
    if (socket !== this.socket || socket.readyState !== WebSocket.OPEN) return;
    socket.send(JSON.stringify(message));
  }
}
