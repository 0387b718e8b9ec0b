"""Bad client messages: each is answered with one structured error naming the field, and the
session carries on training. Ends with 10,000+ generated malformed messages on one session."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from nn_playground.protocol import (
    CLIENT_MESSAGE,
    MAX_MESSAGE_BYTES,
    AppliedSettings,
    Error,
    SessionState,
    Settings,
    Status,
)
from tests.server.client_helpers import Conversation


def assert_still_trains(conversation: Conversation) -> None:
    """Play gives a frame with a larger epoch than the model had."""
    before = conversation.redraw().epoch
    conversation.send({"type": "play"})
    conversation.frame_where(lambda frame: frame.epoch > before)
    conversation.send({"type": "pause"})
    conversation.current_frame()


def paused_at_epoch_2(conversation: Conversation) -> None:
    """Start, step two epochs, and read up to the status that says so."""
    conversation.start()
    conversation.send({"type": "step", "epochs": 2})
    assert conversation.current_frame().epoch == 2
    assert conversation.next(Status).state is SessionState.PAUSED


BAD_MESSAGES = [
    pytest.param('{"type": "play"', "message", "JSON", id="invalid-json"),
    pytest.param('{"type": "fly"}', "type", "configure", id="unknown-type"),
    pytest.param('{"epochs": 3}', "type", "type", id="no-type"),
    pytest.param('{"type": "play", "speed": 2}', "speed", "Extra inputs", id="extra-field"),
    pytest.param('{"type": "step", "epochs": NaN}', "epochs", "integer", id="nan"),
    pytest.param(
        '{"type": "configure", "settings": {"learning_rate": Infinity}}',
        "settings.learning_rate",
        "finite",
        id="infinity",
    ),
    pytest.param(
        '{"type": "configure", "settings": {"hidden": [4, 40]}}',
        "settings.hidden.1",
        "16",
        id="hidden-40",
    ),
    pytest.param(
        '{"type": "configure", "settings": {"learning_rate": 100}}',
        "settings.learning_rate",
        "10",
        id="learning-rate-100",
    ),
    pytest.param(
        '{"type": "configure", "settings": {"learning_rate": "0.1"}}',
        "settings.learning_rate",
        "number",
        id="number-as-string",
    ),
    pytest.param(
        '{"type": "configure", "settings": {"hidden": 4}}',
        "settings.hidden",
        "array",
        id="scalar-for-list",
    ),
    pytest.param(
        '{"type": "configure", "settings": {"activations": ["tanh", "cosine"]}}',
        "settings.activations.1",
        "relu",
        id="unknown-activation",
    ),
    pytest.param(
        '{"type": "configure", "settings": {"dataset": "custom"}}',
        "settings.dataset",
        "points",
        id="custom-without-points",
    ),
    pytest.param('{"type": "speed"}', "epochs_per_frame", "required", id="missing-field"),
    pytest.param('{"type": "step", "epochs": 2.5}', "epochs", "integer", id="fraction"),
    pytest.param('{"type": "step", "epochs": true}', "epochs", "integer", id="bool-for-int"),
    pytest.param('{"type": "reset", "seed": -1}', "seed", "0", id="negative-seed"),
    pytest.param("[1, 2, 3]", "message", "object", id="array"),
    pytest.param('"play"', "message", "object", id="string"),
]


@pytest.mark.parametrize(("text", "field", "expected"), BAD_MESSAGES)
def test_bad_message_gets_an_error_naming_the_field(
    conversation: Conversation, text: str, field: str, expected: str
) -> None:
    paused_at_epoch_2(conversation)
    mark = len(conversation.received)
    error = conversation.error_for(text)
    assert error.field == field
    assert expected in error.expected
    assert error.received
    assert error.message.startswith(field)
    # Then the settings in effect, unchanged; nothing else came back, and nothing was applied.
    answer = conversation.next(AppliedSettings)
    assert conversation.since(mark) == [error, answer]
    assert answer.revision == conversation.changes
    assert answer.settings == Settings()
    assert conversation.redraw().epoch == 2
    assert_still_trains(conversation)


def test_binary_message_gets_an_error(conversation: Conversation) -> None:
    conversation.start()
    conversation.websocket.send_bytes(b'{"type": "play"}')
    error = conversation.next(Error)
    assert error.field == "message"
    assert error.expected == "a JSON text message"
    assert_still_trains(conversation)


def test_error_says_what_was_received(conversation: Conversation) -> None:
    conversation.start()
    error = conversation.error_for({"type": "configure", "settings": {"learning_rate": 100}})
    assert error.received == "100"
    assert "10" in error.expected
    error = conversation.error_for({"type": "configure", "settings": {"noise": "0.1"}})
    assert error.received == "'0.1'"
    huge = {"type": "configure", "settings": {"dataset": "x" * 5000}}
    assert len(conversation.error_for(huge).received) <= 200


def test_oversize_message_closes_with_1009(conversation: Conversation) -> None:
    conversation.start()
    padding = "x" * (MAX_MESSAGE_BYTES + 1)
    conversation.send_raw(json.dumps({"type": "play", "padding": padding}))
    assert conversation.receive_close() == 1009


def test_errors_while_training_leave_the_training_running(conversation: Conversation) -> None:
    conversation.start()
    conversation.send({"type": "play"})
    first = conversation.frame_where(lambda frame: frame.epoch >= 1)
    for _ in range(20):
        conversation.send_raw('{"type": "configure", "settings": {"hidden": [99]}}')
    later = conversation.frame_where(lambda frame: frame.epoch >= first.epoch + 5)
    assert later.model.hidden == [4, 2]
    errors = [m for m in conversation.received if isinstance(m, Error)]
    assert len(errors) == 20
    assert {error.field for error in errors} == {"settings.hidden.0"}


# --- generated malformed messages -----------------------------------------------------------

MESSAGES_PER_EXAMPLE = 100
EXAMPLES = 101  # 10,100 messages in all

VALID_MESSAGES: list[dict[str, Any]] = [
    {"type": "configure", "settings": {"learning_rate": 0.1, "hidden": [3, 3]}},
    {"type": "configure", "settings": {"noise": 0.2, "activations": ["relu"]}},
    {"type": "play"},
    {"type": "pause"},
    {"type": "step", "epochs": 3},
    {"type": "reset", "seed": 4},
    {"type": "regenerate", "data_seed": 2},
    {"type": "speed", "epochs_per_frame": 5},
    {"type": "ack", "frame": 1},
    {
        "type": "points",
        "problem": "binary",
        "n_outputs": 1,
        "points": [{"x": 0.5, "y": 1.0, "label": 1}, {"x": -1.0, "y": 2.0, "label": 0}],
    },
    {"type": "compare", "models": [{"learning_rate": 0.1}, {"optimizer": "adam"}]},
]
REQUIRED = {"configure": "settings", "speed": "epochs_per_frame", "points": "points"}
# The numeric settings and their JSON Schema, from the protocol itself.
SCHEMA = Settings.model_json_schema()["properties"]
NUMERIC = sorted(name for name, spec in SCHEMA.items() if spec.get("type") in ("number", "integer"))
# Values of JSON types that no field takes, or not at every field.
WRONG_TYPES: list[Any] = ["0.1", "3", "", "relu", [], {}, [1, "a"], {"a": 1}, True, 1.5, None]


def invalid(text: str) -> bool:
    try:
        CLIENT_MESSAGE.validate_json(text)
    except ValidationError:
        return True
    return False


def bounds(name: str) -> tuple[float, float, bool, bool]:
    """(low, high, low allowed, high allowed) of a numeric setting."""
    spec = SCHEMA[name]
    low = spec.get("minimum", spec.get("exclusiveMinimum"))
    high = spec.get("maximum", spec.get("exclusiveMaximum"))
    return low, high, "minimum" in spec, "maximum" in spec


def edge_values(name: str) -> list[float]:
    """Numbers just and far outside a setting's bounds."""
    low, high, low_in, high_in = bounds(name)
    if SCHEMA[name]["type"] == "integer":
        return [low - 1 if low_in else low, -(2**40), high + 1 if high_in else high, 2**40]
    tiny = 1e-9 * max(1.0, abs(low), abs(high))
    return [low - tiny if low_in else low, -1e12, high + tiny if high_in else high, 1e12]


