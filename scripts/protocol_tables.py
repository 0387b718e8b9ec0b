"""Generates docs/protocol.md's settings and change-effects tables of both labs from
protocol.Settings and digits_protocol.DigitsSettings (their JSON Schemas, defaults and what a
change keeps), so the document cannot drift from the code. Needs the server package
importable (PYTHONPATH=server).

    python scripts/protocol_tables.py            # print both tables
    python scripts/protocol_tables.py --write    # rewrite them in docs/protocol.md
    python scripts/protocol_tables.py --check    # exit 1 when docs/protocol.md is stale
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, NamedTuple

from pydantic import BaseModel

from nn_playground import digits_protocol
from nn_playground.protocol import KEEP_WEIGHTS, REGENERATE, REINITIALISE, Settings

DOC = Path(__file__).resolve().parent.parent / "docs" / "protocol.md"

# One line per setting; a new Settings field without a line here fails the generator (and
# the docs test), so every setting the server accepts is described.
MEANINGS: dict[str, str] = {
    "dataset": "built-in dataset; `custom` is set by a `points` message, never by `configure`",
    "n_points": "points generated, train and test together (`--max-points` may lower the "
    "maximum; `GET /api/config` reports this server's)",
    "noise": "how far points are jittered from their clean positions",
    "train_fraction": "share of the points trained on; the rest are the test set",
    "n_classes": "classes of the multiclass datasets (`blobs`, `spiral3`)",
    "data_seed": "seed of the generated points and of the train/test split",
    "features": "inputs fed to the network (frames list them in the order of "
    "`limits.features`, whatever order they were sent in)",
    "hidden": "neurons per hidden layer, input side first; `[]` is no hidden layer",
    "activations": "activation per hidden layer; a shorter list repeats its last entry",
    "loss": "training criterion for classification (`perceptron`: binary data, no hidden "
    "layer); regression always uses `mse`",
    "regression_output": "output of regression models: `linear` (any sign) or `relu`",
    "init": "weight initialisation (`zeros` shows the symmetry problem)",
    "seed": "initial weights, minibatch shuffling and dropout",
    "optimizer": "`sgd` is full-batch gradient descent when `batch_size` >= training points",
    "learning_rate": "step size before decay",
    "momentum": "momentum of `momentum` and `nesterov`",
    "beta1": "Adam's first-moment decay",
    "beta2": "Adam's second-moment decay",
    "rho": "RMSProp's decay",
    "epsilon": "RMSProp's and Adam's denominator guard",
    "decay": "learning-rate schedule: `exponential` rate^(epoch/decay_epochs), `step` "
    "rate^floor(epoch/decay_epochs), `cosine` down to rate x learning_rate at decay_epochs",
    "decay_rate": "the schedule's rate",
    "decay_epochs": "the schedule's period in epochs",
    "batch_size": "points per update",
    "l1": "L1 weight penalty",
    "l2": "L2 weight penalty",
    "dropout": "dropout rate per hidden layer; a shorter list repeats its last entry",
    "early_stopping": "stop when the test loss has not improved for `patience` epochs "
    "(the best weights are restored)",
    "patience": "epochs without a better test loss before early stopping",
}

# The digits lab's settings (digits_protocol.DigitsSettings), likewise.
DIGITS_MEANINGS: dict[str, str] = {
    "digits": "the task: two digits (`[0, 1]`: 0 vs 1), all ten, or any in between; sorted",
    "train_size": "training images at most, an equal share of each digit (fewer when the "
    "digits chosen have fewer); the test set does not change",
    "data_seed": "which images of each digit go to the test set (20%)",
    "first_layer": "`dense` (every unit sees the whole image), `conv` (each of `filters` "
    "filters is one k x k kernel slid over the image, weights shared) or `local` (a k x k "
    "window per position, weights not shared)",
    "kernel": "the conv or local layer's window side k",
    "stride": "pixels between neighbouring windows",
    "filters": "filters of the conv or local layer (each a picture of k x k weights)",
    "hidden": "units per dense hidden layer; after a conv or local layer, the dense layers "
    "that follow it (3 hidden layers in all at most)",
    "activations": "activation per hidden layer, a conv or local one first; a shorter list "
    "repeats its last entry",
    "loss": "`sigmoid_ce` (two digits: one sigmoid output), `softmax_ce` (from the logits), "
    "`softmax_ce_naive` (log of the probabilities: overflows) or `softmax_mse`",
    "init": "weight initialisation",
    "seed": "initial weights, minibatch shuffling and dropout",
    "optimizer": "`sgd` is full-batch gradient descent when `batch_size` >= training images",
    "learning_rate": "step size before decay",
    "momentum": "momentum of `momentum` and `nesterov`",
    "beta1": "Adam's first-moment decay",
    "beta2": "Adam's second-moment decay",
    "rho": "RMSProp's decay",
    "epsilon": "RMSProp's and Adam's denominator guard",
    "decay": "learning-rate schedule, as in 2-D mode",
    "decay_rate": "the schedule's rate",
    "decay_epochs": "the schedule's period in epochs",
    "batch_size": "images per update",
    "l1": "L1 weight penalty",
    "l2": "L2 weight penalty",
    "dropout": "dropout rate per hidden layer; a shorter list repeats its last entry",
    "early_stopping": "stop when the test loss has not improved for `patience` epochs "
    "(the best weights are restored)",
    "patience": "epochs without a better test loss before early stopping",
}


class LabTables(NamedTuple):
    """One lab's settings model, the meaning of each setting and what a change does."""

    settings: type[BaseModel]
    meanings: dict[str, str]
    regenerate: frozenset[str]
    reinitialise: frozenset[str]
    keep: frozenset[str]
    new_data: str  # what "new data" means in this lab
    markers: str  # the tables' marker prefix in docs/protocol.md


