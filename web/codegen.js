// @ts-check
// Python scripts equivalent to the playground's current model (Keras 3, or JAX + optax), for
// the "Show code" panel. Public entry point only: the writers live in codegen/; must not touch the DOM.

/** @typedef {import("./codegen/plan.js").Problem} Problem */
/** @typedef {import("./codegen/plan.js").LossKind} LossKind */
/** @typedef {import("./codegen/plan.js").CodeOptions} CodeOptions */

export { jaxCode } from "./codegen/jax.js";
export { kerasCode } from "./codegen/keras.js";
export { DEFAULT_EPOCHS } from "./codegen/plan.js";
export { pyFloat } from "./codegen/python.js";
