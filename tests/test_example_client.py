"""examples/client.py against a real server, and docs/protocol.md against protocol.py: every
message type has a section, every JSON example is a valid message (every client example is
accepted by a live server) and the generated settings tables are current."""

from __future__ import annotations

import importlib.util
import json
import re
import struct
import subprocess
import sys
import time
import urllib.request
import zlib
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Annotated, Any, get_args

import numpy as np
import pytest
from pydantic import Field, TypeAdapter
from websockets.sync.client import ClientConnection, connect

from nn_playground import digits_protocol, protocol
from nn_playground.edge.app import Health
from nn_playground.engine import limits
from tests.live_server import LiveServer, free_port, run_server

ROOT = Path(__file__).resolve().parent.parent
CLIENT = ROOT / "examples" / "client.py"
DIGITS_CLIENT = ROOT / "examples" / "digits_client.py"
DOC = ROOT / "docs" / "protocol.md"
TABLES = ROOT / "scripts" / "protocol_tables.py"
JSON_BLOCK = re.compile(r"^```json\n(.*?)^```$", re.MULTILINE | re.DOTALL)
DIGITS_JSON_BLOCK = re.compile(r"^```json digits\n(.*?)^```$", re.MULTILINE | re.DOTALL)
TIMEOUT = 120.0  # seconds for one message: a cold server compiles its programs first


def message_types(union: Any) -> list[str]:
    """The `type` tags of a discriminated union of message models."""
    members = get_args(get_args(union)[0])
    return [get_args(model.model_fields["type"].annotation)[0] for model in members]


CLIENT_TYPES = message_types(protocol.ClientMessage)
SERVER_TYPES = [*message_types(protocol.ServerMessage), "frame"]


def json_examples() -> list[tuple[str, dict[str, Any]]]:
    """Every ```json block of the protocol document: its text and its parsed value."""
    blocks = JSON_BLOCK.findall(DOC.read_text(encoding="utf-8"))
    return [(block, json.loads(block)) for block in blocks]


@pytest.fixture(scope="module")
def server() -> Iterator[LiveServer]:
    # One session at a time, so that one open connection makes the server busy.
    with run_server("--max-sessions", "1") as live:
        yield live


def ws_url(server: LiveServer) -> str:
    return server.url.replace("http://", "ws://", 1) + "ws"


def wait_for_free_slot(server: LiveServer) -> None:
    """A closed session gives its slot back a moment after the client has left."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with urllib.request.urlopen(server.url + "healthz", timeout=10) as response:
            if Health.model_validate_json(response.read()).sessions == 0:
                return
        time.sleep(0.05)
    raise AssertionError("the previous session still holds the server's only slot")


def run_client(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, str(CLIENT), "--timeout", str(TIMEOUT), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=280, check=False)


def read_png(path: Path) -> np.ndarray:
    """(height, width, 3) uint8 pixels of an 8-bit RGB PNG, checking every chunk's CRC."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, at = [], 8
    while at < len(data):
        (length,) = struct.unpack_from(">I", data, at)
        kind, body = data[at + 4 : at + 8], data[at + 8 : at + 8 + length]
        assert struct.unpack_from(">I", data, at + 8 + length)[0] == zlib.crc32(kind + body)
        chunks.append((kind, body))
        at += 12 + length
    assert chunks[0][0] == b"IHDR"
    assert chunks[-1] == (b"IEND", b"")
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", chunks[0][1])
    assert (depth, colour, interlace) == (8, 2, 0)
    raw = zlib.decompress(b"".join(body for kind, body in chunks if kind == b"IDAT"))
    rows = np.frombuffer(raw, np.uint8).reshape(height, 1 + 3 * width)
    assert not rows[:, 0].any(), "the example writes every row unfiltered"
    return rows[:, 1:].reshape(height, width, 3)


