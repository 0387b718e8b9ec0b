"""A diverging model over /ws: reported once with the last good numbers, never as NaN or
Infinity, and recovered by a lower learning rate or a reset."""

from __future__ import annotations

from nn_playground.protocol import AppliedSettings, SessionState, Status
from tests.server.client_helpers import Conversation, Frame

# Linear hidden layers at learning rate 10 blow up on the spiral within the first epoch, for
# every seed tried (0-2); the default tanh network at this rate does not diverge.
DIVERGING = {
    "activations": ["linear"],
    "hidden": [8, 8],
    "learning_rate": 10,
    "dataset": "spiral",
    "seed": 1,
}


def diverged(conversation: Conversation) -> Frame:
    conversation.start()
    conversation.send({"type": "configure", "settings": DIVERGING})
    conversation.send({"type": "play"})
    return conversation.frame_where(lambda frame: frame.model.diverged)


def test_divergence_is_reported_with_the_last_good_numbers(conversation: Conversation) -> None:
    frame = diverged(conversation)
    model = frame.model
    assert frame.header.state is SessionState.DIVERGED
    assert model.diverged_epoch is not None
    assert model.diverged_step is not None
    assert model.diverged_step >= 1
    # The last good weights are kept and measured: finite numbers, not null.
    assert model.train_loss is not None
    assert model.test_loss is not None
    assert model.train_accuracy is not None
    assert all(value is not None for value in model.grad_norms)
    assert all(value is not None for layer in model.neuron_scale for value in layer)
    for weights in frame.weights():
        assert weights.size
        assert bool((abs(weights) < float("inf")).all())
    status = conversation.next(Status)
    assert status.state is SessionState.DIVERGED
    assert "learning rate" in status.detail
    assert f"epoch {model.diverged_epoch}" in status.detail


def test_a_diverged_session_stops_training(conversation: Conversation) -> None:
    frame = diverged(conversation)
    conversation.next(Status)
    mark = len(conversation.received)
    again = conversation.redraw()
    assert again.model.epoch == frame.model.epoch
    assert again.model.step == frame.model.step
    assert again.header.state is SessionState.DIVERGED
    assert all(isinstance(m, Frame | AppliedSettings) for m in conversation.since(mark))


def test_lower_learning_rate_resumes_training(conversation: Conversation) -> None:
    frame = diverged(conversation)
    conversation.send({"type": "configure", "settings": {"learning_rate": 0.01}})
    resumed = conversation.current_frame()
    assert not resumed.model.diverged
    assert resumed.model.diverged_epoch is None
    assert resumed.header.state is SessionState.RUNNING
    later = [conversation.next(Frame) for _ in range(3)]
    epochs = [resumed.epoch] + [f.epoch for f in later]
    assert epochs == sorted(set(epochs))
    assert epochs[0] >= frame.epoch
    assert all(f.header.state is SessionState.RUNNING for f in later)
    assert all(f.model.train_loss is not None for f in later)
    statuses = [m for m in conversation.received if isinstance(m, Status)]
    assert statuses[-1].state is SessionState.RUNNING


def test_reset_after_divergence_starts_again(conversation: Conversation) -> None:
    diverged(conversation)
    conversation.send({"type": "reset"})
    fresh = conversation.current_frame()
    assert fresh.epoch == 0
    assert not fresh.model.diverged
    assert fresh.header.state is SessionState.IDLE
    statuses = [m for m in conversation.received if isinstance(m, Status)]
    assert statuses[-1].state is SessionState.IDLE
