// @ts-check
// Edits of the hidden layers as settings changes: `hidden` lists neurons per layer, and the
// per-layer lists (activations, dropout) follow it. Pure: no DOM.

/**
 * `list` stretched or cut to `count` entries, repeating its last entry (the server reads a
 * shorter list the same way) or `fallback` when it is empty.
 * @template T @param {T[]} list @param {number} count @param {T} fallback @returns {T[]}
 */
export function perLayer(list, count, fallback) {
  const last = list.length ? list[list.length - 1] : fallback;
  return Array.from({ length: count }, (_, i) => (i < list.length ? list[i] : last));
}

/**
 * The change that gives the network `hidden` as its layers, with every per-layer list
 * made as long so each layer shows its own value.
 * @param {{activations: string[], dropout: number[]}} settings @param {number[]} hidden
 * @returns {{hidden: number[], activations: string[], dropout: number[]}}
 */
export function layersChange(settings, hidden) {
  const count = Math.max(hidden.length, 1); // the lists need an entry even with no layer
  return {
    hidden,
    activations: perLayer(settings.activations, count, "tanh"),
    dropout: perLayer(settings.dropout, count, 0),
  };
}

/**
 * `hidden` with one more layer (a copy of the last one, or `neurons` when there is none),
 * or null at the limit.
 * @param {number[]} hidden @param {number} maxLayers @param {number} neurons
 */
export function addLayer(hidden, maxLayers, neurons) {
  if (hidden.length >= maxLayers) return null;
  return [...hidden, hidden.length ? hidden[hidden.length - 1] : neurons];
}

/** `hidden` without its last layer, or null when there is none. @param {number[]} hidden */
export function removeLayer(hidden) {
  return hidden.length ? hidden.slice(0, -1) : null;
}

/**
 * `hidden` with layer `index` changed by `delta` neurons, or null past the bounds.
 * @param {number[]} hidden @param {number} index @param {number} delta
 * @param {number} low @param {number} high
 */
export function resizeLayer(hidden, index, delta, low, high) {
  const neurons = hidden[index] + delta;
  if (index < 0 || index >= hidden.length || neurons < low || neurons > high) return null;
  return hidden.map((n, i) => (i === index ? neurons : n));
}

/**
 * The per-layer list `list` with entry `index` set to `value` (the list first stretched to
 * `count` layers).
 * @template T @param {T[]} list @param {number} count @param {number} index @param {T} value
 */
export function setLayerValue(list, count, index, value) {
  const stretched = perLayer(list, count, value);
  stretched[index] = value;
  return stretched;
}
