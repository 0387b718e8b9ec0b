"""A plain Python client of nn-playground's websocket (docs/protocol.md): it trains one model
for a number of epochs, printing the losses, and saves the decision boundary as a PNG (and,
with --code keras|jax, the script that trains the same model, written by the server; with
--explain POINT, the next training step taken apart at one weight, then that step applied).

It needs only `websockets` (12+) and `numpy` (`pip install websockets numpy`) and never
imports the server's package: frames are decoded here with struct + json + numpy.

    python examples/client.py --url ws://127.0.0.1:8000/ws --out boundary.png --epochs 200 \
        --dataset spiral --hidden 8,8 --activations relu --set optimizer=adam --set l2=0.001 \
        --code jax --code-out spiral_jax.py --explain 3 --weight 1,0,0

Exit status: 0 trained; 1 no connection, or the server closed it; 2 the server refused
(busy, or an error naming a setting); 3 the model diverged (the picture is still saved).
"""

from __future__ import annotations

import argparse
import json
import struct
import sys
import zlib
from collections.abc import Callable
from typing import Any

import numpy as np
from websockets.exceptions import ConnectionClosed, WebSocketException
from websockets.sync.client import ClientConnection, connect

Message = dict[str, Any]
Arrays = dict[tuple[int, str], np.ndarray]
ORANGE, WHITE, BLUE = (np.array(c, float) for c in ((245, 147, 34), (232, 234, 235), (8, 119, 189)))
PALETTE = np.array([(8, 119, 189), (245, 147, 34), (44, 160, 44), (214, 39, 40), (148, 103, 189)])
OPTIONS: dict[str, Callable[[str], Any]] = {  # setting -> its flag's parser; --set: the rest
    "dataset": str,
    "noise": float,
    "hidden": lambda text: [int(n) for n in text.split(",") if n.strip()],
    "activations": lambda text: text.split(","),
    "learning_rate": float,
    "optimizer": str,
    "seed": int,
}


class RefusedError(Exception):
    """The server said no: busy, or an error message about what we sent."""


def decode_frame(message: bytes) -> tuple[Message, Arrays]:
    """A binary frame: 4-byte little-endian header length, JSON header, then the buffers."""
    (length,) = struct.unpack_from("<I", message)
    header = json.loads(message[4 : 4 + length])
    payload = memoryview(message)[4 + length :]
    arrays = {}
    for buffer in header["buffers"]:
        raw = payload[buffer["offset"] : buffer["offset"] + buffer["length"]]
        array = np.frombuffer(raw, dtype=buffer["dtype"]).reshape(buffer["shape"])
        arrays[(buffer["model"], buffer["name"])] = array
    return header, arrays


class Session:
    """Receives messages, acknowledges every frame and keeps the latest data and frame, and
    counts the changes sent (every accepted message but ack, export and explain)."""

    def __init__(self, websocket: ClientConnection, timeout: float) -> None:
        self.websocket, self.timeout = websocket, timeout
        self.data: Message = {}
        self.arrays: Arrays = {}
        self.revision = 0

    def receive(self) -> Message:
        message = self.websocket.recv(timeout=self.timeout)
        if isinstance(message, bytes):
            header, self.arrays = decode_frame(message)
            self.send({"type": "ack", "frame": header["frame"]})
            return header
        parsed: Message = json.loads(message)
        if parsed["type"] == "busy":
            raise RefusedError(f"the server is busy: {parsed['reason']}")
        if parsed["type"] == "error":
            raise RefusedError(f"the server refused a message: {parsed['message']}")
        if parsed["type"] == "data":
            self.data = parsed
        return parsed

    def send(self, message: Message) -> None:
        self.websocket.send(json.dumps(message))

    def code(self, format_name: str) -> Message:
        """The server's script of the model (an export changes nothing: no frame comes)."""
        self.send({"type": "export", "format": format_name})
        while (message := self.receive())["type"] != "code":
            pass
        return message

    def frame(self, revision: int) -> Message:
        """The first frame that reflects every change up to `revision`."""
        while True:
            message = self.receive()
            if message["type"] == "frame" and message["revision"] >= revision:
                return message

    def change(self, message: Message) -> Message:
        """Send a change (configure, step, apply_step...); the first frame that shows it."""
        self.send(message)
        self.revision += 1
        return self.frame(self.revision)

    def explain(
        self, point: int, layer: int = 0, source: int = 0, unit: int = 0, epsilon: float = 1e-3
    ) -> Message:
        """The next training step taken apart at train point `point` and the weight from
        input `source` (-1: the bias) to unit `unit` of layer `layer` (the last is the output
        layer). It pauses training and changes nothing else: no frame comes. The first
        explain of a server compiles its program (seconds); later ones take milliseconds."""
        weight = {"layer": layer, "source": source, "unit": unit}
        self.send({"type": "explain", "point": point, "weight": weight, "epsilon": epsilon})
        while (message := self.receive())["type"] != "explanation":
            pass
        return message

    def apply_step(self) -> Message:
        """Take the one minibatch step the last explanation showed; its frame (paused)."""
        return self.change({"type": "apply_step"})


