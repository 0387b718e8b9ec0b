"""A plain Python client of nn-playground's digits lab (docs/protocol.md, section 10): it
trains a digits model for a number of epochs, printing the losses and test accuracy, prints
the test set's confusion matrix, asks the live network about a digit drawn as text, and
with --code keras|jax saves the script that trains the same model, written by the server.

It needs only `websockets` and `numpy`, as client.py (whose session and frame decoding it
uses); it never imports the server's package.

    python examples/digits_client.py --url ws://127.0.0.1:8000/ws --epochs 20 \
        --set first_layer='"conv"' --set hidden=[15] --draw one.txt --code keras

A drawing is a text file of equal lines, `#` for ink and anything else for paper, e.g. a 1:
five lines of `..#..`. Exit status as client.py's: 0 trained; 1 no connection; 2 refused
(busy, or an error naming a setting); 3 the model diverged.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
from client import Message, RefusedError, Session, reporting
from websockets.sync.client import connect


class DigitsSession(Session):
    """client.py's session, keeping the latest `digits` message (the task's digits)."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.digits: list[int] = []

    def receive(self) -> Message:
        message = super().receive()
        if message["type"] == "digits":
            self.digits = message["digits"]
        return message


def digits_url(url: str) -> str:
    return url + ("&" if "?" in url else "?") + "lab=digits"


def drawing_from_text(text: str) -> np.ndarray:
    """A square grey-level drawing (ink 255) of a text grid, padded to square with paper."""
    rows = [line.rstrip("\n") for line in text.splitlines() if line.strip()]
    side = max(len(rows), max(len(row) for row in rows))
    pad = np.zeros((side, side), np.uint8)
    for r, row in enumerate(rows):
        for c, char in enumerate(row):
            pad[r, c] = 255 if char == "#" else 0
    return pad


def predict(session: DigitsSession, drawing: np.ndarray) -> Message:
    """Every model's probabilities for a drawing (at least 8 x 8 pixels: upscaled if smaller);
    a prediction changes nothing."""
    scale = -(-8 // drawing.shape[0])
    pixels = np.kron(drawing, np.ones((scale, scale), np.uint8))
    session.send({"type": "predict", "side": pixels.shape[0], "pixels": pixels.ravel().tolist()})
    while (message := session.receive())["type"] != "prediction":
        pass
    return message


def confusion_text(confusion: np.ndarray, digits: list[int]) -> str:
    lines = ["true \\ predicted " + " ".join(f"{d:>4}" for d in digits)]
    for digit, row in zip(digits, confusion, strict=True):
        lines.append(f"{digit:>17} " + " ".join(f"{int(n):>4}" for n in row))
    return "\n".join(lines)


def train(args: argparse.Namespace) -> int:
    settings = {}
    for assignment in args.set:
        name, _, text = assignment.partition("=")
        settings[name] = json.loads(text)
    url = digits_url(args.url)
    with connect(url, max_size=None, compression=None, open_timeout=args.timeout) as ws:
        session = DigitsSession(ws, args.timeout)
        ready = session.receive()
        if ready.get("lab") != "digits":
            raise RefusedError(f"expected a digits lab's ready message, received {ready}")
        header = session.change({"type": "configure", "settings": settings})
        epoch = 0
        while epoch < args.epochs and header["state"] != "diverged":
            header = session.change({"type": "step", "epochs": min(5, args.epochs - epoch)})
            model = header["models"][0]
            epoch = model["epoch"]
            figures = [(k, model[k]) for k in ("train_loss", "test_loss", "test_accuracy")]
            text = "  ".join(f"{k} {'n/a' if v is None else f'{v:.4f}'}" for k, v in figures)
            print(f"epoch {epoch:4d}  {text}", flush=True)
        print(confusion_text(session.arrays[(0, "confusion")], session.digits))
        if args.draw:
            answer = predict(session, drawing_from_text(Path(args.draw).read_text()))
            probabilities = answer["probabilities"][0]
            best = int(np.argmax(probabilities))
            print(f"drawn digit: {answer['digits'][best]} ({probabilities[best]:.1%})")
        if args.code:
            code = session.code(args.code)
            with open(args.code_out or code["filename"], "w", encoding="utf-8") as file:
                file.write(code["code"])
            print(f"saved the {args.code} script as {args.code_out or code['filename']}")
    print(f"trained {epoch} epochs ({header['state']})")
    if header["state"] == "diverged":
        print("the model diverged: lower the learning rate", file=sys.stderr)
        return 3
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="ws://127.0.0.1:8000/ws", help="the server's /ws")
    parser.add_argument("--epochs", type=int, default=20, help="epochs to train")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds to wait")
    parser.add_argument("--draw", help="a text file with a digit drawn in # characters")
    parser.add_argument("--code", choices=("keras", "jax"), help="also save this script")
    parser.add_argument("--code-out", help="the script's file (default: the server's name)")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=JSON",
        help="a digits setting, e.g. --set digits=[0,1] --set loss='\"sigmoid_ce\"'",
    )
    return reporting(train, parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
