"""The /ws session contract through starlette's TestClient: the opening messages, play, pause
and step, what each kind of change keeps, revisions, compare mode and custom points. Every
message is validated by the Conversation helper (server-message models, strict JSON)."""

from __future__ import annotations

import time
from typing import Any

import jax
import numpy as np
import pytest
from fastapi.testclient import TestClient

from nn_playground import __version__
from nn_playground.engine import limits
from nn_playground.engine.runtime.compilation import count_compilations
from nn_playground.protocol import (
    KEEP_WEIGHTS,
    REGENERATE,
    REINITIALISE,
    ChangeEffects,
    Data,
    Limits,
    SessionState,
    Settings,
    Status,
)
from tests.server.client_helpers import Conversation, Frame


def frames_in(messages: list[Any]) -> list[Frame]:
    return [message for message in messages if isinstance(message, Frame)]


def same_weights(first: list[np.ndarray], second: list[np.ndarray]) -> bool:
    return len(first) == len(second) and all(
        a.shape == b.shape and np.array_equal(a, b) for a, b in zip(first, second, strict=True)
    )


def trained(conversation: Conversation, epochs: int) -> Frame:
    """Start the session and train `epochs` epochs with a step: a paused model at that epoch."""
    conversation.start()
    conversation.send({"type": "step", "epochs": epochs})
    frame = conversation.current_frame()
    assert frame.epoch == epochs
    return frame


# --- opening --------------------------------------------------------------------------------


def test_session_opens_with_ready_data_and_an_untrained_frame(conversation: Conversation) -> None:
    ready, data, frame = conversation.start()
    assert ready.version == __version__
    assert ready.settings == Settings()
    assert ready.limits == Limits(max_points=1000)
    assert ready.effects == ChangeEffects()
    [model] = ready.models  # what the server derived for the opening model
    assert model.settings == Settings()
    assert (model.loss, model.loss_kind, model.output_activation) == (
        "cross_entropy",
        "sigmoid_ce",
        "sigmoid",
    )
    assert ready.epochs_per_frame == 1
    assert data.problem == "binary"
    assert data.n_outputs == 1
    assert len(data.train) == len(data.test) == Settings().n_points // 2
    assert {label for _, _, label in data.train + data.test} == {0.0, 1.0}
    assert frame.header.frame == 1
    assert frame.revision == 0
    assert frame.header.state is SessionState.IDLE
    assert len(frame.header.models) == 1
    model = frame.model
    assert (model.epoch, model.step, model.diverged) == (0, 0, False)
    assert model.hidden == [4, 2]
    assert model.features == ["x1", "x2"]
    assert model.train_loss is not None
    assert model.test_loss is not None
    names = {name for _, name in frame.arrays}
    # The grids and the exact weights, nothing derivable from them (such as the class).
    assert names == {"outputs", "neurons", "features"} | {
        f"{kind}.{layer}" for kind in ("weights", "biases") for layer in range(3)
    }
    assert frame.arrays[(0, "outputs")].shape == (1, limits.OUTPUT_GRID, limits.OUTPUT_GRID)
    assert frame.arrays[(0, "neurons")].shape == (2, 4, 32, 32)
    assert [w.shape for w in frame.weights()] == [(4,), (2, 4), (2,), (4, 2), (1,), (2, 1)]
    status = conversation.receive()
    assert isinstance(status, Status)
    assert (status.state, status.epoch) == (SessionState.IDLE, 0)


def test_change_effects_cover_every_setting_once() -> None:
    fields = set(Settings.model_fields)
    assert fields == KEEP_WEIGHTS | REINITIALISE | REGENERATE
    assert not KEEP_WEIGHTS & REINITIALISE
    assert not KEEP_WEIGHTS & REGENERATE
    assert not REINITIALISE & REGENERATE


# --- play, pause, step, speed -------------------------------------------------------------------


def test_play_streams_increasing_epochs_and_pause_stops_training(
    conversation: Conversation,
) -> None:
    conversation.start()
    conversation.send({"type": "play"})
    first = conversation.current_frame()
    running = [first] + [conversation.next(Frame) for _ in range(5)]
    epochs = [frame.epoch for frame in running]
    assert epochs == list(range(epochs[0], epochs[0] + 6)), epochs
    assert all(frame.header.state is SessionState.RUNNING for frame in running)
    assert any(
        isinstance(m, Status) and m.state is SessionState.RUNNING for m in conversation.received
    )

    conversation.send({"type": "pause"})
    paused = conversation.current_frame()
    assert paused.header.state is SessionState.PAUSED
    assert paused.epoch >= epochs[-1]
    mark = len(conversation.received)
    time.sleep(0.5)  # time for several frames, were it still training
    later = conversation.redraw()
    assert later.epoch == paused.epoch
    assert all(frame.epoch == paused.epoch for frame in frames_in(conversation.since(mark)))
    statuses = [m for m in conversation.received if isinstance(m, Status)]
    assert statuses[-1].state is SessionState.PAUSED
    # The status goes out when the pause arrives; a frame then computing still finishes.
    assert statuses[-1].epoch <= paused.epoch


