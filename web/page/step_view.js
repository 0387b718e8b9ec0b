// @ts-check
// The "Explain a step" view: the next training step taken apart for a chosen train point and
// weight (the server's `explanation`), one layer at a time so 6 layers of 16 stay readable.
// While it is open training stays paused, the point is ringed on the picture and the network's
// lines show the step's gradients. Its sections are written by step_sections.js.
import { element, make, notice } from "./dom.js";
import { send } from "../shared/protocol.js";
import { domainPoint, nearestPoint } from "../shared/step_text.js";
import { layerSection, lossSection, stepSections } from "./step_sections.js";

/** @typedef {import("../shared/protocol.js").Explanation} Explanation */
/** @typedef {import("../shared/protocol.js").WeightChoice} WeightChoice */

const EPSILON = { low: 1e-6, high: 1, start: 1e-3 }; // protocol.py Explain.epsilon's bounds
const COMPUTING = "Computing… (the first explanation compiles its program: up to half a minute).";
// An explain refused names one of these fields; other errors belong to other messages.
const EXPLAIN_FIELDS = /^(point|epsilon|model|weight\.)/;

export class StepView {
  /**
   * @param {import("../shared/page_state.js").PageState} state @param {import("./screen.js").Screen} screen
   * @param {number} domain the picture spans [-domain, domain]² (GET api/config's limits)
   */
  constructor(state, screen, domain) {
    this.state = state;
    this.screen = screen;
    this.domain = domain;
    this.panel = element("explain");
    this.body = element("explain-body");
    this.status = element("explain-status");
    this.pointInput = /** @type {HTMLInputElement} */ (element("explain-point"));
    this.epsilonInput = /** @type {HTMLInputElement} */ (element("explain-epsilon"));
    this.applyButton = /** @type {HTMLButtonElement} */ (element("explain-apply"));
    this.isOpen = false;
    this.resume = false; // training ran when the view opened: closing it runs again
    /** @type {number | null} */
    this.point = null;
    /** @type {WeightChoice} */
    this.weight = { layer: 0, source: 0, unit: 0 };
    this.layer = 0; // the layer shown
    this.epsilon = EPSILON.start;
    /** @type {Explanation | null} */
    this.last = null;
    this.pending = 0; // explains sent and not answered
    /** @type {{revision: number | null} | null} an apply_step sent: its answer's revision, then a frame at least as new */
    this.applying = null;
    /** @type {unknown} the lesson opened with the view already (a lesson opens it once) */
    this.autoOpened = null;
    element("explain-open").addEventListener("click", () => (this.isOpen ? this.close() : this.open()));
    element("explain-close").addEventListener("click", () => this.close());
    element("boundary").addEventListener("click", (event) => this.clickPicture(event));
    this.pointInput.addEventListener("change", () => this.choosePoint(Number(this.pointInput.value)));
    this.epsilonInput.addEventListener("change", () => this.chooseEpsilon(Number(this.epsilonInput.value)));
    this.applyButton.addEventListener("click", () => this.apply());
    screen.network.weightLines.onPick = (layer, source, unit) => this.isOpen && this.chooseWeight({ layer, source, unit });
  }

  open() {
    this.isOpen = true;
    this.panel.hidden = false;
    element("explain-open").setAttribute("aria-pressed", "true");
    element("boundary").classList.add("choosing");
    this.resume = this.state.play === "running";
    this.state.post(send.pause());
    const train = this.state.data.train;
    if (this.point === null || this.point >= train.length) this.point = train.length ? 0 : null;
    this.request();
  }

  close() {
    this.isOpen = false;
    this.panel.hidden = true;
    element("explain-open").setAttribute("aria-pressed", "false");
    element("boundary").classList.remove("choosing");
    this.applying = null;
    this.highlight(null);
    this.screen.session.lines(null);
    if (this.resume) this.state.post(send.play());
  }

  /** Sends `explain` for the choices made, when there is a point to explain. */
  request() {
    if (!this.isOpen) return;
    if (this.point === null) {
      this.status.textContent = "Click a training point on the picture, or type its index.";
      return;
    }
    this.pointInput.value = String(this.point);
    this.highlight(this.point);
    this.pending += 1;
    this.applyButton.disabled = true;
    this.status.textContent = COMPUTING;
    this.state.post(send.explain(this.point, this.weight, this.epsilon));
  }

  /** The nearest training point to a click on the picture (not while points are being drawn). @param {MouseEvent} event */
  clickPicture(event) {
    if (!this.isOpen || /** @type {HTMLInputElement} */ (element("edit-points")).checked) return;
    const box = /** @type {HTMLElement} */ (event.currentTarget).getBoundingClientRect();
    const { x, y } = domainPoint(event.clientX - box.left, event.clientY - box.top, box.width, this.domain);
    const nearest = nearestPoint(this.state.data.train, x, y);
    if (nearest >= 0) this.choosePoint(nearest);
  }

