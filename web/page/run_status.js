// @ts-check
// The run's status on screen: the state line and its banner (divergence, early stop, a lost
// connection), the speed the server applied, and one-line notices. DOM only; sends nothing.
import { element } from "./dom.js";

/** @param {string} text */
export function notice(text) {
  element("notice").textContent = text;
}

/** @param {import("../shared/page_state.js").PageState} state @param {string} play @param {string} [detail] */
export function showState(state, play, detail = "") {
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

/** @param {import("../shared/page_state.js").PageState} state @param {number} epochs the server's epochs per frame */
export function showSpeed(state, epochs) {
  state.speed = epochs;
  /** @type {HTMLInputElement} */ (element("speed")).value = String(epochs);
  element("speed-value").textContent = String(epochs);
}
