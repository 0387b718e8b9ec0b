// Unit tests of web/shared/url_state.js: a link round-trips every kind of setting.
import test from "node:test";
import assert from "node:assert/strict";
import { decodeHash, encodeHash } from "../../web/shared/url_state.js";
import { settingSpecs } from "../../web/shared/schema.js";

const schema = {
  $defs: { Activation: { enum: ["relu", "tanh"] }, Dataset: { enum: ["circle", "xor"] } },
  properties: {
    dataset: { $ref: "#/$defs/Dataset" },
    activations: { items: { $ref: "#/$defs/Activation" }, maxItems: 6, type: "array" },
    hidden: { items: { maximum: 16, minimum: 1, type: "integer" }, maxItems: 6, type: "array" },
    features: { items: { enum: ["x1", "x2", "x1^2", "x1*x2"] }, maxItems: 7, type: "array" },
    learning_rate: { maximum: 10.0, minimum: 1e-5, type: "number" },
    early_stopping: { type: "boolean" },
    seed: { minimum: 0, type: "integer" },
  },
};
const specs = settingSpecs(schema);
const defaults = { dataset: "circle", activations: ["tanh"], hidden: [4, 2], features: ["x1", "x2"], learning_rate: 0.03, early_stopping: false, seed: 0 };

test("only settings that differ from the defaults go into the hash, readably", () => {
  const hash = encodeHash({ ...defaults, dataset: "xor", hidden: [8, 8], features: ["x1^2", "x1*x2"] }, defaults, { speed: 5 });
  assert.equal(hash, "dataset=xor&hidden=8,8&features=x1^2,x1*x2&speed=5");
});

test("a hash round-trips every kind of setting", () => {
  const changed = { dataset: "xor", activations: ["relu", "tanh"], hidden: [], features: ["x1*x2"], learning_rate: 0.1, early_stopping: true, seed: 7 };
  const decoded = decodeHash("#" + encodeHash({ ...defaults, ...changed }, defaults, { speed: 3 }), specs);
  assert.deepEqual(decoded.settings, changed);
  assert.deepEqual(decoded.extra, { speed: "3" });
  assert.deepEqual(decoded.rejected, []);
});

test("values that do not fit the schema are rejected by name, the rest kept", () => {
  const decoded = decodeHash("hidden=4,99&learning_rate=100&dataset=moon&seed=1.5&early_stopping=yes&activations=relu", specs);
  assert.deepEqual(decoded.settings, { activations: ["relu"] });
  assert.deepEqual(decoded.rejected.sort(), ["dataset", "early_stopping", "hidden", "learning_rate", "seed"]);
});
