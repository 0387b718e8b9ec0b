// @ts-check
// index.html's elements by id, for the page's binders. DOM only.

/** @param {string} id */
export const element = (id) => /** @type {HTMLElement} */ (document.getElementById(id));
