// @ts-check
// Unit tests of web/shared/page_state.js: the page's transitions on the server's answers, what
// a closed connection keeps of the run, and the link both ways.
import assert from "node:assert/strict";
import { test } from "node:test";
import { PageState, readLink } from "../../web/shared/page_state.js";
import { settingSpecs } from "../../web/shared/schema.js";
import { CONFIG } from "./config_fixture.mjs";

const specs = settingSpecs(CONFIG.settings_schema);

function page() {
  /** @type {Record<string, unknown>[]} */
  const sent = [];
  return { state: new PageState(CONFIG.defaults, (message) => sent.push(message)), sent };
}

/** @param {Record<string, any>} settings @param {Record<string, unknown>[]} [compare] */
const applied = (settings, compare = []) => ({ type: /** @type {const} */ ("settings"), revision: 1, settings, compare, models: [], epochs_per_frame: 1, problem: "binary", n_outputs: 1 });
/** @param {Record<string, any>} settings */
const ready = (settings) => ({ type: /** @type {const} */ ("ready"), version: "", limits: {}, settings, epochs_per_frame: 1, effects: {}, models: [] });

test("only the answer to the latest message is shown; the settings are always the latest answer's", () => {
  const { state, sent } = page();
  state.post({ type: "play" });
  state.post({ type: "pause" });
  assert.equal(sent.length, 2);
  const older = { ...CONFIG.defaults, seed: 1 };
  assert.deepEqual(state.apply(applied(older)), { compared: false, latest: false });
  assert.equal(state.settings.seed, 1);
  assert.deepEqual(state.apply(applied(CONFIG.defaults, [{ seed: 1 }, { seed: 2 }])), { compared: true, latest: true });
  assert.deepEqual(state.compare, [{ seed: 1 }, { seed: 2 }]);
  assert.equal(state.compareWith([{ seed: 1 }, { seed: 2 }]), false);
});

test("a closed connection keeps whether the run played and the user's points, for the next session", () => {
  const { state, sent } = page();
  state.keepRun();
  assert.equal(state.restore, null); // no session yet: nothing to restore
  assert.equal(state.ready(ready({ ...CONFIG.defaults, dataset: "custom" })), null);
  state.lastPoints = { type: "points" };
  state.play = "running";
  state.keepRun();
  state.play = "reconnecting";
  assert.equal(state.playLabel(), "Pause");
  state.togglePlay(); // while disconnected the button says whether the next session plays
  assert.equal(state.playLabel(), "Play");
  assert.equal(sent.length, 0);
  assert.deepEqual(state.ready(ready(CONFIG.defaults)), { playing: false, points: { type: "points" } });
  assert.equal(state.restore, null);
});

test("play toggles by the session's state once connected", () => {
  const { state, sent } = page();
  state.togglePlay();
  state.play = "running";
  state.togglePlay();
  assert.deepEqual(sent, [{ type: "play" }, { type: "pause" }]);
});

test("the link holds the settings off the defaults and the page's run, never user points", () => {
  const { state } = page();
  assert.equal(state.hash(), "");
  state.settings = { ...CONFIG.defaults, learning_rate: 0.1 };
  state.speed = 5;
  state.compare = [{ seed: 1 }];
  state.lesson = /** @type {any} */ ({ id: "xor" });
  state.classroom = true;
  const link = readLink(`#${state.hash()}`, specs);
  assert.deepEqual(link, { settings: { learning_rate: 0.1 }, rejected: [], lesson: "xor", classroom: true, speed: 5, compare: [{ seed: 1 }] });
  state.settings = { ...state.settings, dataset: "custom", seed: 3 };
  assert.doesNotMatch(state.hash(), /dataset/);
});

test("a link's unreadable parts are said, not sent", () => {
  const link = readLink("#learning_rate=100&speed=fast&compare={", specs);
  assert.deepEqual(link, { settings: {}, rejected: ["learning_rate"], lesson: undefined, classroom: false, speed: undefined, compare: "unreadable" });
  assert.equal(readLink("#compare=%7B%7D", specs).compare, undefined); // not a list: ignored
});
