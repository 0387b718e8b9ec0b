// Unit tests of web/worker/socket.js against a stand-in WebSocket: a closed connection opens again
// after the backoff, counters go on across connections, frames of an ended session are never
// drawn, and final closes wait for retry().
import test from "node:test";
import assert from "node:assert/strict";
import { Session } from "../../web/worker/socket.js";

/** A whole ready message, as parseMessage checks it. */
const READY = JSON.stringify({ type: "ready", version: "0", limits: {}, settings: {}, epochs_per_frame: 1, effects: {}, models: [] });

class FakeSocket extends EventTarget {
  static CONNECTING = 0;
  static OPEN = 1;
  static CLOSING = 2;
  static CLOSED = 3;
  /** @type {FakeSocket[]} */
  static made = [];

  /** @param {string} url */
  constructor(url) {
    super();
    this.url = url;
    this.readyState = FakeSocket.CONNECTING;
    /** @type {string[]} */
    this.sent = [];
    FakeSocket.made.push(this);
  }

  open() {
    this.readyState = FakeSocket.OPEN;
    this.dispatchEvent(new Event("open"));
  }

  /** @param {string | ArrayBuffer} data */
  deliver(data) {
    this.dispatchEvent(Object.assign(new Event("message"), { data }));
  }

  /** @param {number} code @param {string} [reason] */
  closeWith(code, reason = "") {
    this.readyState = FakeSocket.CLOSED;
    this.dispatchEvent(Object.assign(new Event("close"), { code, reason }));
  }

  /** @param {string} text */
  send(text) {
    this.sent.push(text);
  }
}
globalThis.WebSocket = /** @type {any} */ (FakeSocket);

/** A binary frame numbered `n` (see protocol.js's decodeFrame). @param {number} n */
function frame(n) {
  const header = new TextEncoder().encode(JSON.stringify({ type: "frame", frame: n, revision: 0, state: "running", models: [{ epoch: n }], buffers: [] }));
  const buffer = new ArrayBuffer(4 + header.length);
  new DataView(buffer).setUint32(0, header.length, true);
  new Uint8Array(buffer, 4).set(header);
  return buffer;
}

function start() {
  FakeSocket.made = [];
  /** @type {{ms: number, callback: () => void}[]} */
  const timers = [];
  const events = /** @type {Record<string, any>[]} */ ([]);
  const session = new Session(
    "ws://class.example/ws",
    {
      onMessage: (message) => events.push({ message }),
      onClose: (closed) => events.push({ closed }),
      onReconnecting: (reconnecting) => events.push({ reconnecting }),
    },
    { random: () => 0.5, schedule: (callback, ms) => timers.push({ callback, ms }) },
  );
  return { session, timers, events, socket: () => FakeSocket.made[FakeSocket.made.length - 1] };
}

test("a server restart reconnects to the same address after the backoff, and again after each failure", () => {
  const { session, timers, events, socket } = start();
  socket().open();
  socket().deliver(READY);
  socket().closeWith(1012, "service restart");
  assert.deepEqual(events.at(-1), { reconnecting: { code: 1012, reason: "service restart", attempt: 1, delayMs: 187.5, opened: true } });
  assert.equal(FakeSocket.made.length, 1, "no new connection before the wait");
  timers.shift()?.callback();
  assert.equal(FakeSocket.made.length, 2);
  assert.equal(socket().url, "ws://class.example/ws");
  socket().closeWith(1006); // the balancer had no process ready yet
  assert.equal(events.at(-1).reconnecting.attempt, 2);
  assert.equal(timers[0].ms, 375);
  timers.shift()?.callback();
  socket().open();
  socket().deliver(READY);
  assert.equal(session.attempt, 0, "a ready session starts the backoff over");
  socket().closeWith(1006);
  assert.equal(timers[0].ms, 187.5);
});

test("frames are counted across connections, and an ended session's frame is never drawn", () => {
  const { session, timers, socket } = start();
  socket().open();
  socket().deliver(frame(1));
  socket().deliver(frame(2));
  assert.deepEqual(socket().sent.map((text) => JSON.parse(text)), [{ type: "ack", frame: 1 }, { type: "ack", frame: 2 }]);
  socket().closeWith(1006);
  assert.equal(session.take(), null);
  timers.shift()?.callback();
  socket().open();
  socket().deliver(frame(1));
  assert.equal(session.framesReceived, 3);
  assert.equal(session.take()?.frame, 1);
});

test("a busy server, a page that broke a rule and an idle close wait for retry()", () => {
  const { session, timers, events, socket } = start();
  socket().open();
  socket().deliver(JSON.stringify({ type: "busy", reason: "the server is training 1 sessions, its limit; try later", max_sessions: 1 }));
  socket().closeWith(1013, "server full");
  assert.deepEqual(events.at(-1), { closed: { code: 1013, reason: "server full", action: "busy" } });
  assert.equal(timers.length, 0, "nothing scheduled");
  session.retry();
  assert.equal(FakeSocket.made.length, 2);
  session.retry(); // already connecting: no second connection
  assert.equal(FakeSocket.made.length, 2);
  socket().open();
  socket().closeWith(1009, "frame with 102051 bytes exceeds limit of 65536 bytes");
  assert.equal(events.at(-1).closed.action, "final");
  session.retry();
  socket().open();
  socket().closeWith(1000, "idle for 600 s");
  assert.equal(events.at(-1).closed.action, "ended");
  assert.equal(timers.length, 0);
});

test("a message posted while disconnected is dropped; one posted while connecting waits for the open", async () => {
  const { session, timers, socket } = start();
  const first = socket();
  const waiting = session.post({ type: "play" });
  first.open();
  await waiting;
  assert.deepEqual(first.sent, [JSON.stringify({ type: "play" })]);
  first.closeWith(1006);
  await session.post({ type: "pause" });
  assert.deepEqual(first.sent, [JSON.stringify({ type: "play" })], "nothing sent on a closed socket");
  timers.shift()?.callback();
  const second = socket();
  second.open();
  await session.post({ type: "pause" });
  assert.deepEqual(second.sent, [JSON.stringify({ type: "pause" })]);
});
