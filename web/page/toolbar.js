// @ts-check
// The transport: Play, Step and Reset (and their keys), Share, the speed slider, Regenerate,
// and the banner's buttons (lower the learning rate, reset, reconnect), through the page state.
import { element, notice } from "./dom.js";
import { updateLink } from "./link.js";
import { send } from "../shared/protocol.js";

/**
 * Either page's (the digits page passes its own socket session and screen, which have the
 * same members).
 * @param {import("../shared/page_state.js").PageState} state
 * @param {{retry: () => void}} session @param {import("./screen.js").Screen} screen
 */
export function bindToolbar(state, session, screen) {
  const togglePlay = () => {
    state.togglePlay();
    element("play").textContent = state.playLabel();
  };
  const step = () => state.post(send.step(1));
  const reset = () => screen.restartWith(send.reset());
  element("play").addEventListener("click", togglePlay);
  element("step").addEventListener("click", step);
  element("reset").addEventListener("click", reset);
  element("banner-reset").addEventListener("click", reset);
  element("regenerate").addEventListener("click", () => screen.restartWith(send.regenerate()));
  element("reconnect").addEventListener("click", () => {
    screen.showState("reconnecting", "Reconnecting…");
    session.retry();
  });
  element("lower-rate").addEventListener("click", () => {
    const rate = Number((state.settings.learning_rate / 10).toPrecision(2));
    screen.configure({ learning_rate: Math.max(Number(screen.specs.learning_rate.minimum), rate) });
  });
  element("share").addEventListener("click", async () => {
    updateLink(state);
    try {
      await navigator.clipboard.writeText(window.location.href);
      notice("Link copied: it opens this run, seed included.");
    } catch {
      notice(`Copy this link: ${window.location.href}`);
    }
  });
  const speed = /** @type {HTMLInputElement} */ (element("speed"));
  speed.max = String(screen.config.limits.max_epochs_per_frame);
  speed.addEventListener("input", () => state.post(send.speed(Number(speed.value))));
  document.addEventListener("keydown", (event) => {
    if (/** @type {HTMLElement} */ (event.target).closest("input, select, textarea, button, canvas")) return;
    if (event.key === " ") togglePlay();
    else if (event.key === "s") step();
    else if (event.key === "r") reset();
    else return;
    event.preventDefault();
  });
}
