// @ts-check
// What the page does with the server's messages and with the connection's closes, as the
// drawing worker reports them: the page state takes each, the screen and the link show it.
import { element, notice } from "./dom.js";
import { applyLink, updateLink } from "./link.js";
import { send } from "../shared/protocol.js";
import { closedText, reconnectingText, RESTARTED } from "../shared/reconnect.js";

// Frames received and painted, read by tests and the browser benchmark. A global, not a
// data- attribute: an attribute written at every frame cost the page a style pass each.
const counts = { frames: 0, drawn: 0 };
Object.assign(window, { nnPlayground: counts });

/**
 * @param {import("./drawing.js").Drawing} session @param {import("../shared/page_state.js").PageState} state
 * @param {import("./screen.js").Screen} screen
 * @param {{codeDialog: import("./exports.js").CodeDialog, lessons: import("./lessons.js").Lessons, stepView: import("./step_view.js").StepView}} more
 */
/**
 * What either page does when its connection goes: keep the run to restore, and say what
 * happened (reconnecting, closed, or busy) on the banner.
 * @param {import("../shared/page_state.js").PageState} state
 * @param {{showState: (play: string, detail?: string) => void}} screen
 */
export function connectionLost(state, screen) {
  return {
    /** @param {import("../worker/socket.js").Reconnecting} reconnecting */
    onReconnecting(reconnecting) {
      state.keepRun();
      screen.showState("reconnecting", reconnectingText(reconnecting));
    },
    /** @param {import("../worker/socket.js").Closed} closed */
    onClose(closed) {
      state.keepRun();
      const { text, button } = closedText(closed, state.busyReason);
      element("reconnect").textContent = button;
      screen.showState(closed.action === "busy" ? "busy" : "closed", text);
      state.busyReason = "";
    },
  };
}

export function bindServerMessages(session, state, screen, { codeDialog, lessons, stepView }) {
  /** @param {import("../shared/protocol.js").Ready} ready */
  const start = (ready) => {
    const restarted = state.ready(ready);
    if (restarted) screen.frames.restart(); // no curve mixes two sessions
    if (state.compareWith([])) screen.showComparison();
    screen.showState("idle"); // a new session waits for play
    screen.showApplied(ready);
    applyLink(state, screen.specs, lessons); // the address bar's link changes only with the server's answer to it
    if (restarted?.points) state.post(restarted.points);
    if (restarted?.playing) state.post(send.play());
    if (restarted) notice(RESTARTED);
  };
  /** @param {import("../shared/protocol.js").AppliedSettings} applied */
  const accept = (applied) => {
    stepView.settled(applied);
    const { compared, latest } = state.apply(applied);
    if (compared) screen.showComparison();
    if (!latest) return;
    screen.showApplied(applied);
    updateLink(state);
  };
  session.listen({
    onMessage(message) {
      if (message.type === "ready") start(/** @type {import("../shared/protocol.js").Ready} */ (message));
      else if (message.type === "settings") accept(/** @type {import("../shared/protocol.js").AppliedSettings} */ (message));
      else if (message.type === "data") {
        state.useData(/** @type {import("../shared/protocol.js").Data} */ (message));
        screen.showData();
      } else if (message.type === "status") screen.showState(message.state, message.detail);
      // The `settings` answer that follows shows what stayed in effect.
      else if (message.type === "error") stepView.refused(message) || notice(`Not applied: ${message.message}`);
      else if (message.type === "busy") state.busyReason = /** @type {import("../shared/protocol.js").Busy} */ (message).reason;
      else if (message.type === "code") codeDialog.show(message);
      else if (message.type === "explanation") stepView.show(/** @type {import("../shared/protocol.js").Explanation} */ (message));
    },
    ...connectionLost(state, screen),
    onShown(frames, received, drawn) {
      state.lastModel = screen.frames.show(frames);
      counts.frames = received;
      counts.drawn = drawn;
      stepView.framesShown(frames);
    },
    onFailure: (text) => notice(`Drawing failed: ${text}`),
  });
}
