// @ts-check
// Edits of the hidden layers as settings changes: `hidden` lists neurons per layer. The
// per-layer lists (activations, dropout) are the server's business: it fits them to the
// depth and answers with them (the `settings` message). Pure: no DOM.

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