def test_client_trains_200_epochs_and_saves_the_boundary(
    server: LiveServer, tmp_path: Path
) -> None:
    out = tmp_path / "boundary.png"
    wait_for_free_slot(server)
    result = run_client("--url", ws_url(server), "--out", str(out), "--epochs", "200")
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"^epoch\s+200\s+train loss \d", result.stdout, re.MULTILINE)
    assert "trained 200 epochs" in result.stdout
    pixels = read_png(out)
    side = 3 * limits.OUTPUT_GRID  # --scale 3 pixels per grid cell, the default
    assert pixels.shape == (side, side, 3)
    assert len(np.unique(pixels.reshape(-1, 3), axis=0)) > 100
    # The default circle dataset: class 1 (blue) inside, class 0 (orange) in the corners.
    near_middle = slice(side // 2 - 20, side // 2 + 20)
    centre = pixels[near_middle, near_middle].reshape(-1, 3).mean(axis=0)
    corner = pixels[:30, :30].reshape(-1, 3).mean(axis=0)
    assert centre[2] > centre[0] + 50, centre
    assert corner[0] > corner[2] + 50, corner


def test_client_saves_a_jax_script_that_replays_its_run(server: LiveServer, tmp_path: Path) -> None:
    """The exported script, run on its own, ends where the server's 20 epochs ended."""
    script = tmp_path / "circle.py"
    wait_for_free_slot(server)
    result = run_client(
        "--url", ws_url(server), "--out", str(tmp_path / "b.png"), "--epochs", "20",
        "--code", "jax", "--code-out", str(script),
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"saved the jax script as {script}" in result.stdout
    served = re.findall(r"^epoch\s+20\s+train loss (\S+)", result.stdout, re.MULTILINE)
    replayed = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=280, check=True
    ).stdout
    (train_loss,) = re.findall(r"^result epochs=20 train_loss=(\S+) ", replayed, re.MULTILINE)
    assert abs(float(train_loss) - float(served[0])) <= 1e-4  # the client prints 4 decimals


def test_client_explains_a_step_and_applies_it(server: LiveServer, tmp_path: Path) -> None:
    """--explain after 20 epochs of the default network (250 train points, batches of 10):
    the step is the first of epoch 20, and applying it leaves the weight it showed."""
    wait_for_free_slot(server)
    result = run_client(
        "--url", ws_url(server), "--out", str(tmp_path / "e.png"), "--epochs", "20",
        "--explain", "3", "--weight", "1,0,0",
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("explain point 3 "))
    head, weight, chain, batch, update, nudge, applied = lines[start : start + 7]
    assert head.endswith("at epoch 20, step 500")
    assert weight.startswith("weight h1.1 -> unit 1 of the layer 2 = ")
    factors = re.findall(r"\(([^()]+)\)(?= x |\s=)", chain)
    assert chain.startswith("chain rule: dL/dw = dL/da ("), chain
    assert len(factors) == 3, chain
    product = float(chain.rsplit("= ", 1)[1])
    assert np.prod([float(f) for f in factors]) == pytest.approx(product, rel=1e-4, abs=1e-9)
    assert re.match(r"batch 1 of 25: mean of 10 point gradients \S+, \+ L1/L2 0 = dJ/dw ", batch)
    assert update.startswith("update (sgd, learning rate 0.03): direction ")
    slope, gradient = re.findall(r"slope (\S+) \(dJ/dw (\S+)\)", nudge)[0]
    assert float(slope) == pytest.approx(float(gradient), rel=0.1, abs=1e-3)
    assert re.match(r"applied the step: step 501, the weight is \S+ \(as explained\)$", applied)


def test_digits_client_trains_prints_the_confusion_matrix_and_reads_a_drawn_one(
    server: LiveServer, tmp_path: Path
) -> None:
    wait_for_free_slot(server)
    one = tmp_path / "one.txt"
    one.write_text("..#..\n" * 5)
    command = [sys.executable, str(DIGITS_CLIENT), "--timeout", str(TIMEOUT), "--url"]
    command += [ws_url(server), "--epochs", "20", "--draw", str(one)]
    command += ["--code", "keras", "--code-out", str(tmp_path / "digits.py")]
    result = subprocess.run(command, capture_output=True, text=True, timeout=280, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[3].startswith("epoch   20  ")
    accuracy = float(lines[3].rsplit(" ", 1)[1])
    matrix = [[int(n) for n in line.split()[1:]] for line in lines[5:15]]
    assert sum(map(sum, matrix)) == 360  # every test image, once
    assert sum(matrix[d][d] for d in range(10)) == round(accuracy * 360)
    assert "drawn digit: 1 (" in result.stdout
    assert "keras" in (tmp_path / "digits.py").read_text()
    wait_for_free_slot(server)
    refused = subprocess.run(
        [*command[:6], "--epochs", "1", "--set", 'loss="sigmoid_ce"'],
        capture_output=True,
        text=True,
        timeout=280,
        check=False,
    )
    assert refused.returncode == 2
    assert "settings.loss" in refused.stderr


def test_client_fails_clearly_when_the_server_is_busy(server: LiveServer, tmp_path: Path) -> None:
    wait_for_free_slot(server)
    with connect(ws_url(server), max_size=None) as holder:
        assert json.loads(holder.recv(timeout=TIMEOUT))["type"] == "ready"
        result = run_client("--url", ws_url(server), "--out", str(tmp_path / "busy.png"))
    assert result.returncode == 2, result.stdout + result.stderr
    assert "error: the server is busy" in result.stderr
    assert not (tmp_path / "busy.png").exists()


def test_client_fails_clearly_on_a_refused_setting(server: LiveServer, tmp_path: Path) -> None:
    wait_for_free_slot(server)
    result = run_client(
        "--url", ws_url(server), "--out", str(tmp_path / "x.png"), "--set", "hidden=[99]"
    )
    assert result.returncode == 2, result.stdout + result.stderr
    assert "settings.hidden.0" in result.stderr


def test_client_fails_clearly_without_a_server(tmp_path: Path) -> None:
    url = f"ws://127.0.0.1:{free_port()}/ws"
    result = run_client("--url", url, "--out", str(tmp_path / "x.png"))
    assert result.returncode == 1
    assert f"error: cannot connect to {url}" in result.stderr


def test_docs_have_a_section_for_every_message_type() -> None:
    headings = re.findall(r"^#{2,4} .*$", DOC.read_text(encoding="utf-8"), re.MULTILINE)
    for name in CLIENT_TYPES + SERVER_TYPES:
        assert any(f"`{name}`" in heading for heading in headings), f"no section for {name}"


def load_tables() -> ModuleType:
    spec = importlib.util.spec_from_file_location("protocol_tables", TABLES)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_docs_settings_tables_match_protocol() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert load_tables().updated(text) == text, "run python scripts/protocol_tables.py --write"
    for name in protocol.Settings.model_fields:
        assert f"| `{name}` |" in text


def test_docs_json_examples_are_valid_messages() -> None:
    seen = set()
    for text, example in json_examples():  # validated from JSON text, as the server does
        kind = example.get("type")
        if kind in CLIENT_TYPES:
            protocol.CLIENT_MESSAGE.validate_json(text)
        elif kind == "frame":
            protocol.FrameHeader.model_validate_json(text)
        elif kind is not None:
            protocol.SERVER_MESSAGE.validate_json(text)
        else:
            Health.model_validate_json(text)
        seen.add(kind)
    assert set(CLIENT_TYPES + SERVER_TYPES) - {"error", "busy"} <= seen


def test_docs_digits_examples_are_valid_digits_messages() -> None:
    answers = TypeAdapter(
        Annotated[
            digits_protocol.DigitsReady
            | digits_protocol.DigitsApplied
            | digits_protocol.ShownDigits
            | digits_protocol.Prediction,
            Field(discriminator="type"),
        ]
    )
    text = DOC.read_text(encoding="utf-8")
    seen = set()
    for block in DIGITS_JSON_BLOCK.findall(text):
        kind = json.loads(block)["type"]
        if kind == "frame":
            digits_protocol.DigitsFrameHeader.model_validate_json(block)
        elif kind in message_types(digits_protocol.DigitsClientMessage):
            digits_protocol.DIGITS_CLIENT_MESSAGE.validate_json(block)
        else:
            answers.validate_json(block)
        seen.add(kind)
    assert {"configure", "predict", "prediction", "digits", "frame"} <= seen
    headings = re.findall(r"^#{2,4} .*$", text, re.MULTILINE)
    for name in ("predict", "prediction", "digits"):
        assert any(f"`{name}`" in heading for heading in headings), f"no section for {name}"
    for name in digits_protocol.DigitsSettings.model_fields:
        assert f"| `{name}` |" in text


def receive_until_revision(websocket: ClientConnection, revision: int) -> None:
    """Acknowledge frames until one reflects `revision` changes; no error may come."""
    while True:
        message = websocket.recv(timeout=TIMEOUT)
        if isinstance(message, str):
            assert json.loads(message)["type"] != "error", message
            continue
        (length,) = struct.unpack_from("<I", message)
        header = protocol.FrameHeader.model_validate_json(message[4 : 4 + length])
        websocket.send(json.dumps({"type": "ack", "frame": header.frame}))
        if header.revision >= revision:
            return


# Client messages that change nothing, and the message that answers each.
ANSWERED: dict[str, type[protocol.Code | protocol.Explanation]] = {
    "export": protocol.Code,
    "explain": protocol.Explanation,
}


def receive_answer(
    websocket: ClientConnection, kind: type[protocol.Code | protocol.Explanation]
) -> protocol.Code | protocol.Explanation:
    """Acknowledge frames until a message of `kind`; no error may come."""
    while True:
        message = websocket.recv(timeout=TIMEOUT)
        if isinstance(message, bytes):
            (length,) = struct.unpack_from("<I", message)
            header = protocol.FrameHeader.model_validate_json(message[4 : 4 + length])
            websocket.send(json.dumps({"type": "ack", "frame": header.frame}))
            continue
        reply = protocol.SERVER_MESSAGE.validate_json(message)
        assert not isinstance(reply, protocol.Error), message
        if isinstance(reply, kind):
            return reply


def test_docs_client_examples_are_accepted_by_a_live_server(server: LiveServer) -> None:
    examples = [example for _, example in json_examples() if example.get("type") in CLIENT_TYPES]
    assert {example["type"] for example in examples} == set(CLIENT_TYPES)
    wait_for_free_slot(server)
    with connect(ws_url(server), max_size=None) as websocket:
        assert json.loads(websocket.recv(timeout=TIMEOUT))["type"] == "ready"
        receive_until_revision(websocket, 0)
        revision = 0
        for example in examples:
            websocket.send(json.dumps(example))
            if example["type"] in ANSWERED:  # answered by a message, no frame
                receive_answer(websocket, ANSWERED[example["type"]])
            elif example["type"] != "ack":  # an ack changes nothing and causes no frame
                revision += 1
                receive_until_revision(websocket, revision)