def broken_messages() -> list[tuple[str, str]]:
    """Valid messages with one thing broken, each with the field its error must name."""
    cases: list[tuple[str, str]] = []

    def add(message: dict[str, Any], field: str) -> None:
        cases.append((json.dumps(message), field))

    for name in sorted(Settings.model_fields):
        for value in WRONG_TYPES:
            add({"type": "configure", "settings": {name: value}}, f"settings.{name}")
            add({"type": "compare", "models": [{}, {name: value}]}, f"models.1.{name}")
    for name in NUMERIC:
        for value in edge_values(name):
            add({"type": "configure", "settings": {name: value}}, f"settings.{name}")
            add({"type": "compare", "models": [{name: value}, {}]}, f"models.0.{name}")
        for constant in ("NaN", "Infinity", "-Infinity"):
            text = f'{{"type": "configure", "settings": {{"{name}": {constant}}}}}'
            cases.append((text, f"settings.{name}"))
    for base in VALID_MESSAGES:
        for name in [key for key in base if key != "type"]:
            for value in WRONG_TYPES:
                add({**base, name: value}, name)
        if base["type"] in REQUIRED:
            name = REQUIRED[base["type"]]
            add({k: v for k, v in base.items() if k != name}, name)
        add({k: v for k, v in base.items() if k != "type"}, "type")
        for tag in ["", "Play", "configure ", 3, None, ["play"], base["type"].upper()]:
            add({**base, "type": tag}, "type")
        add({**base, "unexpected": 1}, "unexpected")
    return [case for case in cases if invalid(case[0])]


