"""What a session drives, whichever lab it serves: the 2-D playground (experiment.py) or the
digits lab (digits_experiment.py). The session (session.py) owns the socket, pacing and the
play/pause/step state; a lab owns its settings, models, answers and frame format."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from nn_playground.protocol import SessionState, Strict


class LabSnapshot(Protocol):
    """Everything a worker needs for one frame, taken at one moment."""

    @property
    def generation(self) -> int: ...  # the weights' generation (see Lab.commit)

    def run(self, epochs: int, steps: int) -> Any:
        """One frame of every model (blocking: a worker thread runs it); `steps` caps the
        updates where the lab can take single steps."""
        ...


class Lab(Protocol):
    data_due: bool  # the client has not seen the current data yet

    def parse(self, text: str) -> Any:
        """A client message of this lab from its JSON text (pydantic's ValidationError if
        it is none)."""
        ...

    def ready(self, version: str, epochs_per_frame: int) -> Strict: ...

    def applied(self, revision: int, epochs_per_frame: int) -> Strict:
        """The settings in effect: the answer to every client message but `ack`."""
        ...

    def apply(self, message: Any) -> None:
        """A message that changes the lab (settings, weights, data, compared models); raises
        SetupError naming what it refuses, having changed nothing."""
        ...

    def request(self, message: Any) -> Callable[[], Strict] | None:
        """For a message answered by computing (an export, a prediction...), the work that
        answers it, run on a worker; None for other messages."""
        ...

    def halted(self) -> tuple[bool, bool]:
        """(every model diverged or stopped early, some model diverged)."""
        ...

    @property
    def trained(self) -> bool: ...  # some model has taken an update

    @property
    def epoch(self) -> int: ...

    def divergence(self) -> str:
        """Why training halted on a diverged model, for the learner."""
        ...

    def data_message(self) -> Strict: ...

    def snapshot(self) -> LabSnapshot: ...

    def commit(self, generation: int, result: Any) -> bool:
        """Keep a worker's result unless the weights were replaced meanwhile."""
        ...

    def encode_frame(
        self, number: int, revision: int, state: SessionState, result: Any
    ) -> bytes: ...
