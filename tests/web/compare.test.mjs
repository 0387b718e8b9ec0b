// @ts-check
// Unit tests of web/page/compare.js's pure parts: which settings a variant may change (the
// server's effects) and how a typed value is read (its bounds are the server's to judge).
import assert from "node:assert/strict";
import { test } from "node:test";
import { variantName, variantSettings, variantValue } from "../../web/page/compare.js";
import { settingSpecs } from "../../web/shared/schema.js";
import { CONFIG } from "./config_fixture.mjs";

const SPECS = settingSpecs(CONFIG.settings_schema);

test("a variant may change every setting but those that make new data", () => {
  const names = variantSettings(SPECS, CONFIG.effects.regenerate);
  assert.ok(names.includes("activations") && names.includes("learning_rate") && names.includes("seed"));
  for (const name of CONFIG.effects.regenerate) assert.ok(!names.includes(name), name);
  assert.equal(names.length, Object.keys(SPECS).length - CONFIG.effects.regenerate.length);
});

test("values are read by the setting's kind, lists separated by commas or spaces", () => {
  assert.deepEqual(variantValue(SPECS.hidden, "8, 8 4"), { value: [8, 8, 4] });
  assert.deepEqual(variantValue(SPECS.activations, "sigmoid"), { value: ["sigmoid"] });
  assert.deepEqual(variantValue(SPECS.features, "x1, x2,x1^2"), { value: ["x1", "x2", "x1^2"] });
  assert.deepEqual(variantValue(SPECS.learning_rate, " 0.3 "), { value: 0.3 });
  assert.deepEqual(variantValue(SPECS.optimizer, "adam"), { value: "adam" });
  assert.deepEqual(variantValue(SPECS.early_stopping, "true"), { value: true });
});

test("bounds and choices are left to the server; what is not a number is refused here", () => {
  assert.deepEqual(variantValue(SPECS.learning_rate, "99"), { value: 99 });
  assert.deepEqual(variantValue(SPECS.optimizer, "lbfgs"), { value: "lbfgs" });
  assert.match(/** @type {any} */ (variantValue(SPECS.learning_rate, "fast")).error, /learning_rate: expected a number, received "fast"/);
  assert.match(/** @type {any} */ (variantValue(SPECS.dropout, "0.1, x")).error, /dropout: expected a number, received "x"/);
  assert.match(/** @type {any} */ (variantValue(SPECS.early_stopping, "yes")).error, /true or false/);
});

test("a variant is named by what it changes", () => {
  assert.equal(variantName({}), "this model");
  assert.equal(variantName({ hidden: [8, 8], learning_rate: 0.3 }), "hidden = 8, 8, learning rate = 0.3");
});
