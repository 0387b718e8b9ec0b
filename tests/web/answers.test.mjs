// @ts-check
// Unit tests of web/shared/answers.js: which `settings` answer the page shows, and its sentence.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Answers, trainedAs } from "../../web/shared/answers.js";

test("an answer is shown only when it answers the latest message", () => {
  const answers = new Answers();
  answers.sent(); // a slider moves twice before the first answer
  answers.sent();
  assert.equal(answers.answered(), false); // the answer to its older position
  assert.equal(answers.answered(), true);
  // An answer with none outstanding (a newer server's, or after a restart) is shown.
  assert.equal(answers.answered(), true);
  assert.equal(answers.unanswered, 0);
});

test("a new session forgets what the closed one never answered", () => {
  const answers = new Answers();
  answers.sent();
  answers.sent();
  answers.restart();
  answers.sent();
  assert.equal(answers.answered(), true);
});

test("says what each model trains with, once when they agree", () => {
  const model = { settings: {}, loss: "cross_entropy", loss_kind: "sigmoid_ce", output_activation: "sigmoid" };
  assert.equal(trainedAs([model, model]), "Trains with cross entropy (sigmoid ce), sigmoid output.");
  const regression = { ...model, loss: "mse", loss_kind: "linear_mse", output_activation: "linear" };
  assert.equal(trainedAs([model, regression]), "Trains with cross entropy (sigmoid ce), sigmoid output; mse (linear mse), linear output.");
});