def test_step_trains_exactly_that_many_epochs_and_pauses(conversation: Conversation) -> None:
    conversation.start()
    conversation.send({"type": "step", "epochs": 5})
    frame = conversation.current_frame()
    assert frame.epoch == 5
    assert frame.header.state is SessionState.PAUSED
    mark = len(conversation.received)
    time.sleep(0.3)
    assert conversation.redraw().epoch == 5
    assert [f.epoch for f in frames_in(conversation.since(mark))] == [5]
    conversation.send({"type": "step", "epochs": 7})
    assert conversation.current_frame().epoch == 12


def test_step_while_playing_pauses_after_the_step(conversation: Conversation) -> None:
    conversation.start()
    conversation.send({"type": "play"})
    conversation.frame_where(lambda frame: frame.epoch >= 2)
    conversation.send({"type": "step", "epochs": 3})
    stepped = conversation.current_frame()
    assert stepped.header.state is SessionState.PAUSED
    time.sleep(0.3)
    assert conversation.redraw().epoch == stepped.epoch


def test_speed_sets_epochs_per_frame(conversation: Conversation) -> None:
    conversation.start()
    conversation.send({"type": "speed", "epochs_per_frame": 10})
    conversation.send({"type": "play"})
    first = conversation.current_frame()
    second = conversation.next(Frame)
    assert first.epoch % 10 == 0
    assert second.epoch - first.epoch == 10


# --- what a change keeps --------------------------------------------------------------------


KEEP_CHANGES = [
    ("learning_rate", 0.1),
    ("activations", ["relu"]),
    ("optimizer", "adam"),
    ("batch_size", 20),
    ("l2", 0.01),
    ("dropout", [0.2]),
]
REINITIALISE_CHANGES = [
    ("hidden", [3]),
    ("features", ["x1", "x2", "x1^2"]),
    ("seed", 7),
    ("init", "he_normal"),
]
REGENERATE_CHANGES = [
    ("dataset", "xor"),
    ("n_points", 200),
    ("noise", 0.3),
    ("data_seed", 3),
]


@pytest.mark.parametrize(("name", "value"), KEEP_CHANGES)
def test_keep_weights_change_keeps_epoch_and_weights(
    conversation: Conversation, name: str, value: Any
) -> None:
    assert name in KEEP_WEIGHTS
    before = trained(conversation, 5)
    mark = len(conversation.received)
    conversation.send({"type": "configure", "settings": {name: value}})
    after = conversation.current_frame()
    assert after.epoch == 5
    assert same_weights(after.weights(), before.weights())
    assert not any(isinstance(m, Data) for m in conversation.since(mark))
    conversation.send({"type": "step", "epochs": 2})
    assert conversation.current_frame().epoch == 7


@pytest.mark.parametrize(("name", "value"), REINITIALISE_CHANGES)
def test_reinitialising_change_restarts_from_new_weights(
    conversation: Conversation, name: str, value: Any
) -> None:
    assert name in REINITIALISE
    before = trained(conversation, 5)
    mark = len(conversation.received)
    conversation.send({"type": "configure", "settings": {name: value}})
    after = conversation.current_frame()
    assert after.epoch == 0
    assert after.model.step == 0
    assert after.header.state is SessionState.IDLE
    assert not same_weights(after.weights(), before.weights())
    assert not any(isinstance(m, Data) for m in conversation.since(mark))
    if name == "hidden":
        assert after.model.hidden == value
    if name == "features":
        assert after.model.features == value


@pytest.mark.parametrize(("name", "value"), REGENERATE_CHANGES)
def test_data_change_sends_new_data_and_restarts(
    conversation: Conversation, name: str, value: Any
) -> None:
    assert name in REGENERATE
    conversation.start()
    old = conversation.received[1]
    assert isinstance(old, Data)
    conversation.send({"type": "step", "epochs": 5})
    assert conversation.current_frame().epoch == 5
    mark = len(conversation.received)
    conversation.send({"type": "configure", "settings": {name: value}})
    after = conversation.current_frame()
    assert after.epoch == 0
    new = [m for m in conversation.since(mark) if isinstance(m, Data)]
    assert len(new) == 1
    assert new[0].train != old.train
    if name == "n_points":
        assert len(new[0].train) + len(new[0].test) == value
    # The data precedes the first frame drawn on it.
    assert conversation.received.index(new[0]) < conversation.received.index(after)


