// @ts-check
// The user's own points: click the boundary to add one of the chosen class (or value),
// shift-click to erase the nearest, clear, or upload a CSV. Holds the point list; the
// caller sends it as a `points` message. Knows the canvas geometry, not the socket.
import { parsePointsCsv, pointsMessage } from "../shared/csv_points.js";
import { element, notice } from "./dom.js";

/** @typedef {import("../shared/page_state.js").PointData} PointData */
/** @typedef {import("../shared/csv_points.js").PointLimits} PointLimits */

export class DataEditor {
  /**
   * @param {HTMLCanvasElement} canvas the boundary
   * @param {(message: Record<string, unknown>) => void} sendPoints
   * @param {PointLimits} limits the server's (GET /api/config): the domain, point counts...
   */
  constructor(canvas, sendPoints, limits) {
    this.limits = limits;
    this.sendPoints = sendPoints;
    /** @type {{x: number, y: number, label: number}[]} */
    this.points = [];
    this.problem = "binary";
    this.nOutputs = 1;
    this.label = 0;
    this.editing = false;
    canvas.addEventListener("click", (event) => {
      if (!this.editing) return;
      const box = canvas.getBoundingClientRect();
      const domain = limits.domain;
      const x = ((event.clientX - box.left) / box.width) * 2 * domain - domain;
      const y = domain - ((event.clientY - box.top) / box.height) * 2 * domain;
      if (event.shiftKey) this.erase(x, y);
      else this.points.push({ x, y, label: this.label });
      this.send();
    });
  }

  /**
   * Starts from the points on screen (train and test rows of the data message).
   * @param {PointData} data
   */
  adopt(data) {
    this.problem = data.problem;
    this.nOutputs = data.nOutputs;
    this.points = [...data.train, ...data.test].map(([x, y, label]) => ({ x, y, label }));
  }

  /** @param {number} x @param {number} y */
  erase(x, y) {
    let nearest = -1;
    let best = Infinity;
    this.points.forEach((point, i) => {
      const distance = (point.x - x) ** 2 + (point.y - y) ** 2;
      if (distance < best) [nearest, best] = [i, distance];
    });
    if (nearest >= 0 && best < 0.5 ** 2) this.points.splice(nearest, 1);
  }

  clear() {
    this.points = [];
    notice(`Points cleared: click the picture to add some (at least ${this.limits.min_user_points}).`);
  }

  send() {
    if (this.points.length < this.limits.min_user_points) {
      notice(`Add at least ${this.limits.min_user_points} points to train on.`);
      return;
    }
    this.sendPoints(pointsMessage(this.points, /** @type {any} */ (this.problem), this.nOutputs));
  }

  /**
   * @param {string} text a CSV file's content
   * @returns {boolean} whether the file was good (its points are sent)
   */
  upload(text) {
    const parsed = parsePointsCsv(text, this.limits, { problem: /** @type {any} */ (this.problem), nOutputs: this.nOutputs });
    if (parsed.errors.length) {
      const shown = parsed.errors.slice(0, 5).map((error) => error.message);
      const more = parsed.errors.length > 5 ? ` (and ${parsed.errors.length - 5} more)` : "";
      notice(`The file was not used: ${shown.join("; ")}${more}`);
      return false;
    }
    this.points = parsed.points;
    this.send();
    return true;
  }
}

/**
 * Wires the "your own points" panel of index.html to an editor.
 * @param {DataEditor} editor @param {() => PointData} currentData
 */
export function bindPointsPanel(editor, currentData) {
  const byId = (/** @type {string} */ id) => /** @type {HTMLInputElement} */ (element(id));
  const setEditing = (/** @type {boolean} */ on) => {
    editor.editing = byId("edit-points").checked = on;
    if (on) editor.adopt(currentData());
    element("boundary").classList.toggle("editing", on);
  };
  byId("edit-points").addEventListener("change", () => setEditing(byId("edit-points").checked));
  byId("point-label").addEventListener("input", () => (editor.label = Number(byId("point-label").value)));
  byId("clear-points").addEventListener("click", () => {
    setEditing(true);
    editor.clear();
  });
  byId("upload-csv").addEventListener("change", async () => {
    const input = byId("upload-csv");
    const file = input.files?.[0];
    if (!file) return;
    editor.adopt(currentData());
    if (editor.upload(await file.text())) notice(`Training on ${file.name}.`);
    input.value = "";
  });
}
