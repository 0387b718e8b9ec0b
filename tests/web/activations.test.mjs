// @ts-check
// Unit tests of web/activations.js (g and g' as the server defines them). Run: node --test tests/web/
// Imports only node builtins and the module under test; reads the server's sources as text.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";

import {
  ACTIVATIONS,
  LEAKY_SLOPE,
  SELU_ALPHA,
  SELU_SCALE,
  activation,
  curve,
  derivative,
} from "../../web/activations.js";

const ENGINE = new URL("../../server/nn_playground/engine/", import.meta.url);

/** @param {number} actual @param {number} expected @param {number} [tolerance] */
function near(actual, expected, tolerance = 1e-12) {
  assert.ok(
    Math.abs(actual - expected) <= tolerance * Math.max(1, Math.abs(expected)),
    `expected ${expected}, received ${actual}`,
  );
}

describe("names and constants", () => {
  test("ACTIVATIONS lists config.Activation in its order", () => {
    const source = readFileSync(new URL("config.py", ENGINE), "utf8");
    const body = source.split("class Activation(StrEnum):")[1].split("\nclass ")[0];
    const names = [...body.matchAll(/^\s+[A-Z_]+ = "([a-z_]+)"/gm)].map((match) => match[1]);
    assert.deepEqual([...ACTIVATIONS], names);
  });

  test("constants equal model.py's", () => {
    const source = readFileSync(new URL("numerics/model.py", ENGINE), "utf8");
    /** @param {string} name */
    const constant = (name) => Number(new RegExp(`^${name} = ([0-9.e-]+)$`, "m").exec(source)?.[1]);
    assert.equal(SELU_ALPHA, constant("SELU_ALPHA"));
    assert.equal(SELU_SCALE, constant("SELU_SCALE"));
    assert.equal(LEAKY_SLOPE, constant("LEAKY_SLOPE"));
    assert.equal(LEAKY_SLOPE, 0.01);
  });

  test("an unknown name throws", () => {
    assert.throws(() => activation("softplus", 0), RangeError);
    assert.throws(() => derivative("ReLU", 0), RangeError);
    assert.throws(() => curve("step", -1, 1, 3), RangeError);
  });
});

describe("values against hand-computed numbers", () => {
  /** [name, z, g(z), g'(z)] */
  const cases = [
    ["sigmoid", 0, 0.5, 0.25],
    ["sigmoid", 2, 1 / (1 + Math.exp(-2)), 0.8807970779778823 * 0.11920292202211755],
    ["sigmoid", -2, 0.11920292202211755, 0.8807970779778823 * 0.11920292202211755],
    ["sigmoid", -800, 0, 0], // no overflow to NaN
    ["tanh", 0, 0, 1],
    ["tanh", 0.5, 0.46211715726000974, 0.7864477329659274],
    ["tanh", -0.5, -0.46211715726000974, 0.7864477329659274],
    ["relu", 3, 3, 1],
    ["relu", -3, 0, 0],
    ["leaky_relu", 3, 3, 1],
    ["leaky_relu", -3, -0.03, 0.01],
    ["leaky_relu", -200, -2, 0.01],
    ["elu", 2, 2, 1],
    ["elu", -1, Math.exp(-1) - 1, Math.exp(-1)],
    ["elu", -2, -0.8646647167633873, 0.1353352832366127],
    ["selu", 2, 2.101401974710961, 1.0507009873554805],
    ["selu", -1, -1.1113307378125625, 0.646768603034814],
    ["selu", -3, -1.6705687287671118, 1.0507009873554805 * 1.6732632423543772 * Math.exp(-3)],
    ["swish", 0, 0, 0.5],
    ["swish", 2, 1.7615941559557646, 1.0907842487848955],
    ["swish", -2, -0.2384058440442351, 0.11920292202211755 * (1 - 2 * 0.8807970779778823)],
    ["linear", -4.5, -4.5, 1],
    ["linear", 7, 7, 1],
  ];
  for (const [name, z, g, dg] of cases) {
    test(`${name}(${z}) = ${g}, slope ${dg}`, () => {
      near(activation(String(name), Number(z)), Number(g));
      near(derivative(String(name), Number(z)), Number(dg));
    });
  }

  test("selu saturates at -scale * alpha", () => {
    near(activation("selu", -40), -SELU_SCALE * SELU_ALPHA);
    near(activation("elu", -40), -1);
  });
});

describe("the kink at z = 0 follows the server's `z > 0` (left branch)", () => {
  test("values are continuous there", () => {
    for (const name of ["relu", "leaky_relu", "elu", "selu"]) assert.equal(activation(name, 0), 0);
  });
  test("slopes are the left ones", () => {
    assert.equal(derivative("relu", 0), 0);
    assert.equal(derivative("leaky_relu", 0), 0.01);
    assert.equal(derivative("elu", 0), 1);
    near(derivative("selu", 0), SELU_SCALE * SELU_ALPHA);
    assert.equal(derivative("relu", 1e-12), 1);
    assert.equal(derivative("selu", 1e-12), SELU_SCALE);
  });
});

describe("derivatives against central finite differences", () => {
  const h = 1e-5;
  /** @type {number[]} */
  const zs = [];
  for (let z = -7; z <= 7.0001; z += 0.173) zs.push(z);
  for (const name of ACTIVATIONS) {
    test(name, () => {
      let checked = 0;
      for (const z of zs) {
        if (Math.abs(z) < 10 * h) continue; // the kinks are all at 0
        const numeric = (activation(name, z + h) - activation(name, z - h)) / (2 * h);
        near(derivative(name, z), numeric, 1e-7);
        checked++;
      }
      assert.ok(checked > 70, `only ${checked} points checked`);
    });
  }
});

describe("curve", () => {
  test("samples both ends, evenly, with g and g' at each z", () => {
    for (const name of ACTIVATIONS) {
      const { z, g, dg } = curve(name, -5, 5, 11);
      assert.ok(z instanceof Float64Array && g instanceof Float64Array && dg instanceof Float64Array);
      assert.equal(z.length, 11);
      assert.equal(g.length, 11);
      assert.equal(dg.length, 11);
      assert.equal(z[0], -5);
      assert.equal(z[10], 5);
      for (let i = 0; i < 11; i++) {
        near(z[i], -5 + i);
        assert.equal(g[i], activation(name, z[i]));
        assert.equal(dg[i], derivative(name, z[i]));
      }
    }
  });

  test("other lengths and ranges", () => {
    assert.equal(curve("tanh", 0, 1, 2).z.length, 2);
    const { z } = curve("relu", -1, 3, 1000);
    assert.equal(z.length, 1000);
    assert.equal(z[999], 3);
    for (let i = 1; i < z.length; i++) assert.ok(z[i] > z[i - 1]);
    assert.equal(curve("swish").z.length, 201); // defaults: [-5, 5], 201 samples
    const inexact = curve("sigmoid", -3, 0.1, 3); // -3 + 3.1 * 2 / 2 is 0.10000000000000009
    assert.equal(inexact.z[0], -3);
    assert.equal(inexact.z[2], 0.1); // the last sample is exactly zMax
  });

  test("bad sample counts or ranges throw", () => {
    assert.throws(() => curve("tanh", -5, 5, 1), RangeError);
    assert.throws(() => curve("tanh", -5, 5, 2.5), RangeError);
    assert.throws(() => curve("tanh", 5, -5, 10), RangeError);
    assert.throws(() => curve("tanh", -Infinity, 5, 10), RangeError);
  });
});
