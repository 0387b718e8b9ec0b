import assert from "node:assert/strict";
import { test } from "node:test";
import { lessonSettings } from "../../web/lessons.js";

test("a lesson starts from the defaults, not from the learner's settings", () => {
  const defaults = { dataset: "circle", hidden: [4, 2], learning_rate: 0.03 };
  const lesson = { id: "x", title: "X", explanation: [], settings: { hidden: [8] }, compare: [], try_next: null, epochs_per_frame: 1, hidden_controls: [] };
  assert.deepEqual(lessonSettings(defaults, lesson), { dataset: "circle", hidden: [8], learning_rate: 0.03 });
});
