// @ts-check
// The run in the address bar, so a copied link reproduces it (seed included): sent from the
// link once a session is ready, rewritten with each answer the page shows.
import { notice } from "./dom.js";
import { readLink } from "../shared/page_state.js";
import { send } from "../shared/protocol.js";

/** @typedef {import("../shared/page_state.js").PageState} PageState */

/** Keeps the address bar's link equal to the run on screen. @param {PageState} state */
export function updateLink(state) {
  const hash = state.hash();
  window.history.replaceState(null, "", hash ? `#${hash}` : window.location.pathname);
}

/**
 * Sends the page's link (a shared run) as the session's first changes.
 * @param {PageState} state @param {Record<string, import("../shared/schema.js").SettingSpec>} specs
 * @param {import("./lessons.js").Lessons} lessons
 */
export function applyLink(state, specs, lessons) {
  const link = readLink(window.location.hash, specs);
  // A lesson first: the link's settings are the run as it was, the lesson's included.
  const lesson = link.lesson ? lessons.find(link.lesson) : undefined;
  if (lesson) lessons.open(lesson);
  else if (link.lesson) notice(`This link's lesson "${link.lesson}" is not one of this server's lessons.`);
  if (link.classroom && lesson) lessons.setClassroom(true);
  if (link.rejected.length) notice(`This link's ${link.rejected.join(", ")} could not be used: out of range or unknown.`);
  if (Object.keys(link.settings).length) state.post(send.configure(link.settings));
  if (link.speed !== undefined) state.post(send.speed(link.speed));
  if (link.compare === "unreadable") notice("This link's comparison could not be read.");
  else if (link.compare) state.post(send.compare(link.compare)); // the server checks each entry
}
