"""The `settings` answer, against a real server with the `websockets` client: every client
message but an ack is answered with the settings the server applied (lists fitted to the
depth, defaults filled, the loss and output it chose), and a refused one with the settings as
they were, after its error."""

from __future__ import annotations

from typing import Any

from websockets.asyncio.client import ClientConnection, connect

from nn_playground.protocol import AppliedSettings, Error, Ready, Settings
from tests.live_client import receive, send
from tests.live_server import LiveServer, run_async
from tests.server.client_helpers import Frame


async def answer(
    ws: ClientConnection, message: dict[str, Any]
) -> tuple[list[Error], AppliedSettings]:
    """Send `message`; the errors before its answer, and the answer (frames are acknowledged)."""
    await send(ws, message)
    errors: list[Error] = []
    while True:
        reply = await receive(ws)
        if isinstance(reply, Frame):
            await send(ws, {"type": "ack", "frame": reply.header.frame})
        elif isinstance(reply, Error):
            errors.append(reply)
        elif isinstance(reply, AppliedSettings):
            return errors, reply


def conversation(live_server: LiveServer, messages: list[dict[str, Any]]) -> list[Any]:
    async def scenario() -> list[Any]:
        async with connect(live_server.ws_url) as ws:
            assert isinstance(await receive(ws), Ready)
            return [await answer(ws, message) for message in messages]

    return run_async(scenario())


def test_lists_are_fitted_to_the_depth_and_derived_values_named(live_server: LiveServer) -> None:
    (errors, applied), (_, regression) = conversation(
        live_server,
        [
            {
                "type": "configure",
                "settings": {"hidden": [3], "activations": ["relu", "sigmoid", "tanh"]},
            },
            {"type": "configure", "settings": {"dataset": "plane", "dropout": [0.25]}},
        ],
    )
    assert errors == []
    assert applied.revision == 1
    assert applied.settings.hidden == [3]
    assert applied.settings.activations == ["relu"]  # cut to the one layer
    assert applied.settings.dropout == [0.0]
    assert applied.settings.learning_rate == Settings().learning_rate  # untouched: the default
    assert applied.compare == []
    [model] = applied.models
    assert model.settings == applied.settings
    assert (model.loss, model.loss_kind, model.output_activation) == (
        "cross_entropy",
        "sigmoid_ce",
        "sigmoid",
    )
    assert (applied.problem, applied.n_outputs) == ("binary", 1)
    # Regression trains with mse whatever `loss` says; the answer says so.
    assert regression.settings.loss == "cross_entropy"
    assert regression.models[0].loss == "mse"
    assert regression.models[0].loss_kind == "linear_mse"
    assert regression.models[0].output_activation == "linear"
    assert regression.problem == "regression"


def test_refused_change_is_answered_with_the_settings_as_they_were(
    live_server: LiveServer,
) -> None:
    (_, accepted), (errors, refused), (range_errors, out_of_range) = conversation(
        live_server,
        [
            {"type": "configure", "settings": {"learning_rate": 0.1}},
            # Each field is in bounds; the perceptron rule needs no hidden layer.
            {"type": "configure", "settings": {"loss": "perceptron", "learning_rate": 0.5}},
            {"type": "configure", "settings": {"n_points": 5000}},
        ],
    )
    assert accepted.settings.learning_rate == 0.1
    assert [error.field for error in errors] == ["settings.hidden"]
    assert refused.settings == accepted.settings  # nothing of the refused change applied
    assert refused.revision == accepted.revision
    assert [error.field for error in range_errors] == ["settings.n_points"]
    assert out_of_range.settings.n_points == Settings().n_points


def test_every_kind_of_change_is_answered(live_server: LiveServer) -> None:
    answers = conversation(
        live_server,
        [
            {"type": "speed", "epochs_per_frame": 7},
            {"type": "reset", "seed": 5},
            {"type": "regenerate", "data_seed": 9},
            {"type": "compare", "models": [{}, {"hidden": [8, 8, 8]}]},
            {
                "type": "points",
                "problem": "binary",
                "points": [{"x": 0, "y": 0, "label": 0}, {"x": 1, "y": 1, "label": 1}],
            },
            {"type": "play"},
            {"type": "pause"},
            {"type": "compare", "models": []},
        ],
    )
    assert all(errors == [] for errors, _ in answers)
    speed, reset, regenerate, compare, points, play, pause, stopped = (a for _, a in answers)
    assert pause.settings == play.settings
    assert speed.epochs_per_frame == 7
    assert reset.settings.seed == 5
    assert regenerate.settings.data_seed == 9
    assert compare.compare == [{}, {"hidden": [8, 8, 8]}]
    assert [model.settings.hidden for model in compare.models] == [[4, 2], [8, 8, 8]]
    # The variant's per-layer lists follow its own depth: the last entry repeats.
    assert compare.models[1].settings.activations == ["tanh"] * 3
    assert compare.models[1].settings.dropout == [0.0] * 3
    assert points.settings.dataset == "custom"
    assert len(points.models) == 2  # still comparing, on the new data
    assert play.revision == points.revision + 1
    assert [a.revision for _, a in answers] == list(range(1, len(answers) + 1))
    assert stopped.compare == []
    assert len(stopped.models) == 1


def test_a_malformed_message_is_answered_too(live_server: LiveServer) -> None:
    [(errors, applied)] = conversation(live_server, [{"type": "configure", "settings": {"x": 1}}])
    assert [error.field for error in errors] == ["settings.x"]
    assert applied.revision == 0
    assert applied.settings == Settings()
