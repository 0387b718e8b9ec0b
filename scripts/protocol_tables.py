"""Generates docs/protocol.md's settings table and change-effects table from protocol.Settings
(its JSON Schema, defaults and KEEP_WEIGHTS / REINITIALISE / REGENERATE), so the document
cannot drift from the code. Needs the server package importable (PYTHONPATH=server).

    python scripts/protocol_tables.py            # print both tables
    python scripts/protocol_tables.py --write    # rewrite them in docs/protocol.md
    python scripts/protocol_tables.py --check    # exit 1 when docs/protocol.md is stale
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

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

EFFECT_NAMES = {
    "keep": "keeps the weights",
    "reinitialise": "new weights, epoch 0",
    "regenerate": "new data and new weights",
}

SETTINGS_MARKERS = ("<!-- settings-table:start -->", "<!-- settings-table:end -->")
EFFECTS_MARKERS = ("<!-- effects-table:start -->", "<!-- effects-table:end -->")


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


def _effect(name: str) -> str:
    if name in REGENERATE:
        return EFFECT_NAMES["regenerate"]
    if name in REINITIALISE:
        return EFFECT_NAMES["reinitialise"]
    return EFFECT_NAMES["keep"]


def settings_table() -> str:
    """Markdown table: every setting with its type, default, bounds, effect and meaning."""
    schema = Settings.model_json_schema()
    defs = schema.get("$defs", {})
    defaults = Settings().model_dump(mode="json")
    missing = sorted(set(schema["properties"]) - set(MEANINGS))
    if missing:
        raise KeyError(f"scripts/protocol_tables.py MEANINGS lacks {missing}")
    rows = [
        "| setting | type | default | allowed | a change | meaning |",
        "|---|---|---|---|---|---|",
    ]
    for name, spec in schema["properties"].items():
        kind, allowed = _describe(spec, defs)
        cells = [f"`{name}`", kind, _code(defaults[name]), allowed, _effect(name), MEANINGS[name]]
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows)


def effects_table() -> str:
    """Markdown table: which settings keep the weights, re-initialise them or make new data."""
    groups = [
        ("keep", KEEP_WEIGHTS, "the model trains on from where it is; the epoch count goes on"),
        ("reinitialise", REINITIALISE, "fresh weights from `seed`; same data"),
        ("regenerate", REGENERATE, "new points (a `data` message precedes the next frame)"),
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
    """`text` (docs/protocol.md) with both generated tables brought up to date."""
    text = _replace(text, SETTINGS_MARKERS, settings_table())
    return _replace(text, EFFECTS_MARKERS, effects_table())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--write", action="store_true", help="rewrite docs/protocol.md")
    action.add_argument("--check", action="store_true", help="fail when it is out of date")
    args = parser.parse_args(argv)
    if not (args.write or args.check):
        sys.stdout.write(settings_table() + "\n\n" + effects_table() + "\n")
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
