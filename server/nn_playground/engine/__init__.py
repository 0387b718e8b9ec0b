"""The engine: everything that trains and measures a network, and nothing of the web side
(FastAPI, pydantic, asyncio).

- `config`, `limits`: what a model is (ModelConfig) and the bounds every part shares.
- `numerics/`: datasets, the padded network, losses, optimizers, training and the frame a
  page draws, as pure functions of arrays (numpy, jax and optax only), and the numpy
  reference they are tested against.
- `runtime/`: compiling those functions, keeping the compiled programs on disk, and running
  them for one model or several."""
