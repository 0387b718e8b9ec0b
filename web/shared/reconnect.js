// @ts-check
// When a closed session's websocket opens again by itself, and how long it waits first. A
// server process that stops (drained for an upgrade: close 1012; killed: 1006) leaves its
// pages to the balancer, which sends each new connection to a process still running. Pure: no
// DOM, no socket (node --test runs it).

/** Close codes this policy names (RFC 6455 section 7.4.1 and the IANA registry). */
export const CLOSE = Object.freeze({
  NORMAL: 1000, // this server: idle for --idle-timeout seconds
  GOING_AWAY: 1001,
  PROTOCOL_ERROR: 1002,
  UNSUPPORTED_DATA: 1003,
  NO_STATUS: 1005,
  ABNORMAL: 1006, // no close frame: the process died, the network dropped, or a refused handshake
  INVALID_PAYLOAD: 1007,
  POLICY: 1008, // this server: frames left unacknowledged
  TOO_BIG: 1009,
  MISSING_EXTENSION: 1010,
  INTERNAL_ERROR: 1011,
  SERVICE_RESTART: 1012, // uvicorn on SIGTERM
  TRY_AGAIN_LATER: 1013, // this server: the class is full (after a `busy` message)
});

/**
 * What the page does after a close:
 * - "reconnect": open a new session by itself, after backoffDelay;
 * - "busy": the server is full; wait for the learner to try again (a new connection now would
 *   be refused the same way, and thirty pages retrying on their own only keep it busier);
 * - "ended": the server closed an idle session on purpose; reopening it by itself would keep
 *   an unwatched tab's session alive forever, so the learner reconnects when back;
 * - "final": the page broke a rule (message too big, frames unacknowledged, a malformed
 *   message) and would break it again: never retried by itself.
 * @typedef {"reconnect" | "busy" | "ended" | "final"} CloseAction
 */

const FINAL = new Set([CLOSE.PROTOCOL_ERROR, CLOSE.UNSUPPORTED_DATA, CLOSE.INVALID_PAYLOAD, CLOSE.POLICY, CLOSE.TOO_BIG, CLOSE.MISSING_EXTENSION]);

/**
 * @param {{code: number, busy?: boolean}} close the close event's code, and whether the server
 *   sent a `busy` message on this connection
 * @returns {CloseAction}
 */
export function closeAction({ code, busy = false }) {
  if (busy || code === CLOSE.TRY_AGAIN_LATER) return "busy";
  if (code === CLOSE.NORMAL) return "ended";
  if (FINAL.has(code)) return "final";
  return "reconnect"; // 1001, 1005, 1006, 1011, 1012, 1014, 1015 and anything unknown
}

export const BACKOFF = Object.freeze({ firstMs: 250, capMs: 8000 });

/**
 * The wait before reconnection attempt `attempt` (0 for the first after a close): 0.25 s,
 * 0.5, 1, 2, 4, then 8 s for every later one, each drawn uniformly from its upper half, so a
 * class whose process stopped at once comes back spread out rather than in lockstep, and no
 * wait is under half its step.
 * @param {number} attempt 0, 1, 2...
 * @param {() => number} [random] uniform in [0, 1)
 * @returns {number} milliseconds
 */
export function backoffDelay(attempt, random = Math.random) {
  if (!Number.isInteger(attempt) || attempt < 0) throw new RangeError(`attempt: expected a whole number from 0, received ${attempt}`);
  const step = Math.min(BACKOFF.capMs, BACKOFF.firstMs * 2 ** Math.min(attempt, 30));
  return step / 2 + (random() * step) / 2;
}

const CAUSES = /** @type {Record<number, string>} */ ({
  [CLOSE.GOING_AWAY]: " (the server went away)",
  [CLOSE.INTERNAL_ERROR]: " (a server error)",
  [CLOSE.SERVICE_RESTART]: " (the server is restarting)",
});

/**
 * What the page says while it reconnects: why the connection closed, when the code tells (the
 * first close; a failed attempt after it is a plain 1006), and which attempt is next.
 * @param {{code: number, attempt: number}} reconnecting see socket.js
 */
export function reconnectingText({ code, attempt }) {
  const cause = attempt === 1 ? (CAUSES[code] ?? "") : "";
  const tries = attempt > 1 ? ` (attempt ${attempt})` : "";
  return `Connection lost${cause}: reconnecting…${tries}`;
}

/**
 * What the page says after a close it does not retry by itself, and its button's label.
 * @param {{action: CloseAction, reason: string}} closed see socket.js
 * @param {string} [busyReason] the `busy` message's reason, when one came
 * @returns {{text: string, button: string}}
 */
export function closedText({ action, reason }, busyReason = "") {
  if (action === "busy") return { text: `Not connected: ${busyReason || reason}.`, button: "Try again" };
  if (action === "ended") return { text: `The session closed: ${reason}. Reconnect to train again.`, button: "Reconnect" };
  return { text: `The connection closed: ${reason}.`, button: "Reconnect" };
}

export const RESTARTED =
  "Reconnected: the server started your session again, so training restarted from epoch 0 with your settings.";