BROKEN = broken_messages()

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**40), 2**40)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=6)
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.sampled_from(["type", "settings", "a", ""]), children, max_size=3)
    ),
    max_leaves=5,
)


def beyond_bounds(name: str, above: bool, distance: float) -> tuple[str, str]:
    """A setting `distance` (relative) outside its bounds, and the field its error names."""
    low, high, _, _ = bounds(name)
    step = distance * max(1.0, abs(high - low))
    value: float = high + step if above else low - step
    if SCHEMA[name]["type"] == "integer":
        value = math.floor(value) if not above else math.ceil(value)
    message = {"type": "configure", "settings": {name: value}}
    return json.dumps(message), f"settings.{name}"


def with_extra_key(base: dict[str, Any], key: str, value: Any) -> tuple[str, str]:
    key = key if key not in base else key + "_"
    return json.dumps({**base, key: value}), key


extra_keys = st.builds(
    with_extra_key,
    st.sampled_from(VALID_MESSAGES),
    st.text("abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=8),
    json_scalars,
)
# Each case is (text, the field its error must name, or "" where no one field is broken).
malformed = st.one_of(
    *[st.sampled_from(BROKEN)] * 6,  # the cheapest to draw
    st.builds(beyond_bounds, st.sampled_from(NUMERIC), st.booleans(), st.floats(1e-6, 1e6)),
    extra_keys,
    json_values.map(lambda value: (json.dumps(value), "")),
    st.text(max_size=30).map(lambda text: (text, "")),
).filter(lambda case: invalid(case[0]))


def test_broken_message_catalogue_is_large_and_invalid() -> None:
    assert len(BROKEN) > 900
    fields = {field.split(".")[0] for _, field in BROKEN}
    assert {"settings", "models", "type", "epochs", "points", "frame", "seed"} <= fields


def test_ten_thousand_malformed_messages_each_get_one_error(conversation: Conversation) -> None:
    """Each message is answered by exactly one error (strings for field, expected and
    received; the named field where the message had one broken field), then the settings
    still in effect, in order, and the session trains afterwards."""
    paused_at_epoch_2(conversation)
    counted = [0]

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(st.lists(malformed, min_size=MESSAGES_PER_EXAMPLE, max_size=MESSAGES_PER_EXAMPLE))
    def answers_each(cases: list[tuple[str, str]]) -> None:
        conversation.send_raw_all([text for text, _ in cases])
        replies = conversation.receive_all(2 * len(cases))
        errors, answers = replies[0::2], replies[1::2]
        # A change that trains nothing: its answer and frame show that no more errors came.
        mark = len(conversation.received)
        frame = conversation.redraw()
        later = conversation.since(mark)
        assert sorted(type(m).__name__ for m in later) == ["AppliedSettings", "Frame"]
        assert all(isinstance(answer, AppliedSettings) for answer in answers)
        assert all(answer.revision == answers[0].revision for answer in answers)
        for error, (text, field) in zip(errors, cases, strict=True):
            assert isinstance(error, Error), (text, error)
            assert all(isinstance(v, str) for v in (error.field, error.expected, error.received))
            if field:
                assert error.field == field or error.field.startswith(field + "."), (text, error)
        assert frame.epoch == 2
        counted[0] += len(cases)

    answers_each()
    assert counted[0] >= 10_000
    assert_still_trains(conversation)
