"""The engine's entry points for the server, benchmarks and tests: start a model, run one
frame of one model or of several together, and warm every compiled function up."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import jax
import numpy as np

from nn_playground.engine import limits
from nn_playground.engine.config import DatasetName, ModelConfig
from nn_playground.engine.numerics.data import Dataset, make_dataset
from nn_playground.engine.numerics.explain import StepExplanation, explain_step
from nn_playground.engine.numerics.frames import Frame, draw_frame, train_frames, train_only
from nn_playground.engine.numerics.hyper import Hyper, make_hyper
from nn_playground.engine.numerics.state import (
    ALL_STEPS,
    DeviceData,
    TrainState,
    device_data,
    init_state,
    shared_settings,
)
from nn_playground.engine.runtime.memory import release_free_memory
from nn_playground.engine.runtime.programs import Program

# On a GPU several models run in one vmapped call compiled for a few fixed sizes; a smaller
# group is padded up with copies of its last model, whose results are dropped.
GROUP_SIZES = (4, 8)
MAX_MODELS = GROUP_SIZES[-1]

_INIT = Program("init", jax.jit(init_state))
_DRAW = Program("draw", draw_frame)
_TRAIN = Program("train", train_only)
_MODEL_GROUP = Program("frames", train_frames)
# Compiled on the first explanation only: a class that never opens the view never pays.
_EXPLAIN = Program("explain", jax.jit(explain_step))
T = TypeVar("T")


def vmaps_groups() -> bool:
    """Whether several models train in one vmapped call (a GPU), or one after another.

    On the CPU, vmap computes every branch of every per-model switch for every model and
    batches tiny dots badly: K vmapped models cost more than K calls of the one-model
    programs (bench/run.py: compare_8_cost_ratio), and the vmapped programs would be most of
    a cold start's compiling and of a warm server's memory. Calls of the one-model programs
    cost nothing more to compile or hold. On a GPU one call keeps the device busy where a
    small model alone leaves it idle."""
    return jax.default_backend() != "cpu"


def to_host(tree: T) -> T:
    """Every array of `tree` as a numpy array. On the CPU a JAX array already lies in host
    memory and np.asarray views it, where jax.device_get starts an asynchronous copy of
    every leaf first, several times the cost per leaf. Other backends keep device_get, whose
    copies overlap."""
    if jax.default_backend() != "cpu":
        fetched: T = jax.device_get(tree)
        return fetched
    viewed: T = jax.tree.map(np.asarray, tree)
    return viewed


def committed(tree: T) -> T:
    """`tree` with every array committed to the default device: those already are stay as
    they are (checking is far cheaper than jax.device_put of a whole tree, which costs
    time for every leaf even when nothing moves)."""
    leaves, structure = jax.tree.flatten(tree)
    if all(isinstance(leaf, jax.Array) and leaf.committed for leaf in leaves):
        return tree
    device = jax.devices()[0]
    placed = [
        leaf if isinstance(leaf, jax.Array) and leaf.committed else jax.device_put(leaf, device)
        for leaf in leaves
    ]
    result: T = jax.tree.unflatten(structure, placed)
    return result


def model_hyper(config: ModelConfig) -> Hyper:
    """`config`'s settings as run_frames takes them: arrays of fixed dtype (make_hyper),
    committed to the device once per change rather than copied at every frame."""
    return committed(make_hyper(config))


def start_model(config: ModelConfig, seed: int | None = None) -> tuple[TrainState, Hyper]:
    """Fresh weights for `config` (seeded by config.seed unless `seed` is given), and its
    settings, both committed to the device as run_frame wants them."""
    hyper = model_hyper(config)
    chosen = config.seed if seed is None else seed
    return committed(_INIT(hyper, np.asarray(chosen, np.int32))), hyper


def _frame(
    state: TrainState, data: DeviceData, hyper: Hyper, epochs: int, steps: int = ALL_STEPS
) -> tuple[TrainState, Frame]:
    """One model's frame, left on the device; dispatched without waiting for it."""
    shared = shared_settings([hyper], epochs, steps=steps)
    state, data, hyper, shared = committed((state, data, hyper, shared))
    if epochs:
        state = _TRAIN(state, data, hyper, shared)
    return state, _DRAW(state, data, hyper, shared)


def run_frame(
    state: TrainState, data: DeviceData, hyper: Hyper, epochs: int, steps: int = ALL_STEPS
) -> tuple[TrainState, Frame]:
    """Train `epochs` more epochs (or, with `steps`, at most that many minibatch updates) and
    measure. The frame comes back as numpy arrays, the state stays on the device for the next
    frame.

    Every argument is a committed device array (committed() places any that is not), for
    two reasons. Arguments that stay on the device cost nothing to pass, where each host
    array costs a copy per call. And a jit output is committed, so a state kept from one
    frame to the next is: a call mixing committed and uncommitted arguments would compile
    (or load) a second program, seconds of waiting."""
    state, frame = _frame(state, data, hyper, epochs, steps)
    return state, to_host(frame)


def next_step(state: TrainState, data: DeviceData, hyper: Hyper) -> TrainState:
    """The state after the one minibatch update that training takes next: the program and
    the arguments of run_frame(..., epochs=1, steps=1), so the same weights, bit for bit."""
    shared = shared_settings([hyper], 1, steps=1)
    state, data, hyper, shared = committed((state, data, hyper, shared))
    stepped: TrainState = _TRAIN(state, data, hyper, shared)
    return stepped


