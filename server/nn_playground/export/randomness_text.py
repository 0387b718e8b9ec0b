"""The engine's counter-based randomness (engine/numerics/randomness.py) and its minibatch plan
(engine/numerics/train.py) as numpy source: an exported JAX script shuffles every epoch and drops
every unit exactly as the playground did."""

from __future__ import annotations

from nn_playground.engine import limits
from nn_playground.engine.numerics import randomness
from nn_playground.export.literals import section


def shuffle_source(span: int) -> str:
    """`mix`, `stream` and `permutation` for a shuffle that permutes 0..span-1."""
    return f'''{section("The playground's randomness")}
# Shuffles and dropout masks come from a 32-bit hash of counters (uint32 arithmetic wraps),
# so they are the same here as on the playground's server.
GOLDEN = np.uint32(0x{randomness.GOLDEN:08X})
SPAN = {span}  # a power of two >= the largest dataset: the shuffle permutes 0..SPAN-1


def mix(values):
    """lowbias32, a well-mixing hash of uint32 values."""
    v = np.atleast_1d(np.asarray(values, np.uint32))
    v = v ^ (v >> np.uint32(16))
    v = v * np.uint32(0x7FEB352D)
    v = v ^ (v >> np.uint32(15))
    v = v * np.uint32(0x846CA68B)
    return v ^ (v >> np.uint32(16))


def stream(seed, counter):
    """The seed of the counter-th draw under `seed`."""
    counter = np.atleast_1d(np.asarray(counter, np.uint32))
    return mix(seed ^ mix(counter * GOLDEN + np.uint32(1)))


def permutation(seed, n):
    """A shuffled order of 0..n-1: rounds of (odd multiply + add) and xor-shift permute
    0..SPAN-1; the values below n, in their new order, permute 0..n-1."""
    words = mix(seed + np.arange(6, dtype=np.uint32) * GOLDEN)
    x = np.arange(SPAN, dtype=np.uint32)
    for round_, shift in enumerate((5, 4, 5)):
        x = (x * (words[2 * round_] | np.uint32(1)) + words[2 * round_ + 1]) & np.uint32(SPAN - 1)
        x = x ^ (x >> np.uint32(shift))
    return x[x < n].astype(np.int64)
'''


SHUFFLE = shuffle_source(randomness.SPAN)

# Dropout masks: the engine draws one (HIDDEN, CHUNK, WIDTH) block of uniforms per CHUNK rows
# of a minibatch, so a point's mask depends on its chunk and its slot in it.
DROPOUT = f'''
# The playground draws the dropout masks of CHUNK rows of a minibatch at a time, for
# PADDED_WIDTH units a layer of which a layer uses its first.
CHUNK = {limits.CHUNK}
PADDED_WIDTH = {limits.MAX_NEURONS}


def dropout_keep(seed, batch_number, size):
    """Inverted-dropout multipliers (0 or 1 / (1 - rate)) for the `size` points of a
    minibatch, one (size, units) array per hidden layer."""
    chunks_per_batch = -(-min(BATCH_SIZE, len(TRAIN_POINTS)) // CHUNK)
    row = np.arange(size)
    chunk_seed = stream(seed, batch_number * chunks_per_batch + row // CHUNK)
    slot = row % CHUNK
    keep = []
    for layer, (units, rate) in enumerate(zip(HIDDEN, DROPOUT)):
        counters = (layer * CHUNK + slot[:, None]) * PADDED_WIDTH + np.arange(units)
        bits = mix(counters.astype(np.uint32) * GOLDEN ^ chunk_seed[:, None])
        uniform = (bits >> np.uint32(8)).astype(np.float32) * np.float32(1.0 / (1 << 24))
        rate = np.float32(rate)
        keep.append(np.where(uniform >= rate, np.float32(1.0) / (np.float32(1.0) - rate), 0.0))
    return [k.astype(np.float32) for k in keep]
'''
