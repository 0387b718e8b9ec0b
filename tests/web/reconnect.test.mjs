// Unit tests of web/shared/reconnect.js: which closes reconnect by themselves, how long each attempt
// waits, and what the page says.
import test from "node:test";
import assert from "node:assert/strict";
import { BACKOFF, CLOSE, backoffDelay, closeAction, closedText, reconnectingText } from "../../web/shared/reconnect.js";

test("a server that went away, restarted or died is reconnected to", () => {
  for (const code of [CLOSE.GOING_AWAY, CLOSE.NO_STATUS, CLOSE.ABNORMAL, CLOSE.INTERNAL_ERROR, CLOSE.SERVICE_RESTART, 1014, 1015, 4000]) {
    assert.equal(closeAction({ code }), "reconnect", `code ${code}`);
  }
});

test("a close the page caused is final: retrying would break the same rule again", () => {
  for (const code of [CLOSE.POLICY, CLOSE.TOO_BIG, CLOSE.PROTOCOL_ERROR, CLOSE.UNSUPPORTED_DATA, CLOSE.INVALID_PAYLOAD, CLOSE.MISSING_EXTENSION]) {
    assert.equal(closeAction({ code }), "final", `code ${code}`);
  }
});

test("a full server waits for the learner, whatever code closed the connection", () => {
  assert.equal(closeAction({ code: CLOSE.TRY_AGAIN_LATER, busy: true }), "busy");
  assert.equal(closeAction({ code: CLOSE.TRY_AGAIN_LATER }), "busy");
  // A proxy may replace the close frame: the busy message still decides.
  assert.equal(closeAction({ code: CLOSE.ABNORMAL, busy: true }), "busy");
});

test("an idle session closed by the server is not reopened by itself", () => {
  assert.equal(closeAction({ code: CLOSE.NORMAL }), "ended");
});

test("the waits double from 0.25 s to 8 s and stay there", () => {
  const steps = [250, 500, 1000, 2000, 4000, 8000, 8000, 8000];
  steps.forEach((step, attempt) => {
    assert.equal(backoffDelay(attempt, () => 0), step / 2, `attempt ${attempt} at its shortest`);
    assert.ok(Math.abs(backoffDelay(attempt, () => 0.999999) - step) < 0.01, `attempt ${attempt} at its longest`);
  });
  assert.equal(backoffDelay(1000, () => 0.5), BACKOFF.capMs * 0.75);
});

test("a class reconnects spread out, not in lockstep", () => {
  let seed = 1;
  const random = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
  for (const attempt of [0, 3, 6]) {
    const delays = Array.from({ length: 30 }, () => backoffDelay(attempt, random));
    const step = Math.min(BACKOFF.capMs, BACKOFF.firstMs * 2 ** attempt);
    assert.ok(delays.every((delay) => delay >= step / 2 && delay < step), `attempt ${attempt} within its step`);
    assert.ok(new Set(delays.map((delay) => Math.round(delay))).size > 25, `attempt ${attempt}: 30 pages, 30 moments`);
    assert.ok(Math.max(...delays) - Math.min(...delays) > step / 4, `attempt ${attempt} spread over its range`);
  }
});

test("an attempt that is not a whole number from 0 is an error that says so", () => {
  assert.throws(() => backoffDelay(-1), /expected a whole number from 0, received -1/);
  assert.throws(() => backoffDelay(0.5), /received 0.5/);
});

test("the page says the connection was lost, and why when the code tells", () => {
  assert.equal(reconnectingText({ code: CLOSE.SERVICE_RESTART, attempt: 1 }), "Connection lost (the server is restarting): reconnecting…");
  assert.equal(reconnectingText({ code: CLOSE.ABNORMAL, attempt: 1 }), "Connection lost: reconnecting…");
  assert.equal(reconnectingText({ code: CLOSE.ABNORMAL, attempt: 3 }), "Connection lost: reconnecting… (attempt 3)");
});

test("a full server's own reason is shown, with a button to try again", () => {
  const reason = "the server is training 1 sessions, its limit; try later";
  const shown = closedText({ action: "busy", reason: "server full" }, reason);
  assert.equal(shown.button, "Try again");
  assert.match(shown.text, /the server is training 1 sessions, its limit; try later/);
  assert.match(closedText({ action: "busy", reason: "server full" }).text, /server full/);
  assert.equal(closedText({ action: "ended", reason: "idle for 600 s" }).button, "Reconnect");
  assert.match(closedText({ action: "final", reason: "no frame acknowledged in 15 s" }).text, /no frame acknowledged in 15 s/);
});