def explain(
    state: TrainState,
    data: DeviceData,
    hyper: Hyper,
    point: int,
    weight: tuple[int, int, int],
    epsilon: float,
) -> tuple[StepExplanation, TrainState]:
    """The next step of `state` taken apart (explain.explain_step) and the state after it
    (next_step), both as numpy arrays."""
    arguments = committed(
        (
            state,
            data,
            hyper,
            np.asarray(point, np.int32),
            np.asarray(weight, np.int32),
            np.asarray(epsilon, np.float32),
        )
    )
    done = _EXPLAIN(*arguments)
    return to_host((done, next_step(state, data, hyper)))


def prepare_explain() -> None:
    """Load (or compile and save) the explanation's program ahead of its first use: compiled
    on a learner's first "Explain a step", it would keep them waiting for seconds."""
    dataset = make_dataset(DatasetName.CIRCLE, n_points=limits.MIN_POINTS * 10)
    hyper = committed(make_hyper(ModelConfig()))
    state = jax.eval_shape(init_state, hyper, committed(np.asarray(0, np.int32)))
    scalars = (np.asarray(0, np.int32), np.zeros(3, np.int32), np.asarray(1e-3, np.float32))
    _EXPLAIN.prepare(state, device_data(dataset), hyper, *committed(scalars))


def _stack(items: Sequence[T], size: int) -> T:
    padded = list(items) + [items[-1]] * (size - len(items))
    stacked: T = jax.tree.map(lambda *leaves: np.stack([np.asarray(x) for x in leaves]), *padded)
    return stacked


def _stacked_shape(leaf: Any, size: int) -> jax.ShapeDtypeStruct:
    """The shape and type of `size` copies of `leaf` as _stack makes them (numpy arrays,
    never weakly typed)."""
    return jax.ShapeDtypeStruct((size, *leaf.shape), leaf.dtype)  # type: ignore[no-untyped-call]


def _unstack(tree: Any, count: int) -> list[Any]:
    return [jax.tree.map(lambda leaf, i=i: leaf[i], tree) for i in range(count)]


def group_size(count: int) -> int:
    for size in GROUP_SIZES:
        if count <= size:
            return size
    raise ValueError(f"models: expected at most {MAX_MODELS}, received {count}")


def run_frames(
    states: Sequence[TrainState],
    datas: Sequence[DeviceData],
    hypers: Sequence[Hyper],
    epochs: int,
    steps: int = ALL_STEPS,
) -> tuple[list[TrainState], list[Frame]]:
    """One frame of every model (`steps` as in run_frame): a lone model by run_frame;
    several (compare mode, seed ensembles) in one vmapped call on a GPU, else each by the
    one-model programs (see vmaps_groups)."""
    count = len(states)
    if not count == len(datas) == len(hypers):
        raise ValueError("states, datas and hypers must have one entry per model")
    if count == 1:
        state, frame = run_frame(states[0], datas[0], hypers[0], epochs, steps)
        return [state], [frame]
    size = group_size(count)
    if not vmaps_groups():
        # Every call is dispatched before any result is read: a model's Python work overlaps
        # the one before it computing.
        done = [_frame(*model, epochs, steps) for model in zip(states, datas, hypers, strict=True)]
        return [state for state, _ in done], to_host([frame for _, frame in done])
    new_states, frames = _MODEL_GROUP(
        _stack(states, size),
        _stack(datas, size),
        _stack(hypers, size),
        shared_settings(hypers, epochs, together=True, steps=steps),
    )
    # Slicing host copies is cheap; slicing device arrays costs a dispatch per leaf.
    host_states, host_frames = to_host((new_states, frames))
    return _unstack(host_states, count), _unstack(host_frames, count)


def warm_up() -> None:
    """Load every program a session uses, or compile those not saved yet.

    With every program saved they load one after another in the order a new session needs
    them (init, then draw: a new session draws its untrained model before anything else);
    two loads at once take longer than both in turn. Otherwise all of them compile at once,
    each on a thread: XLA releases the GIL while it compiles, and the parts of a compile
    that run on one thread (tracing, the HLO passes) overlap those of the others."""
    dataset: Dataset = make_dataset(DatasetName.CIRCLE, n_points=limits.MIN_POINTS * 10)
    data = device_data(dataset)
    hyper = committed(make_hyper(ModelConfig()))
    seed = committed(np.asarray(0, np.int32))
    # Compiling needs only the state's shapes and types, not the state.
    state = jax.eval_shape(init_state, hyper, seed)
    jobs: list[tuple[Program, tuple[Any, ...]]] = [
        (_INIT, (hyper, seed)),
        (_DRAW, (state, data, hyper, shared_settings([hyper], 0))),
        (_TRAIN, (state, data, hyper, shared_settings([hyper], 1))),
    ]
    if vmaps_groups():
        shared = shared_settings([hyper], 1, together=True)
        for size in GROUP_SIZES:
            group = jax.tree.map(lambda x, n=size: _stacked_shape(x, n), (state, data, hyper))
            jobs.append((_MODEL_GROUP, (*group, shared)))
    if all(program.saved(*args) for program, args in jobs):
        for program, args in jobs:
            program.prepare(*args)
    else:
        with ThreadPoolExecutor(len(jobs), thread_name_prefix="compile") as pool:
            for finished in [pool.submit(program.prepare, *args) for program, args in jobs]:
                finished.result()
    release_free_memory()