def test_changes_while_playing_keep_or_restart_the_epoch_count(
    conversation: Conversation,
) -> None:
    conversation.start()
    conversation.send({"type": "play"})
    before = conversation.frame_where(lambda frame: frame.epoch >= 3).epoch
    conversation.send({"type": "configure", "settings": {"learning_rate": 0.05}})
    kept = conversation.current_frame()
    assert kept.epoch > before
    conversation.send({"type": "configure", "settings": {"seed": 11}})
    assert conversation.current_frame().epoch == 1  # one epoch from the new weights
    conversation.frame_where(lambda frame: frame.epoch >= 3)
    conversation.send({"type": "configure", "settings": {"noise": 0.2}})
    restarted = conversation.current_frame()
    assert restarted.epoch == 1
    assert restarted.header.state is SessionState.RUNNING
    assert conversation.next(Frame).epoch == 2


def test_reset_restarts_the_weights_on_the_same_data(conversation: Conversation) -> None:
    before = trained(conversation, 5)
    mark = len(conversation.received)
    conversation.send({"type": "reset"})
    again = conversation.current_frame()
    assert again.epoch == 0
    assert again.header.state is SessionState.IDLE
    assert not any(isinstance(m, Data) for m in conversation.since(mark))
    conversation.send({"type": "step", "epochs": 5})
    # Same seed, same data: the same five epochs.
    assert same_weights(conversation.current_frame().weights(), before.weights())


def test_regenerate_sends_the_next_data_seed(conversation: Conversation) -> None:
    _, data, _ = conversation.start()
    conversation.send({"type": "regenerate"})
    new = conversation.next(Data)
    assert new.train != data.train
    conversation.send({"type": "regenerate", "data_seed": 0})
    assert conversation.next(Data).train == data.train


# --- revisions ---------------------------------------------------------------------------------


def test_every_frame_reflects_exactly_the_changes_of_its_revision(
    conversation: Conversation,
) -> None:
    """Changes sent in a burst while playing: each frame's learning rate is the one set by the
    change numbered by its revision, and the revision counts the applied messages."""
    conversation.start()
    rates = [0.001 * (i + 1) for i in range(10)]
    conversation.send({"type": "play"})  # revision 1
    for rate in rates:  # revisions 2 to 11
        conversation.send({"type": "configure", "settings": {"learning_rate": rate}})
    last = conversation.current_frame()
    assert last.revision == conversation.changes == 11
    frames = frames_in(conversation.received)
    revisions = [frame.revision for frame in frames]
    assert revisions == sorted(revisions)
    for frame in frames:
        if frame.revision >= 2:
            expected = rates[frame.revision - 2]
            assert frame.model.learning_rate == pytest.approx(expected, rel=1e-6)
        elif frame.revision == 1:
            assert frame.model.learning_rate == pytest.approx(Settings().learning_rate)
    assert last.model.learning_rate == pytest.approx(rates[-1], rel=1e-6)
    # Acknowledgements are not changes, and a refused message changes nothing.
    conversation.error_for({"type": "speed", "epochs_per_frame": 0})
    conversation.send({"type": "pause"})
    assert conversation.current_frame().revision == 12


# --- compare ---------------------------------------------------------------------------------


def test_compare_trains_two_models_and_an_empty_list_returns_to_one(
    conversation: Conversation,
) -> None:
    conversation.start()
    conversation.send(
        {"type": "compare", "models": [{"activations": ["relu"]}, {"activations": ["sigmoid"]}]}
    )
    conversation.send({"type": "step", "epochs": 3})
    frame = conversation.current_frame()
    assert len(frame.header.models) == 2
    assert [model.epoch for model in frame.header.models] == [3, 3]
    assert {index for index, _ in frame.arrays} == {0, 1}
    assert not same_weights(frame.weights(0), frame.weights(1))

    conversation.send({"type": "compare", "models": []})
    single = conversation.current_frame()
    assert len(single.header.models) == 1
    assert {index for index, _ in single.arrays} == {0}


def test_compared_models_may_differ_in_shape(conversation: Conversation) -> None:
    conversation.start()
    models = [{"hidden": [3]}, {"hidden": [5, 2], "optimizer": "adam"}, {"seed": 4}]
    conversation.send({"type": "compare", "models": models})
    frame = conversation.current_frame()
    assert [model.hidden for model in frame.header.models] == [[3], [5, 2], [4, 2]]


def test_compare_refuses_data_fields_and_a_single_model(conversation: Conversation) -> None:
    conversation.start()
    for index, field, value in [(0, "noise", 0.2), (1, "dataset", "xor"), (0, "n_points", 100)]:
        models: list[dict[str, Any]] = [{"learning_rate": 0.1}, {"optimizer": "adam"}]
        models[index][field] = value
        error = conversation.error_for({"type": "compare", "models": models})
        assert error.field == f"models.{index}.{field}"
        assert "share the data" in error.expected
    error = conversation.error_for({"type": "compare", "models": [{"learning_rate": 0.1}]})
    assert error.field == "models"
    assert error.received == "1"
    error = conversation.error_for({"type": "compare", "models": [{}, {"learning_rate": 50}]})
    assert error.field == "models.1.learning_rate"
    # Nothing was applied: still one model.
    assert len(conversation.redraw().header.models) == 1


