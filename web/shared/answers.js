// @ts-check
// The server's `settings` answers (docs/protocol.md): one comes for each client message but
// `ack`, in order. Which answer the page shows, and how it says what the server chose. Pure:
// no DOM, no socket.

/** @typedef {import("./protocol.js").ModelSettings} ModelSettings */

/**
 * Counts the page's messages the server has not answered yet, so that an answer is shown
 * only when it answers the latest: a control being moved is not pulled back to the answer
 * to an older position of it.
 */
export class Answers {
  constructor() {
    this.unanswered = 0;
  }

  /** The page sent a message: an answer will come. */
  sent() {
    this.unanswered += 1;
  }

  /** @returns {boolean} whether the answer that came answers the latest message */
  answered() {
    this.unanswered = Math.max(0, this.unanswered - 1);
    return this.unanswered === 0;
  }

  /** A new session: the closed one's answers will never come. */
  restart() {
    this.unanswered = 0;
  }
}

/**
 * What the server trains with, per model (the same ones once): "Trains with cross entropy
 * (sigmoid ce), sigmoid output."
 * @param {ModelSettings[]} models @returns {string}
 */
export function trainedAs(models) {
  const words = (/** @type {string} */ name) => name.replaceAll("_", " ");
  const each = models.map((model) => `${words(model.loss)} (${words(model.loss_kind)}), ${model.output_activation} output`);
  return `Trains with ${[...new Set(each)].join("; ")}.`;
}
