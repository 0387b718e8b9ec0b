// @ts-check
// The dataset picker: a thumbnail of every generated dataset (GET api/datasets), grouped by
// problem, as radio buttons beside the Data card's select. A choice goes through that select,
// so the controls' one change path sends it. DOM only; knows nothing of the socket.
import { make } from "./dom.js";
import { groupByProblem, previewDots } from "../shared/dataset_preview.js";

const THUMBNAIL = 56; // CSS pixels per side (style.css sizes the canvas the same)
const DOT_RADIUS = 1.5; // CSS pixels

/** @typedef {import("../shared/dataset_preview.js").DatasetSample} DatasetSample */

/**
 * Fills `container` with the previews; the function it returns checks the one named (call
 * it whenever the settings on screen change: the server's ready, a link, user points).
 * @param {HTMLElement} container
 * @param {HTMLSelectElement} select the dataset control (data-param="dataset")
 * @returns {(dataset: string) => void}
 */
export function bindDatasetPicker(container, select) {
  /** @type {HTMLInputElement[]} */
  let radios = [];
  let current = select.value;
  const sync = () => {
    for (const radio of radios) radio.checked = radio.value === current;
  };

  fetch("api/datasets")
    .then((response) => {
      if (!response.ok) throw new Error(`GET api/datasets answered ${response.status}`);
      return response.json();
    })
    .then((previews) => {
      radios = showPreviews(container, previews, (name) => choose(select, name));
      sync();
    })
    .catch(() => {
      // The select does the same job: the page stays usable without the thumbnails.
      container.append(make("p", { className: "hint", textContent: "The dataset previews could not be loaded; the list above has every dataset." }));
    });
  return (dataset) => {
    current = dataset;
    sync();
  };
}

/**
 * Makes the select say `name` and tells its listeners as a person's choice would.
 * @param {HTMLSelectElement} select @param {string} name
 */
function choose(select, name) {
  if (select.value === name) return;
  select.value = name;
  select.dispatchEvent(new Event("input", { bubbles: true }));
  select.dispatchEvent(new Event("change", { bubbles: true }));
}

/**
 * One fieldset per problem, one radio button per dataset.
 * @param {HTMLElement} container
 * @param {{domain: number, datasets: DatasetSample[]}} previews
 * @param {(name: string) => void} onChoose
 * @returns {HTMLInputElement[]}
 */
function showPreviews(container, previews, onChoose) {
  /** @type {HTMLInputElement[]} */
  const radios = [];
  for (const { problem, samples } of groupByProblem(previews.datasets)) {
    const group = make("fieldset", { className: "dataset-group" }, make("legend", { textContent: problem }));
    for (const sample of samples) {
      const radio = make("input", { type: "radio", name: "dataset-preview", value: sample.name, "aria-label": `${sample.name} (${problem})` });
      radio.addEventListener("change", () => radio.checked && onChoose(sample.name));
      group.append(make("label", { className: "dataset-tile" }, radio, thumbnail(sample, previews.domain), make("span", { textContent: sample.name })));
      radios.push(radio);
    }
    container.append(group);
  }
  return radios;
}

/**
 * A canvas of the sample's points, its backing store sized for devicePixelRatio.
 * @param {DatasetSample} sample @param {number} domain
 */
function thumbnail(sample, domain) {
  const canvas = make("canvas", { "aria-hidden": "true" }); // the radio button's name says what it shows
  const ratio = window.devicePixelRatio || 1;
  const side = Math.round(THUMBNAIL * ratio);
  canvas.width = canvas.height = side;
  const context = /** @type {CanvasRenderingContext2D} */ (canvas.getContext("2d"));
  context.fillStyle = "#fff";
  context.fillRect(0, 0, side, side);
  for (const { x, y, color } of previewDots(sample, side, domain)) {
    context.fillStyle = `rgb(${color[0]},${color[1]},${color[2]})`;
    context.beginPath();
    context.arc(x, y, DOT_RADIUS * ratio, 0, 2 * Math.PI);
    context.fill();
  }
  return canvas;
}