PLAYGROUND = LabTables(
    Settings,
    MEANINGS,
    REGENERATE,
    REINITIALISE,
    KEEP_WEIGHTS,
    "new points (a `data` message precedes the next frame)",
    "",
)
DIGITS = LabTables(
    digits_protocol.DigitsSettings,
    DIGITS_MEANINGS,
    digits_protocol.DIGITS_REGENERATE,
    digits_protocol.DIGITS_REINITIALISE,
    digits_protocol.DIGITS_KEEP_WEIGHTS,
    "new images (a `digits` message precedes the next frame)",
    "digits-",
)

EFFECT_NAMES = {
    "keep": "keeps the weights",
    "reinitialise": "new weights, epoch 0",
    "regenerate": "new data and new weights",
}


def markers(lab: LabTables, table: str) -> tuple[str, str]:
    return (
        f"<!-- {lab.markers}{table}-table:start -->",
        f"<!-- {lab.markers}{table}-table:end -->",
    )


def _code(value: Any) -> str:
    return "`" + json.dumps(value) + "`"


def _number(value: object) -> str:
    return json.dumps(value)


def _bounds(spec: dict[str, Any], name: str = "x") -> str:
    low = spec.get("minimum", spec.get("exclusiveMinimum"))
    high = spec.get("maximum", spec.get("exclusiveMaximum"))
    if low is None and high is None:
        return ""
    if "minimum" in spec and "maximum" in spec:
        return f"{_number(low)} to {_number(high)}"
    left = "" if low is None else f"{_number(low)} {'<=' if 'minimum' in spec else '<'} "
    right = "" if high is None else f" {'<=' if 'maximum' in spec else '<'} {_number(high)}"
    return f"{left}{name}{right}"


def _resolve(spec: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in spec:
        return {**defs[spec["$ref"].rsplit("/", 1)[-1]], **spec}
    return spec


def _describe(spec: dict[str, Any], defs: dict[str, Any]) -> tuple[str, str]:
    """(type, allowed values) of one property of the schema."""
    spec = _resolve(spec, defs)
    if "enum" in spec:
        return "string", " ".join(f"`{choice}`" for choice in spec["enum"])
    if spec.get("type") == "array":
        item_type, item_allowed = _describe(spec["items"], defs)
        count = f"{spec.get('minItems', 0)} to {spec['maxItems']} items"
        allowed = f"{count}, each {item_allowed}" if item_allowed else count
        return f"list of {item_type}", allowed
    if spec.get("type") == "boolean":
        return "boolean", "`true` `false`"
    return spec["type"], _bounds(spec)


def _effect(lab: LabTables, name: str) -> str:
    if name in lab.regenerate:
        return EFFECT_NAMES["regenerate"]
    if name in lab.reinitialise:
        return EFFECT_NAMES["reinitialise"]
    return EFFECT_NAMES["keep"]


def settings_table(lab: LabTables = PLAYGROUND) -> str:
    """Markdown table: every setting with its type, default, bounds, effect and meaning."""
    schema = lab.settings.model_json_schema()
    defs = schema.get("$defs", {})
    defaults = lab.settings().model_dump(mode="json")
    missing = sorted(set(schema["properties"]) - set(lab.meanings))
    if missing:
        raise KeyError(f"scripts/protocol_tables.py lacks the meaning of {missing}")
    rows = [
        "| setting | type | default | allowed | a change | meaning |",
        "|---|---|---|---|---|---|",
    ]
    for name, spec in schema["properties"].items():
        kind, allowed = _describe(spec, defs)
        effect = _effect(lab, name)
        cells = [f"`{name}`", kind, _code(defaults[name]), allowed, effect, lab.meanings[name]]
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows)


def effects_table(lab: LabTables = PLAYGROUND) -> str:
    """Markdown table: which settings keep the weights, re-initialise them or make new data."""
    groups = [
        ("keep", lab.keep, "the model trains on from where it is; the epoch count goes on"),
        ("reinitialise", lab.reinitialise, "fresh weights from `seed`; same data"),
        ("regenerate", lab.regenerate, lab.new_data),
    ]
    rows = ["| a change to | does | so |", "|---|---|---|"]
    for key, names, detail in groups:
        listed = ", ".join(f"`{name}`" for name in sorted(names))
        rows.append(f"| {listed} | {EFFECT_NAMES[key]} | {detail} |")
    return "\n".join(rows)


def _replace(text: str, markers: tuple[str, str], table: str) -> str:
    start, end = markers
    before, found, rest = text.partition(start)
    if not found or end not in rest:
        raise ValueError(f"{DOC} lacks the markers {start} ... {end}")
    _, _, after = rest.partition(end)
    return f"{before}{start}\n{table}\n{end}{after}"


def updated(text: str) -> str:
    """`text` (docs/protocol.md) with every generated table brought up to date."""
    for lab in (PLAYGROUND, DIGITS):
        text = _replace(text, markers(lab, "settings"), settings_table(lab))
        text = _replace(text, markers(lab, "effects"), effects_table(lab))
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--write", action="store_true", help="rewrite docs/protocol.md")
    action.add_argument("--check", action="store_true", help="fail when it is out of date")
    args = parser.parse_args(argv)
    if not (args.write or args.check):
        for lab in (PLAYGROUND, DIGITS):
            sys.stdout.write(settings_table(lab) + "\n\n" + effects_table(lab) + "\n\n")
        return 0
    current = DOC.read_text(encoding="utf-8")
    fresh = updated(current)
    if args.write:
        DOC.write_text(fresh, encoding="utf-8")
        return 0
    if fresh != current:
        sys.stderr.write(f"{DOC} is stale: run python scripts/protocol_tables.py --write\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
