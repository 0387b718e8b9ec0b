// @ts-check
// The test-set confusion matrix as a table: counts, rows the true digit, the diagonal
// outlined, each cell shaded by its share of the largest count. Its totals are on the table
// (data-diagonal, data-total) for tests and scripts. DOM only.
import { make } from "../page/dom.js";
import { confusionSummary } from "./results.js";

export class ConfusionView {
  /** @param {HTMLTableElement} table */
  constructor(table) {
    this.table = table;
    /** @type {number[]} */
    this.digits = [];
    /** @type {HTMLTableCellElement[][]} */
    this.cells = [];
  }

  /** Rebuilds the table for the task's digits. @param {number[]} digits */
  setDigits(digits) {
    if (JSON.stringify(digits) === JSON.stringify(this.digits)) return;
    this.digits = digits;
    const head = make("tr", {}, make("th", { scope: "col", textContent: "" }), ...digits.map((d) => make("th", { scope: "col", textContent: String(d) })));
    this.cells = digits.map((_, r) => digits.map((__, c) => make("td", { className: r === c ? "diagonal" : "" })));
    const rows = digits.map((d, r) => make("tr", {}, make("th", { scope: "row", textContent: String(d) }), ...this.cells[r]));
    this.table.replaceChildren(make("thead", {}, head), make("tbody", {}, ...rows));
    this.table.dataset.diagonal = "0";
    this.table.dataset.total = "0";
  }

  /** @param {{data: ArrayLike<number>, shape: number[]} | undefined} confusion a frame's buffer */
  show(confusion) {
    if (!confusion) return;
    const k = confusion.shape[0];
    if (k !== this.digits.length) return; // the frame of a task the page no longer shows
    const { rows, diagonal, total, largest } = confusionSummary(confusion.data, k);
    rows.forEach((row, r) => row.forEach((count, c) => {
      const cell = this.cells[r][c];
      cell.textContent = count ? String(count) : "";
      const share = largest ? count / largest : 0;
      cell.style.background = r === c ? `rgb(0 114 178 / ${0.08 + 0.5 * share})` : count ? `rgb(213 94 0 / ${0.1 + 0.6 * share})` : "";
    }));
    this.table.dataset.diagonal = String(diagonal);
    this.table.dataset.total = String(total);
  }
}
