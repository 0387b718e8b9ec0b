"""The numerics: pure functions of arrays (numpy, jax and optax only). From settings to
numbers (hyper), data, the padded network and its hand-written backward pass, losses,
optimizers, an epoch of minibatches, and the frame a page draws (frames). `reference` is the
same network in float64 numpy, which tests and the benchmark compare against."""
