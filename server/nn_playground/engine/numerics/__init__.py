"""The numerics: pure functions of arrays (numpy, jax and optax only). From settings to
numbers (hyper), data, the padded network and its hand-written backward pass, losses,
optimizers, an epoch of minibatches, and the frame a page draws (frames). `reference` is the
same network in float64 numpy, which tests and the benchmark compare against. The digits:
`digits` (the data), `windows` (where a convolution's windows sit, shared by numpy and jax),
`image_model` (the padded network), `image_hyper` (its settings), `image_batch` (one
gradient pass), `image_train` (epochs), `image_frame` (a frame and the compiled entry
points), `image_reference` with `image_first_layer` and `image_training` (the digits
networks in numpy), `drawn_digit` (a learner's drawing reduced as the dataset was made)."""
