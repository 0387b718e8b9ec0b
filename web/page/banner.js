// @ts-check
// The session's state in the header and, when it needs the learner (diverged, stopped early,
// disconnected), the banner with its buttons: the same on both pages. DOM only.
import { element } from "./dom.js";

/**
 * @param {import("../shared/page_state.js").PageState} state
 * @param {string} play the session's state (or reconnecting, closed, busy) @param {string} detail the server's words
 */
export function showSessionState(state, play, detail) {
  state.play = play;
  const disconnected = state.disconnected;
  element("state").textContent = play.replace("_", " ");
  element("play").textContent = state.playLabel();
  const banner = element("banner");
  banner.hidden = !(disconnected || play === "diverged" || play === "stopped_early");
  element("banner-text").textContent = detail;
  element("lower-rate").hidden = play !== "diverged";
  element("banner-reset").hidden = disconnected;
  element("reconnect").hidden = play !== "closed" && play !== "busy";
  banner.classList.toggle("warning", disconnected || play === "diverged");
  if ((document.body.dataset.connection === "lost") !== disconnected) document.body.dataset.connection = disconnected ? "lost" : "open";
}
