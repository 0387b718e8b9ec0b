// @ts-check
// The colour legend under the boundary: one swatch per class or label, or a value scale
// for regression (stops from colors.legendStops). DOM only.
import { make } from "./dom.js";

/**
 * @param {HTMLElement} list a <ul>
 * @param {{color: string, label: string}[]} stops
 */
export function showLegend(list, stops) {
  list.replaceChildren(...stops.map(({ color, label }) => make("li", {}, make("span", { className: "swatch", style: `background: ${color}` }), label)));
}
