// Unit tests of web/shared/schema.js on a schema shaped like GET /api/config's.
import test from "node:test";
import assert from "node:assert/strict";
import { fromLogPosition, parseIntegerList, settingSpecs, toLogPosition } from "../../web/shared/schema.js";

const schema = {
  $defs: { Activation: { enum: ["relu", "tanh"], type: "string" } },
  properties: {
    activations: { items: { $ref: "#/$defs/Activation" }, maxItems: 6, type: "array" },
    hidden: { items: { maximum: 16, minimum: 1, type: "integer" }, maxItems: 6, type: "array" },
    learning_rate: { maximum: 10.0, minimum: 1e-5, type: "number" },
    early_stopping: { type: "boolean" },
    decay_rate: { exclusiveMinimum: 0.0, maximum: 1.0, type: "number" },
  },
};

test("reads choices, bounds and lists from the schema", () => {
  const specs = settingSpecs(schema);
  assert.deepEqual(specs.activations.item?.choices, ["relu", "tanh"]);
  assert.equal(specs.activations.kind, "list");
  assert.equal(specs.learning_rate.maximum, 10);
  assert.equal(specs.learning_rate.minimum, 1e-5);
  assert.equal(specs.early_stopping.kind, "boolean");
  assert.equal(specs.decay_rate.minimum, 0);
  assert.equal(specs.hidden.item?.kind, "integer");
});

test("parses hidden layers, leaving their bounds to the server", () => {
  assert.deepEqual(parseIntegerList("4, 2"), { value: [4, 2] });
  assert.deepEqual(parseIntegerList("4 2,,1"), { value: [4, 2, 1] });
  assert.deepEqual(parseIntegerList(""), { value: [] });
  assert.deepEqual(parseIntegerList("4, 17, 1, 1, 1, 1, 1"), { value: [4, 17, 1, 1, 1, 1, 1] });
  assert.match(/** @type {any} */ (parseIntegerList("4, 2.5")).error, /whole numbers separated by commas, received "2.5"/);
  assert.match(/** @type {any} */ (parseIntegerList("4, x")).error, /received "x"/);
});

test("log slider positions round-trip to two significant digits", () => {
  assert.equal(toLogPosition(1e-5, 1e-5, 10), 0);
  assert.equal(toLogPosition(10, 1e-5, 10), 1);
  assert.equal(fromLogPosition(toLogPosition(0.03, 1e-5, 10), 1e-5, 10), 0.03);
});
