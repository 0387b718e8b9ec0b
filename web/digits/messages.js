// @ts-check
// What the digits page does with the server's messages and the connection's closes: the page
// state takes each, the screen, the views and the link show it. Frames are drawn by main.js's
// animation loop; their count is window.nnPlayground.frames, as on the 2-D page.
import { notice } from "../page/dom.js";
import { applyLink, updateLink } from "../page/link.js";
import { send } from "../shared/protocol.js";
import { connectionLost } from "../page/server_messages.js";
import { RESTARTED } from "../shared/reconnect.js";

/**
 * @param {import("../shared/page_state.js").PageState} state
 * @param {import("./screen.js").DigitsScreen} screen
 * @param {{lessons: import("../page/lessons.js").Lessons, frames: import("./frame_view.js").DigitsFrameView,
 *   confusion: import("./confusion_view.js").ConfusionView, grid: import("./test_grid.js").TestGrid,
 *   onPrediction: (message: Record<string, any>) => void, onNewModel: () => void,
 *   onCode: (message: Record<string, any>) => void}} more
 * @returns {import("../worker/socket.js").Handlers}
 */
export function serverHandlers(state, screen, { lessons, frames, confusion, grid, onPrediction, onNewModel, onCode }) {
  /** @param {Record<string, any>} ready */
  const start = (ready) => {
    const restarted = state.ready(/** @type {any} */ (ready));
    if (restarted) frames.clearHistory(); // no curve mixes two sessions
    if (state.compareWith([])) frames.setModels();
    screen.showComparison();
    screen.showState("idle");
    screen.showApplied(/** @type {any} */ (ready));
    applyLink(state, screen.specs, lessons);
    if (restarted?.playing) state.post(send.play());
    if (restarted) notice(RESTARTED);
  };
  let shownModels = "";
  /** @param {Record<string, any>} applied */
  const accept = (applied) => {
    const { compared, latest } = state.apply(/** @type {any} */ (applied));
    if (compared) {
      frames.setModels();
      screen.showComparison();
    }
    if (!latest) return;
    screen.showApplied(/** @type {any} */ (applied));
    updateLink(state);
    const models = JSON.stringify(applied.models);
    if (models !== shownModels) onNewModel(); // a drawn digit is read again by the new models
    shownModels = models;
  };
  return {
    onMessage(message) {
      if (message.type === "ready") start(message);
      else if (message.type === "settings") accept(message);
      else if (message.type === "digits") {
        confusion.setDigits(message.digits);
        grid.setImages(/** @type {any} */ (message));
      } else if (message.type === "status") screen.showState(message.state, message.detail);
      // The `settings` answer that follows shows what stayed in effect.
      else if (message.type === "error") notice(`Not applied: ${message.message.startsWith(message.field) ? "" : `${message.field}: `}${message.message}`);
      else if (message.type === "busy") state.busyReason = message.reason;
      else if (message.type === "prediction") onPrediction(message);
      else if (message.type === "code") onCode(message);
    },
    ...connectionLost(state, screen),
  };
}