# --- custom points -----------------------------------------------------------------------------


def custom_points(count: int) -> list[dict[str, float]]:
    rng = np.random.default_rng(5)
    xy = rng.uniform(-5, 5, (count, 2)).round(2)
    return [{"x": float(x), "y": float(y), "label": float(x * y > 0)} for x, y in xy.tolist()]


def test_points_switch_to_custom_data(conversation: Conversation) -> None:
    conversation.start()
    points = custom_points(20)
    conversation.send({"type": "points", "problem": "binary", "n_outputs": 1, "points": points})
    data = conversation.next(Data)
    frame = conversation.current_frame()
    assert frame.epoch == 0
    assert data.problem == "binary"
    assert data.n_outputs == 1
    assert len(data.train) == len(data.test) == 10
    sent = sorted((p["x"], p["y"], p["label"]) for p in points)
    assert sorted(data.train + data.test) == sent
    conversation.send({"type": "step", "epochs": 4})
    assert conversation.current_frame().epoch == 4
    # A model change keeps the custom points; a train fraction change re-splits them.
    mark = len(conversation.received)
    conversation.send({"type": "configure", "settings": {"train_fraction": 0.8}})
    split = conversation.next(Data)
    assert (len(split.train), len(split.test)) == (16, 4)
    assert sorted(split.train + split.test) == sent
    assert conversation.current_frame().epoch == 0
    assert len([m for m in conversation.since(mark) if isinstance(m, Data)]) == 1


@pytest.mark.parametrize(
    ("index", "part", "value"),
    [(3, "label", 2.0), (3, "label", 0.5), (3, "label", "1"), (7, "x", 6.5), (0, "y", "0")],
)
def test_a_bad_point_names_itself(
    conversation: Conversation, index: int, part: str, value: Any
) -> None:
    conversation.start()
    points: list[dict[str, Any]] = [dict(p) for p in custom_points(10)]
    points[index][part] = value
    mark = len(conversation.received)
    error = conversation.error_for(
        {"type": "points", "problem": "binary", "n_outputs": 1, "points": points}
    )
    assert error.field == f"points.{index}.{part}"
    assert error.received in (repr(value), str(value))
    assert conversation.redraw().epoch == 0
    assert not any(isinstance(m, Data) for m in conversation.since(mark))


def test_points_for_a_multiclass_problem(conversation: Conversation) -> None:
    conversation.start()
    points = [
        {"x": float(i % 5) - 2, "y": float(i // 5) - 2, "label": float(i % 3)} for i in range(25)
    ]
    conversation.send({"type": "points", "problem": "multiclass", "n_outputs": 3, "points": points})
    data = conversation.next(Data)
    assert (data.problem, data.n_outputs) == ("multiclass", 3)
    frame = conversation.current_frame()
    assert frame.model.n_outputs == 3
    assert frame.arrays[(0, "outputs")].shape == (3, limits.OUTPUT_GRID, limits.OUTPUT_GRID)
    error = conversation.error_for(
        {
            "type": "points",
            "problem": "multiclass",
            "n_outputs": 3,
            "points": [*points[:4], {"x": 0.0, "y": 0.0, "label": 3.0}],
        }
    )
    assert error.field == "points.4.label"


# --- compilation -----------------------------------------------------------------------------


def test_moving_sliders_never_compiles(client: TestClient) -> None:
    """Once a session has drawn a model and trained it a step (the draw and the training
    programs, which a server's warm-up loads at startup), playing and moving model sliders
    use the programs already made: no trace, no compilation (a compilation stalls every
    session for seconds)."""
    jax.clear_caches()  # earlier tests may have compiled what this one must not need
    with client.websocket_connect("/ws") as websocket:
        conversation = Conversation(websocket)
        conversation.start()
        conversation.send({"type": "step", "epochs": 1})
        conversation.frame_where(lambda frame: frame.epoch >= 1)
        with count_compilations() as counted:
            conversation.send({"type": "play"})
            conversation.frame_where(lambda frame: frame.epoch >= 2)
            for name, value in KEEP_CHANGES:
                conversation.send({"type": "configure", "settings": {name: value}})
                conversation.current_frame()
            conversation.send({"type": "pause"})
            conversation.send({"type": "step", "epochs": 3})
            conversation.send({"type": "configure", "settings": {"seed": 3, "hidden": [5, 3]}})
            conversation.send({"type": "play"})
            conversation.current_frame()
            conversation.next(Frame)
        assert counted[0] == 0