  /** @param {number} point a train index */
  choosePoint(point) {
    const count = this.state.data.train.length;
    if (!Number.isInteger(point) || point < 0 || point >= count) {
      notice(`Point: expected a training point's index from 0 to ${count - 1}, received ${this.pointInput.value}`);
      this.pointInput.value = String(this.point ?? "");
      return;
    }
    this.point = point;
    this.request();
  }

  /** @param {WeightChoice} weight */
  chooseWeight(weight) {
    this.weight = weight;
    this.layer = weight.layer;
    this.request();
  }

  /** @param {number} epsilon */
  chooseEpsilon(epsilon) {
    if (!(epsilon >= EPSILON.low && epsilon <= EPSILON.high)) {
      notice(`ε: expected a number from ${EPSILON.low} to ${EPSILON.high}, received ${this.epsilonInput.value}`);
      this.epsilonInput.value = String(this.epsilon);
      return;
    }
    this.epsilon = epsilon;
    this.request();
  }

  /** Takes the step shown; the next explanation is asked for once its frame has come. */
  apply() {
    if (!this.last || this.pending) return;
    this.applying = { revision: null };
    this.applyButton.disabled = true;
    this.status.textContent = "Taking the step…";
    this.state.post(send.applyStep());
  }

  /** @param {number | null} point the train point ringed on the picture */
  highlight(point) {
    this.screen.highlight = point;
    this.screen.paintOptions();
  }

  /** @param {Explanation} explanation */
  show(explanation) {
    this.pending = Math.max(0, this.pending - 1);
    if (!this.isOpen || this.pending) return; // a newer answer is on its way
    this.last = explanation;
    this.weight = explanation.weight;
    this.layer = Math.min(this.layer, explanation.layers.length - 1);
    this.applyButton.disabled = explanation.diverges;
    const { step, epoch, batch, point, x, in_batch: inBatch } = explanation;
    const where = `Point ${point} at (${x.map((v) => v.toFixed(3)).join(", ")}), ${inBatch ? "in this minibatch" : "not in this minibatch"}.`;
    const warning = explanation.diverges ? " This step makes the loss or the weights non-finite: training would stop." : "";
    this.status.textContent = `Step ${step + 1} (minibatch ${batch.number} of ${batch.of}, epoch ${epoch}). ${where}${warning}`;
    // Only the hidden layers' lines are drawn: the output layer has no column of its own.
    this.screen.session.lines(explanation.layers.slice(0, -1).map((layer) => Float32Array.from(layer.step_gradients.flat())));
    this.render();
  }

  render() {
    const explanation = /** @type {Explanation} */ (this.last);
    const choices = explanation.layers.map(({ name }, i) => {
      const button = make("button", { type: "button", textContent: name, "aria-pressed": String(i === this.layer) });
      button.addEventListener("click", () => {
        this.layer = i;
        this.render();
      });
      return button;
    });
    this.body.replaceChildren(
      make("div", { className: "layer-choice", role: "group", "aria-label": "layer shown" }, ...choices),
      ...layerSection(explanation, this.layer, (weight) => this.chooseWeight(weight)),
      ...lossSection(explanation),
      ...stepSections(explanation),
    );
  }

  /** An error answered to an explain: said in the view, which stops waiting. @param {Record<string, any>} error @returns {boolean} it was one */
  refused(error) {
    if (!this.pending || !EXPLAIN_FIELDS.test(error.field)) return false;
    this.pending -= 1;
    this.status.textContent = `Not explained: ${error.message}`;
    return true;
  }

  /** The settings answer to an apply_step holds the revision its frame will carry. @param {{revision: number}} applied */
  settled(applied) {
    if (this.applying && this.applying.revision === null) this.applying.revision = applied.revision;
  }

  /**
   * Painted frames: the step's (then its next step is explained), or a lesson's first (a lesson
   * with `explain_view` opens the view).
   * @param {import("../shared/protocol.js").Frame[]} frames
   */
  framesShown(frames) {
    const lesson = this.state.lesson;
    if (lesson?.explain_view && this.autoOpened !== lesson && frames.length) {
      this.autoOpened = lesson;
      if (!this.isOpen) this.open();
    }
    const applying = this.applying;
    if (applying?.revision != null && frames.some((frame) => frame.revision >= /** @type {number} */ (applying.revision))) {
      this.applying = null;
      this.request();
    }
  }
}
