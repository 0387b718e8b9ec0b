// @ts-check
// index.html's elements by id, its one-line notices, and new elements made in one call. DOM only.

/** @param {string} id */
export const element = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

/** @param {string} text what the page tells the learner ("": nothing) */
export function notice(text) {
  element("notice").textContent = text;
}

/**
 * A new element with these properties, in the order given (`type` before `value`), each an
 * attribute where the element has no such property (aria-label...), and these children.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag @param {Record<string, unknown>} [properties] @param {...(Node | string)} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function make(tag, properties = {}, ...children) {
  const made = document.createElement(tag);
  for (const [name, value] of Object.entries(properties)) {
    if (!(name in made)) made.setAttribute(name, String(value));
    else /** @type {Record<string, unknown>} */ (/** @type {unknown} */ (made))[name] = value;
  }
  made.append(...children);
  return made;
}
