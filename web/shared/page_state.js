// @ts-check
// What the page knows of its run, as the server last said it: the settings it applied, the
// data, the compared models, the lesson, the play state and speed, and what a closed
// connection leaves to send again. Transitions and the link; no DOM, no socket (`transport`).
import { Answers } from "./answers.js";
import { pointData, send } from "./protocol.js";
import { decodeHash, encodeHash } from "./url_state.js";

/**
 * @typedef {{id: string, title: string, explanation: string[], settings: Record<string, unknown>,
 *   whole_settings: Record<string, unknown>, compare: Record<string, unknown>[],
 *   try_next: Record<string, unknown> | null, epochs_per_frame: number,
 *   hidden_controls: string[], explain_view?: boolean}} Lesson GET api/lessons's; `whole_settings`:
 *   the defaults updated by `settings` (never the learner's settings, so a lesson always starts
 *   from the same place); `explain_view`: open the explain view at its first frame (missing: no)
 * @typedef {import("./protocol.js").PointData} PointData
 * @typedef {{playing: boolean, points: Record<string, unknown> | null}} Restore what the link
 *   does not hold of a run whose connection closed, sent again after the next `ready`
 */

export class PageState {
  /**
   * @param {Record<string, any>} defaults GET api/config's
   * @param {(message: Record<string, unknown>) => void} transport sends a client message
   */
  constructor(defaults, transport) {
    this.defaults = defaults;
    this.transport = transport;
    /** @type {Record<string, any>} the settings the server applied, as it last said */
    this.settings = { ...defaults };
    this.answers = new Answers(); // client messages the server has not answered yet
    /** @type {PointData} the latest `data` message's */
    this.data = { problem: "binary", nOutputs: 1, train: [], test: [], targetLow: 0, targetHigh: 1 };
    /** @type {Record<string, unknown>[]} the models the server compares ([] when not comparing) */
    this.compare = [];
    /** @type {Lesson | null} */
    this.lesson = null;
    this.classroom = false; // the controls the lesson does not need are hidden
    this.play = "idle"; // the session's state, or reconnecting, closed, busy
    this.speed = 1; // epochs per frame
    /** @type {import("./protocol.js").ModelFrame | null} the model last drawn */
    this.lastModel = null;
    this.started = false; // a session was ready: a later `ready` restarts the run
    /** @type {Restore | null} */
    this.restore = null;
    /** @type {Record<string, unknown> | null} the last points message (user points are not in links) */
    this.lastPoints = null;
    this.busyReason = "";
  }

  /** @param {Record<string, unknown>} message one of protocol.send's: the server answers it */
  post(message) {
    this.answers.sent();
    this.transport(message);
  }

  /** A session is ready. @param {import("./protocol.js").Ready} ready @returns {Restore | null} */
  ready(ready) {
    this.settings = ready.settings;
    this.answers.restart();
    const restarted = this.restore;
    this.restore = null;
    this.started = true;
    return restarted;
  }

  /**
   * The server's answer to a client message. @param {import("./protocol.js").AppliedSettings} applied
   * @returns {{compared: boolean, latest: boolean}} whether the comparison changed, and whether
   *   the answer is to the latest message (the only one shown: see answers.js)
   */
  apply(applied) {
    this.settings = applied.settings;
    return { compared: this.compareWith(applied.compare), latest: this.answers.answered() };
  }

  /** @param {Record<string, unknown>[]} models the comparison the server accepted @returns {boolean} whether it changed */
  compareWith(models) {
    if (JSON.stringify(models) === JSON.stringify(this.compare)) return false;
    this.compare = models;
    return true;
  }

  /** @param {import("./protocol.js").Data} message */
  useData(message) {
    this.data = pointData(message);
  }

  get disconnected() {
    return ["reconnecting", "closed", "busy"].includes(this.play);
  }

  /** Keeps what the link does not hold of a run whose connection just closed. */
  keepRun() {
    if (!this.started || this.restore) return;
    this.restore = { playing: this.play === "running", points: this.settings.dataset === "custom" ? this.lastPoints : null };
  }

  /** Plays or pauses; while disconnected, toggles whether the next session will play. */
  togglePlay() {
    if (this.restore) this.restore.playing = !this.restore.playing;
    else this.post(this.play === "running" ? send.pause() : send.play());
  }

  /** The play button's label: while disconnected, whether the next session will play. */
  playLabel() {
    return this.play === "running" || (this.disconnected && this.restore?.playing) ? "Pause" : "Play";
  }

  /** @returns {string} the link of the run on screen, as a hash without "#" ("": the defaults) */
  hash() {
    const { dataset, ...rest } = this.settings;
    const shown = dataset === "custom" ? rest : this.settings; // user points are not in links
    /** @type {Record<string, string | number>} */
    const extra = {};
    if (this.speed !== 1) extra.speed = this.speed;
    if (this.compare.length) extra.compare = JSON.stringify(this.compare);
    if (this.lesson) extra.lesson = this.lesson.id;
    if (this.lesson && this.classroom) extra.classroom = 1;
    return encodeHash(shown, this.defaults, extra);
  }
}

/**
 * What a link (a shared run) asks for, checked against the schema specs.
 * @param {string} hash @param {Record<string, import("./schema.js").SettingSpec>} specs
 * @returns {{settings: Record<string, unknown>, rejected: string[], lesson?: string, classroom: boolean,
 *   speed?: number, compare?: Record<string, unknown>[] | "unreadable"}}
 */
export function readLink(hash, specs) {
  const { settings, extra, rejected } = decodeHash(hash, specs);
  const speed = Number(extra.speed ?? NaN);
  let compare = /** @type {Record<string, unknown>[] | "unreadable" | undefined} */ (undefined);
  try {
    const models = JSON.parse(extra.compare || "null");
    if (Array.isArray(models)) compare = models;
  } catch {
    compare = "unreadable";
  }
  return { settings, rejected, lesson: extra.lesson, classroom: extra.classroom === "1", speed: Number.isFinite(speed) ? speed : undefined, compare };
}
