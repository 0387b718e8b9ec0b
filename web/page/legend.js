// @ts-check
// The colour legend under the boundary: one swatch per class or label, or a value scale
// for regression (stops from colors.legendStops). DOM only.

/**
 * @param {HTMLElement} list a <ul>
 * @param {{color: string, label: string}[]} stops
 */
export function showLegend(list, stops) {
  list.replaceChildren(
    ...stops.map(({ color, label }) => {
      const item = document.createElement("li");
      const swatch = document.createElement("span");
      swatch.className = "swatch";
      swatch.style.background = color;
      item.append(swatch, label);
      return item;
    }),
  );
}
