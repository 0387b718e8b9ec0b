// @ts-check
// Page entry point: wires modules together. For now it shows the server's health.

/** @typedef {{status: string, version: string, backend: string}} Health */

/** @param {string} field @param {string} text @param {boolean} [isError] */
function showHealth(field, text, isError = false) {
  const cell = document.querySelector(`[data-health="${field}"]`);
  if (!cell) return;
  cell.textContent = text;
  cell.classList.toggle("error", isError);
}

async function loadHealth() {
  try {
    const response = await fetch("healthz");
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    /** @type {Health} */
    const health = await response.json();
    showHealth("status", health.status);
    showHealth("version", health.version);
    showHealth("backend", health.backend.toUpperCase());
  } catch (error) {
    showHealth("status", `unreachable (${error instanceof Error ? error.message : error})`, true);
  }
}

loadHealth();