def ramp(unit: np.ndarray) -> np.ndarray:
    """0 -> orange, 0.5 -> white, 1 -> blue; (...) floats in [0, 1] -> (..., 3) colours."""
    unit = np.clip(unit, 0.0, 1.0)[..., None]
    low, high = ORANGE + (WHITE - ORANGE) * unit * 2, WHITE + (BLUE - WHITE) * (unit * 2 - 1)
    colours: np.ndarray = np.where(unit < 0.5, low, high)
    return colours


def point_colour(label: float, data: Message) -> np.ndarray:
    problem = data["problem"]
    if problem == "regression":
        low, high = data["target_low"], data["target_high"]
        return ramp(np.array((label - low) / (high - low)))
    if problem == "binary":
        return BLUE if label >= 0.5 else ORANGE
    if problem == "multilabel":  # a bitmask: the mean colour of its labels, grey for none
        chosen = [PALETTE[k] for k in range(data["n_outputs"]) if int(label) >> k & 1]
        mixed: np.ndarray = np.mean(chosen, axis=0) if chosen else np.full(3, 128.0)
        return mixed
    return np.asarray(PALETTE[int(label) % len(PALETTE)], float)


def picture(arrays: Arrays, data: Message, domain: float, scale: int) -> np.ndarray:
    """The boundary, `scale` pixels per grid cell, with train (dark rim) and test points."""
    outputs = arrays[(0, "outputs")] / 255.0  # (n_outputs, side, side), row 0 = top (x2 high)
    if data["problem"] in ("binary", "regression"):
        grid = ramp(outputs[0])
    else:  # palette colour of the most probable class, paler where the model is unsure
        confidence, chance = outputs.max(axis=0), 1.0 / len(outputs)
        weight = np.clip((confidence - chance) / (1.0 - chance), 0.0, 1.0)[..., None]
        grid = WHITE + (PALETTE[outputs.argmax(axis=0) % len(PALETTE)] - WHITE) * weight
    image = np.repeat(np.repeat(grid, scale, axis=0), scale, axis=1)
    height, width, _ = image.shape
    dy, dx = np.mgrid[-3:4, -3:4]
    for rows, rim in ((data["train"], (40.0, 40.0, 40.0)), (data["test"], (255.0, 255.0, 255.0))):
        for x, y, label in rows:
            column = int((x + domain) / (2 * domain) * width)
            row = int((domain - y) / (2 * domain) * height)
            for radius, colour in ((8, rim), (4, point_colour(label, data))):
                inside = dx**2 + dy**2 <= radius
                ys, xs = row + dy[inside], column + dx[inside]
                image[ys.clip(0, height - 1), xs.clip(0, width - 1)] = colour
    return np.round(image).astype(np.uint8)


def write_png(path: str, rgb: np.ndarray) -> None:
    """An 8-bit RGB PNG: signature, IHDR, one zlib IDAT (filter byte 0 per row), IEND."""
    height, width, _ = rgb.shape
    rows = np.hstack([np.zeros((height, 1), np.uint8), rgb.reshape(height, width * 3)])

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body)
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    png = chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows.tobytes(), 9))
    with open(path, "wb") as file:
        file.write(b"\x89PNG\r\n\x1a\n" + png + chunk(b"IEND", b""))


def settings_from(args: argparse.Namespace) -> Message:
    given = {name: getattr(args, name) for name in OPTIONS}
    settings = {name: OPTIONS[name](text) for name, text in given.items() if text is not None}
    for assignment in args.set:
        name, _, text = assignment.partition("=")
        try:
            settings[name] = json.loads(text)
        except json.JSONDecodeError:
            settings[name] = text  # a bare word: --set dataset=xor
    return settings


def explain_one_step(session: Session, point: int, weight: str) -> None:
    """Print the next step taken apart at one weight, then apply it and show the weight."""
    layer, source, unit = (int(n) for n in weight.split(","))
    shown = session.explain(point, layer, source, unit)
    chain, batch, update, nudge = (shown[k] for k in ("chain", "batch", "update", "nudge"))
    x1, x2 = shown["x"]
    print(
        f"explain point {point} (x1 {x1:.4f}, x2 {x2:.4f}, label {shown['output']['label']:g}, "
        f"loss {shown['output']['loss']:.4f}) at epoch {shown['epoch']}, step {shown['step']}"
    )
    factors = " x ".join(f"{f['name']} ({f['value']:.6g})" for f in chain["factors"])
    print(f"{shown['weight_name']} = {update['before']:.6g}")
    print(f"chain rule: dL/dw = {factors} = {chain['product']:.6g}")
    print(
        f"batch {batch['number']} of {batch['of']}: mean of {len(batch['points'])} point "
        f"gradients {batch['mean']:.6g}, + L1/L2 {batch['penalty'] + 0.0:.6g} = dJ/dw "
        f"{batch['gradient']:.6g}"
    )
    print(
        f"update ({update['optimizer']}, learning rate {update['learning_rate']:.6g}): "
        f"direction {update['direction']:.6g}, {update['before']:.6g} -> {update['after']:.6g}"
    )
    print(
        f"nudge by {nudge['epsilon']:g}: J {nudge['cost']:.6g} -> {nudge['nudged_cost']:.6g}, "
        f"slope {nudge['slope']:.6g} (dJ/dw {nudge['gradient']:.6g})"
    )
    header = session.apply_step()
    name = f"biases.{layer}" if source < 0 else f"weights.{layer}"
    now = session.arrays[(0, name)][unit] if source < 0 else session.arrays[(0, name)][source, unit]
    agrees = "as explained" if float(now) == update["after"] else f"not {update['after']!r}"
    print(
        f"applied the step: step {header['models'][0]['step']}, the weight is {now:.6g} ({agrees})"
    )


