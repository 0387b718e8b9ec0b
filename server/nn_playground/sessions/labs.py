"""The labs a websocket session can serve, chosen by the /ws query (`/ws?lab=digits`): the
2-D playground (the default) and the digits lab."""

from __future__ import annotations

from collections.abc import Callable

from nn_playground import digits_protocol
from nn_playground.options import ServerOptions
from nn_playground.sessions.digits_experiment import DigitsExperiment
from nn_playground.sessions.experiment import Experiment
from nn_playground.sessions.lab import Lab

PLAYGROUND = "playground"
DIGITS = digits_protocol.LAB
LABS = (PLAYGROUND, DIGITS)


def lab_opener(name: str, options: ServerOptions) -> Callable[[], Lab] | None:
    """What builds a new session's lab `name` (on a worker: it makes the first models), or
    None for a name no lab has."""
    if name == PLAYGROUND:
        return lambda: Experiment(options.max_points)
    if name == DIGITS:
        return DigitsExperiment
    return None
