// Unit tests of web/shared/protocol.js: frame decoding on hand-built messages.
import test from "node:test";
import assert from "node:assert/strict";
import { SERVER_FIELDS, decodeFrame, parseMessage, send } from "../../web/shared/protocol.js";

/** Builds a frame as the server does: header padded so the payload is 4-byte aligned. */
function buildFrame(header, payloadBytes) {
  let text = JSON.stringify(header);
  while ((4 + text.length) % 4 !== 0) text += " ";
  const headerBytes = new TextEncoder().encode(text);
  const buffer = new ArrayBuffer(4 + headerBytes.length + payloadBytes.length);
  new DataView(buffer).setUint32(0, headerBytes.length, true);
  new Uint8Array(buffer, 4).set(headerBytes);
  new Uint8Array(buffer, 4 + headerBytes.length).set(payloadBytes);
  return buffer;
}

test("decodes the header and views every buffer in place", () => {
  const weights = new Float32Array([0.5, -1.25]);
  const grid = new Uint8Array([0, 128, 255, 7]);
  const payload = new Uint8Array(12);
  payload.set(grid, 0);
  payload.set(new Uint8Array(weights.buffer), 4);
  const header = {
    type: "frame", frame: 3, revision: 2, state: "running",
    models: [{ epoch: 10, train_loss: 0.25, test_loss: null }],
    buffers: [
      { name: "outputs", model: 0, dtype: "uint8", shape: [1, 2, 2], offset: 0, length: 4 },
      { name: "weights.0", model: 0, dtype: "float32", shape: [2, 1], offset: 4, length: 8 },
    ],
  };
  const frame = decodeFrame(buildFrame(header, payload));
  assert.equal(frame.frame, 3);
  assert.equal(frame.revision, 2);
  assert.equal(frame.state, "running");
  assert.equal(frame.models[0].epoch, 10);
  assert.equal(frame.models[0].test_loss, null);
  assert.deepEqual([...frame.models[0].arrays.outputs.data], [0, 128, 255, 7]);
  assert.deepEqual(frame.models[0].arrays.outputs.shape, [1, 2, 2]);
  assert.deepEqual([...frame.models[0].arrays["weights.0"].data], [0.5, -1.25]);
});

test("refuses a truncated frame with a message that says what is wrong", () => {
  const header = {
    type: "frame", frame: 1, revision: 0, state: "idle", models: [{}],
    buffers: [{ name: "outputs", model: 0, dtype: "uint8", shape: [8], offset: 0, length: 8 }],
  };
  assert.throws(() => decodeFrame(buildFrame(header, new Uint8Array(4))), /outputs ends past/);
  assert.throws(() => decodeFrame(new ArrayBuffer(2)), /at least 4 bytes/);
});

test("parses text messages and refuses ones without a type", () => {
  assert.equal(parseMessage('{"type":"status","state":"idle","epoch":0,"detail":""}').state, "idle");
  assert.throws(() => parseMessage("[1,2]"), /expected an object/);
});

test("client messages have the protocol's field names", () => {
  assert.deepEqual(send.speed(5), { type: "speed", epochs_per_frame: 5 });
  assert.deepEqual(send.regenerate(), { type: "regenerate", data_seed: null });
  assert.deepEqual(send.configure({ learning_rate: 0.1 }), { type: "configure", settings: { learning_rate: 0.1 } });
});

test("a server message must have its protocol fields: busy carries `reason`", () => {
  const busy = parseMessage('{"type":"busy","reason":"the server is training 1 sessions","max_sessions":1}');
  assert.equal(busy.reason, "the server is training 1 sessions");
  assert.throws(
    () => parseMessage('{"type":"busy","message":"full","max_sessions":1}'),
    /message busy: expected the fields type, reason, max_sessions; missing \[reason\], unknown \[message\]/,
  );
  // A type this page does not know (a newer server's) passes unchecked.
  assert.equal(parseMessage('{"type":"novel","anything":1}').type, "novel");
});

test("every server message type has its fields listed", () => {
  assert.deepEqual(Object.keys(SERVER_FIELDS).sort(), ["busy", "code", "data", "error", "explanation", "ready", "settings", "status"]);
  for (const fields of Object.values(SERVER_FIELDS)) assert.equal(fields[0], "type");
});

test("an explain request names the point, the weight, epsilon and the model; apply_step nothing", () => {
  assert.deepEqual(send.explain(4, { layer: 1, source: -1, unit: 2 }), { type: "explain", point: 4, weight: { layer: 1, source: -1, unit: 2 }, epsilon: 1e-3, model: 0 });
  assert.deepEqual(send.explain(0, { layer: 0, source: 0, unit: 0 }, 0.5, 1).epsilon, 0.5);
  assert.deepEqual(send.applyStep(), { type: "apply_step" });
});

test("an export request names the format and the model", () => {
  assert.deepEqual(send.export("jax"), { type: "export", format: "jax", model: 0 });
  assert.deepEqual(send.export("keras", 2), { type: "export", format: "keras", model: 2 });
});