def train(args: argparse.Namespace) -> int:
    with connect(args.url, max_size=None, compression=None, open_timeout=args.timeout) as ws:
        session = Session(ws, args.timeout)
        ready = session.receive()
        if ready["type"] != "ready":
            raise RefusedError(f"expected a ready message, received {ready['type']}")
        if settings := settings_from(args):
            header = session.change({"type": "configure", "settings": settings})
        else:
            header = session.frame(0)
        epoch, chunk = 0, min(args.epochs_per_step, ready["limits"]["max_step_epochs"])
        while epoch < args.epochs and header["state"] not in ("diverged", "stopped_early"):
            header = session.change({"type": "step", "epochs": min(chunk, args.epochs - epoch)})
            model = header["models"][0]
            epoch = model["epoch"]
            figures = {"train loss": model["train_loss"], "test loss": model["test_loss"]}
            if model["test_accuracy"] is not None:  # null for regression
                figures["test accuracy"] = model["test_accuracy"]
            text = "  ".join(
                f"{k} {'n/a' if v is None else f'{v:.4f}'}" for k, v in figures.items()
            )
            print(f"epoch {epoch:4d}  {text}", flush=True)  # n/a: a non-finite loss
        image = picture(session.arrays, session.data, ready["limits"]["domain"], args.scale)
        if args.code:
            code = session.code(args.code)
            with open(args.code_out or code["filename"], "w", encoding="utf-8") as file:
                file.write(code["code"])
            print(f"saved the {args.code} script as {args.code_out or code['filename']}")
        if args.explain is not None and header["state"] != "diverged":
            explain_one_step(session, args.explain, args.weight)
    write_png(args.out, image)
    size = f"{image.shape[1]}x{image.shape[0]}"
    print(f"trained {epoch} epochs ({header['state']}); saved {args.out} ({size})")
    if header["state"] == "diverged":
        print("the model diverged: lower the learning rate", file=sys.stderr)
        return 3
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="ws://127.0.0.1:8000/ws", help="the server's /ws")
    parser.add_argument("--out", default="boundary.png", help="PNG file to write")
    parser.add_argument("--epochs", type=int, default=200, help="epochs to train")
    parser.add_argument("--epochs-per-step", type=int, default=20, help="epochs per frame")
    parser.add_argument("--scale", type=int, default=3, help="pixels per grid cell")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds to wait")
    parser.add_argument("--code", choices=("keras", "jax"), help="also save this script")
    parser.add_argument("--code-out", help="the script's file (default: the server's name)")
    parser.add_argument(
        "--explain",
        type=int,
        metavar="POINT",
        help="after training, take the next step apart at this train point, then apply it",
    )
    parser.add_argument(
        "--weight",
        default="0,0,0",
        metavar="LAYER,SOURCE,UNIT",
        help="the weight --explain follows: layer (0 = first hidden, last = output), its "
        "input (-1 = the bias) and its unit (default 0,0,0)",
    )
    for name in OPTIONS:
        parser.add_argument("--" + name.replace("_", "-"), help=f"setting {name} (lists: a,b)")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=JSON",
        help="any other setting, e.g. --set l2=0.001 (repeatable)",
    )
    return reporting(train, parser.parse_args(argv))


def reporting(train: Callable[[argparse.Namespace], int], args: argparse.Namespace) -> int:
    """`train(args)`'s exit status, or a problem's, said in one line on stderr."""
    try:
        return train(args)
    except RefusedError as refused:
        problem, status = str(refused), 2
    except ConnectionClosed as closed:
        code, reason = (closed.rcvd.code, closed.rcvd.reason) if closed.rcvd else (1006, "")
        problem, status = f"the server closed the connection: {code} {reason}", 1
    except TimeoutError:
        problem, status = f"no answer from {args.url} in {args.timeout:g} s", 1
    except (OSError, WebSocketException) as error:
        problem, status = f"cannot connect to {args.url}: {error}", 1
    print(f"error: {problem}", file=sys.stderr)
    return status


if __name__ == "__main__":
    sys.exit(main())
