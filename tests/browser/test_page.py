"""The page in a real browser against a real server: frames arrive and are drawn, controls
change what the server trains, the keyboard works, and divergence is explained and fixed."""

from __future__ import annotations

import base64
import json
import re
import struct
from typing import Any

import httpx2 as httpx
import numpy as np
import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.browser.conftest import checked_page, save_screenshot
from tests.live_server import LiveServer

pytestmark = pytest.mark.browser

FRAME_TIMEOUT_MS = 240_000  # a cold server compiles its programs before the first frames


def _frames(page: Page) -> int:
    return int(page.evaluate("Number(window.nnPlayground?.frames || 0)"))


def _wait_for_frames(page: Page, after: int, count: int = 1) -> None:
    """Wait until `count` frames have arrived since the page had received `after` (read
    before the action whose frames are awaited: a fast frame must not be missed)."""
    page.wait_for_function(
        f"Number(window.nnPlayground?.frames || 0) >= {after + count}", timeout=FRAME_TIMEOUT_MS
    )


# The page's canvases are painted by its drawing worker (OffscreenCanvas), so their pixels are
# read as the screen shows them: a screenshot of the element, decoded by the browser.
SHOWN_RGBA = """async (png) => {
  const bytes = Uint8Array.from(atob(png), (c) => c.charCodeAt(0));
  const bitmap = await createImageBitmap(new Blob([bytes], { type: "image/png" }));
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const context = canvas.getContext("2d");
  context.drawImage(bitmap, 0, 0);
  const data = context.getImageData(0, 0, bitmap.width, bitmap.height).data;
  let text = "";
  for (let i = 0; i < data.length; i += 8192) {
    text += String.fromCharCode(...data.subarray(i, i + 8192));
  }
  return btoa(text);
}"""


def _shown_rgb(element: Locator) -> np.ndarray:
    """The element as shown on screen: (pixels, 3) uint8 RGB."""
    png = base64.b64encode(element.screenshot(animations="disabled")).decode()
    rgba = np.frombuffer(base64.b64decode(element.page.evaluate(SHOWN_RGBA, png)), np.uint8)
    return rgba.reshape(-1, 4)[:, :3]


def _boundary_pixels(page: Page) -> list[int]:
    """A coarse sample of the decision boundary as shown."""
    return [int(value) for value in _shown_rgb(page.locator("#boundary"))[::997].ravel()]


def _open(page: Page, url: str) -> None:
    """Open the page at `url` and wait for its first frame."""
    page.goto(url)
    page.wait_for_function(
        "Number(window.nnPlayground?.frames || 0) >= 1", timeout=FRAME_TIMEOUT_MS
    )


def test_frames_arrive_and_training_changes_the_picture(
    page: Page, live_server: LiveServer
) -> None:
    _open(page, live_server.url)
    expect(page.locator("#state")).to_have_text("idle")
    # What the server chose for the default network, from the session's first message.
    expect(page.locator("#trained-as")).to_have_text(
        "Trains with cross entropy (sigmoid ce), sigmoid output."
    )
    untrained = _boundary_pixels(page)
    assert len(set(untrained)) > 10  # a real picture, not a blank canvas
    page.locator("#speed").fill("20")
    page.locator("h1").click()  # keys typed into a control belong to it, not to the page
    page.keyboard.press("Space")  # the page's shortcut for play
    expect(page.locator("#state")).to_have_text("running")
    page.wait_for_function(
        "Number(document.getElementById('epoch').textContent) >= 100", timeout=FRAME_TIMEOUT_MS
    )
    page.keyboard.press("Space")
    expect(page.locator("#state")).to_have_text("paused")
    page.keyboard.press("s")
    expect(page.locator("#state")).to_have_text("paused")
    assert _boundary_pixels(page) != untrained
    assert float(page.locator("#test-accuracy").inner_text()) > 0.6
    assert save_screenshot(page, "page-trained").stat().st_size > 0


def test_model_controls_reach_the_server(page: Page, live_server: LiveServer) -> None:
    _open(page, live_server.url)
    hidden = page.locator('[data-param="hidden"]')
    hidden.fill("3, 5, 2")
    hidden.press("Enter")
    # The next frames draw the new architecture: 2 features, then 3, 5 and 2 neurons.
    expect(page.locator("#network .layer")).to_have_count(4, timeout=FRAME_TIMEOUT_MS)
    expect(page.locator("#network .layer").nth(2).locator(".thumb")).to_have_count(5)
    page.locator('[data-param="features"][value="x1^2"]').check()
    expect(page.locator("#network .layer").first.locator(".thumb")).to_have_count(
        3, timeout=FRAME_TIMEOUT_MS
    )
    # A value out of bounds is refused by the server, which says why; the control shows the
    # layers still in effect.
    hidden.fill("3, 99")
    hidden.press("Enter")
    expect(page.locator("#notice")).to_contain_text("Not applied: settings.hidden.1")
    expect(page.locator("#notice")).to_contain_text("less than or equal to 16")
    expect(hidden).to_have_value("3, 5, 2")
    before = _frames(page)
    page.locator('[data-param="dataset"]').select_option("xor")
    _wait_for_frames(page, before)
    backend = httpx.get(live_server.url + "healthz", timeout=10).json()
    assert backend["sessions"] >= 1


def test_layers_are_edited_one_by_one(page: Page, live_server: LiveServer) -> None:
    """Buttons add and remove layers and neurons; each layer has its own activation; an
    optimizer's own parameters show only when it is chosen."""
    _open(page, live_server.url)
    network = page.locator("#network .layer")
    page.get_by_role("button", name="more neurons in layer 2").click()
    expect(page.locator('[data-param="hidden"]')).to_have_value("4, 3")
    expect(network.nth(2).locator(".thumb")).to_have_count(3, timeout=FRAME_TIMEOUT_MS)
    page.get_by_role("button", name="Add a layer").click()
    expect(network).to_have_count(4, timeout=FRAME_TIMEOUT_MS)  # the inputs and 3 layers
    page.get_by_label("activation of layer 3").select_option("relu")
    expect(page).to_have_url(re.compile(r"activations=tanh,tanh,relu"))
    page.get_by_role("button", name="Remove the last layer").click()
    expect(network).to_have_count(3, timeout=FRAME_TIMEOUT_MS)
    # The limit disables the button rather than sending a change the server refuses.
    for _ in range(12):  # 4 to 16 neurons, the limit
        page.get_by_role("button", name="more neurons in layer 1").click()
    expect(page.get_by_role("button", name="more neurons in layer 1")).to_be_disabled()
    expect(page.locator('[data-param="hidden"]')).to_have_value("16, 3")

    beta1 = page.get_by_label("β1")
    expect(beta1).to_be_hidden()
    page.locator('[data-param="optimizer"]').select_option("adam")
    expect(beta1).to_be_visible()
    before = _frames(page)
    beta1.fill("0.5")
    _wait_for_frames(page, before)
    expect(page).to_have_url(re.compile(r"beta1=0\.5"))
    expect(page.get_by_label("Momentum", exact=True)).to_be_hidden()


def test_divergence_shows_a_banner_and_recovers(page: Page, live_server: LiveServer) -> None:
    _open(page, live_server.url)
    page.locator('[data-param="dataset"]').select_option("spiral")
    page.locator('[data-param="activations"]').select_option("linear")
    hidden = page.locator('[data-param="hidden"]')
    hidden.fill("8, 8")
    hidden.press("Enter")
    page.locator('[data-param="learning_rate"]').fill("1")  # the log slider's top: 10
    expect(page.locator('[data-show="learning_rate"]')).to_have_text("10")
    page.locator("#play").click()
    banner = page.locator("#banner")
    expect(banner).to_be_visible(timeout=FRAME_TIMEOUT_MS)
    expect(banner).to_contain_text("learning rate is too large")
    assert save_screenshot(page, "page-diverged").stat().st_size > 0
    # "Lower the learning rate" divides it by ten and lifts the halt; a lower rate still
    # trains on from the last good weights.
    page.locator("#lower-rate").click()
    expect(page.locator('[data-show="learning_rate"]')).to_have_text("1")
    page.locator('[data-param="learning_rate"]').fill("0.5")  # 0.01 on the log slider
    expect(page.locator('[data-show="learning_rate"]')).to_have_text("0.01")
    # The session was playing when it diverged: with the halt lifted it trains on.
    expect(page.locator("#state")).to_have_text("running", timeout=FRAME_TIMEOUT_MS)
    page.wait_for_function(
        "Number(document.getElementById('epoch').textContent) >= 3", timeout=FRAME_TIMEOUT_MS
    )
    expect(banner).to_be_hidden()


def test_a_link_reproduces_the_run(page: Page, live_server: LiveServer) -> None:
    """Every control's state is in the URL hash: opening the copied link restores it, and
    the server trains what the link says."""
    link = "#dataset=xor&hidden=8,8&activations=relu&learning_rate=0.1&optimizer=adam&seed=7"
    _open(page, live_server.url + link + "&speed=5")
    expect(page.locator('[data-param="dataset"]')).to_have_value("xor")
    expect(page.locator('[data-param="hidden"]')).to_have_value("8, 8")
    expect(page.locator('[data-param="activations"]')).to_have_value("relu")
    expect(page.locator('[data-param="optimizer"]')).to_have_value("adam")
    expect(page.locator('[data-param="seed"]')).to_have_value("7")
    expect(page.locator('[data-show="learning_rate"]')).to_have_text("0.1")
    expect(page.locator("#speed-value")).to_have_text("5")
    # The frames come from the linked network: two hidden layers of eight.
    expect(page.locator("#network .layer")).to_have_count(3, timeout=FRAME_TIMEOUT_MS)
    expect(page.locator("#network .layer").nth(1).locator(".thumb")).to_have_count(8)

    page.locator('[data-param="l2"]').fill("0.01")
    page.locator('[data-param="early_stopping"]').check()
    # The link changes with the server's answer: it holds the settings applied.
    expect(page).to_have_url(re.compile(r"l2=0\.01.*early_stopping=true"))
    copied = page.url
    page.goto("about:blank")
    _open(page, copied)
    expect(page.locator('[data-param="l2"]')).to_have_value("0.01")
    expect(page.locator('[data-param="early_stopping"]')).to_be_checked()
    expect(page.locator('[data-param="hidden"]')).to_have_value("8, 8")


def test_a_refused_change_is_explained_and_undone(page: Page, live_server: LiveServer) -> None:
    """The perceptron needs a network without hidden layers: the server refuses it, the
    page says why and shows the loss that is still in effect."""
    _open(page, live_server.url)
    page.locator('[data-param="loss"]').select_option("perceptron")
    expect(page.locator("#notice")).to_contain_text("Not applied")
    expect(page.locator('[data-param="loss"]')).to_have_value("cross_entropy")
    hidden = page.locator('[data-param="hidden"]')
    hidden.fill("")
    hidden.press("Enter")
    expect(page.locator("#network .layer")).to_have_count(1, timeout=FRAME_TIMEOUT_MS)
    before = _frames(page)
    page.locator('[data-param="loss"]').select_option("perceptron")
    _wait_for_frames(page, before)
    expect(page.locator('[data-param="loss"]')).to_have_value("perceptron")


def test_the_page_shows_the_settings_the_server_applied(
    page: Page, live_server: LiveServer
) -> None:
    """The server normalises what it is sent (lists fitted to the depth, the loss a problem
    trains with) or refuses it; the controls, the layer editor and the link show its answer."""
    _open(page, live_server.url + "#hidden=3&activations=relu,sigmoid,tanh&dropout=0.1,0.2,0.3")
    expect(page.locator('[data-param="hidden"]')).to_have_value("3")
    # One layer: the server kept the first entry of each list, and the page shows that.
    expect(page.locator(".layer-row")).to_have_count(1)
    expect(page.get_by_label("activation of layer 1")).to_have_value("relu")
    expect(page.get_by_label("dropout of layer 1")).to_have_value("0.1")
    expect(page).to_have_url(re.compile(r"activations=relu(&|$)"))
    expect(page).to_have_url(re.compile(r"dropout=0\.1(&|$)"))
    trained_as = page.locator("#trained-as")
    expect(trained_as).to_contain_text("cross entropy (sigmoid ce), sigmoid output")

    # Regression trains with mean squared error whatever the loss control says.
    page.locator('[data-param="dataset"]').select_option("plane")
    expect(trained_as).to_contain_text("mse (linear mse), linear output")
    expect(page.locator('[data-param="loss"]')).to_have_value("cross_entropy")

    # An out-of-range value is refused by the server: the control shows the one in effect.
    batch = page.locator('[data-param="batch_size"]')
    batch.fill("0")
    expect(page.locator("#notice")).to_contain_text("Not applied: settings.batch_size")
    expect(batch).to_have_value("10")
    assert "batch_size" not in page.url
    save_screenshot(page, "page-settings-applied")


def test_drawing_points_makes_the_data(page: Page, live_server: LiveServer) -> None:
    _open(page, live_server.url)
    page.locator("#clear-points").click()
    expect(page.locator("#edit-points")).to_be_checked()
    canvas = page.locator("#boundary")
    box = canvas.bounding_box()
    assert box is not None
    spots = [(0.25, 0.25, "0"), (0.3, 0.7, "0"), (0.75, 0.3, "1"), (0.7, 0.75, "1")]
    for fx, fy, label in spots:
        page.locator("#point-label").fill(label)
        canvas.click(position={"x": box["width"] * fx, "y": box["height"] * fy})
    # The first click leaves one point (too few to train on); from the second on, each
    # click sends the points and the server answers with the new data.
    page.wait_for_function("document.body.dataset.points === '4'", timeout=FRAME_TIMEOUT_MS)
    expect(page.locator('[data-param="dataset"]')).to_have_value("custom")
    first = {"x": box["width"] * 0.25, "y": box["height"] * 0.25}
    canvas.click(position=first, modifiers=["Shift"])
    page.wait_for_function("document.body.dataset.points === '3'", timeout=FRAME_TIMEOUT_MS)
    assert "dataset" not in page.url  # user points cannot travel in a link


def test_a_bad_csv_is_refused_line_by_line(page: Page, live_server: LiveServer) -> None:
    _open(page, live_server.url)
    points_before = page.evaluate("document.body.dataset.points")
    bad = "x,y,label\n1,2,0\n3,9,1\n0.5,0.5,2\n"
    page.locator("#upload-csv").set_input_files(
        files=[{"name": "bad.csv", "mimeType": "text/csv", "buffer": bad.encode()}]
    )
    expect(page.locator("#notice")).to_contain_text("line 3")
    expect(page.locator("#notice")).to_contain_text("line 4")
    assert page.evaluate("document.body.dataset.points") == points_before
    good = "x,y,label\n1,2,0\n3,4,1\n-2,-2,0\n-3,1,1\n"
    page.locator("#upload-csv").set_input_files(
        files=[{"name": "good.csv", "mimeType": "text/csv", "buffer": good.encode()}]
    )
    page.wait_for_function("document.body.dataset.points === '4'", timeout=FRAME_TIMEOUT_MS)


def test_show_code_gives_the_servers_keras_and_jax_scripts(
    page: Page, live_server: LiveServer
) -> None:
    """The dialog shows the scripts the server writes for the session: its dataset, its
    points embedded, the Keras model and the JAX replay of the engine's shuffles."""
    _open(page, live_server.url)
    page.locator("#show-code").click()
    code = page.locator("#code-dialog code")
    expect(code).to_contain_text('# Points of "circle" (500 points')
    expect(code).to_contain_text("TRAIN_POINTS = np.array(")
    expect(code).to_contain_text("keras.Sequential")
    expect(code).to_contain_text("from_logits=True")
    page.locator('#code-dialog [data-code="jax"]').click()
    expect(code).to_contain_text("optax.sgd(0.03)")
    expect(code).to_contain_text("def permutation(seed, n):")
    expect(code).to_contain_text('# Points of "circle" (500 points')
    with page.expect_download() as script_download:
        page.locator('#code-dialog [data-code="download"]').click()
    assert script_download.value.suggested_filename == "nn_playground_circle_jax.py"
    assert "INITIAL_PARAMS = [" in script_download.value.path().read_text()
    save_screenshot(page, "page-code")


def test_downloads_give_the_picture_and_the_weights(page: Page, live_server: LiveServer) -> None:
    """Download PNG gives the boundary as the drawing worker painted it; Download weights
    gives the exact weights of the default network (2 inputs, 4 and 2 neurons, 1 output)."""
    _open(page, live_server.url)
    with page.expect_download() as png_download:
        page.locator("#download-png").click()
    png_path = png_download.value.path()
    png = png_path.read_bytes()
    assert png_download.value.suggested_filename == "boundary.png"
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = struct.unpack(">II", png[16:24])  # the IHDR chunk
    shown = page.locator("#boundary").evaluate("(canvas) => canvas.clientWidth")
    assert width == height == shown  # the page's device pixel ratio is 1
    with page.expect_download() as weights_download:
        page.locator("#download-weights").click()
    document = json.loads(weights_download.value.path().read_text())
    shapes = [(len(layer["weights"]), len(layer["weights"][0])) for layer in document["layers"]]
    assert shapes == [(2, 4), (4, 2), (2, 1)]
    assert document["hidden"] == [4, 2]


def test_compare_mode_trains_variants_side_by_side(page: Page, live_server: LiveServer) -> None:
    _open(page, live_server.url)
    card = page.locator("#compare")
    card.locator('[data-action="add"]').click()  # "the same, but activations = sigmoid"
    card.locator('[data-action="compare"]').click()
    boundaries = card.locator(".compare-grid canvas")
    expect(boundaries).to_have_count(2, timeout=FRAME_TIMEOUT_MS)
    expect(card.locator("figcaption").nth(1)).to_contain_text("activations = sigmoid")
    assert "compare=" in page.url
    page.locator("#play").click()
    page.wait_for_function(
        "Number(document.getElementById('epoch').textContent) >= 5", timeout=FRAME_TIMEOUT_MS
    )
    save_screenshot(page, "page-compare")
    # The gradient chart follows one compared model at a time, chosen by the learner.
    choice = page.locator("#gradient-model")
    expect(choice.locator("option")).to_have_count(2)
    choice.select_option("1")
    before = _frames(page)
    _wait_for_frames(page, before, 2)
    expect(page.locator("#gradient-chart .u-legend")).to_contain_text("layer 1")
    card.locator('[data-action="seeds"]').click()
    expect(boundaries).to_have_count(5, timeout=FRAME_TIMEOUT_MS)
    # Random restarts: how far apart the five runs are, and each run's numbers.
    expect(card.locator(".compare-spread")).to_contain_text(
        "over 5 runs: best", timeout=FRAME_TIMEOUT_MS
    )
    rows = card.locator(".compare-numbers tbody tr")
    expect(rows).to_have_count(5)
    expect(rows.nth(4)).to_contain_text("E: seed = 4")
    card.locator('[data-action="stop"]').click()
    expect(boundaries).to_have_count(0, timeout=FRAME_TIMEOUT_MS)
    expect(card.locator(".compare-numbers")).to_be_hidden()
    assert "compare=" not in page.url


def test_a_neuron_map_can_be_shown_large(page: Page, live_server: LiveServer) -> None:
    """The network shows each weight as a line; choosing a neuron's thumbnail draws its map
    in the big picture, and choosing it again goes back to the output. The legend names the
    classes."""
    _open(page, live_server.url)
    # The weights as lines between the columns: 2 inputs x 4, then 4 x 2 (the default), in
    # blue (positive) and orange (negative), each naming its value when hovered.
    lines = page.locator("#network svg.weights line")
    expect(lines).to_have_count(2 * 4 + 4 * 2)
    lines.nth(5).dispatch_event("pointerenter")
    expect(lines.nth(5).locator("title")).to_have_text(
        re.compile(r"weight from 2 to 2 of layer 1: -?\d")
    )
    network = _shown_rgb(page.locator("#network"))
    blues = (network[:, 2].astype(int) - network[:, 0] > 60).sum()
    oranges = (network[:, 0].astype(int) - network[:, 2] > 60).sum()
    # Maps and lines of both signs are painted.
    assert blues > 200
    assert oranges > 200
    expect(page.locator("#legend li")).to_have_count(2)
    expect(page.locator("#legend")).to_contain_text("class 1")
    output = _boundary_pixels(page)
    neuron = page.locator("#network .layer").nth(1).locator(".thumb").first
    neuron.click()
    expect(neuron).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#picture-caption")).to_contain_text("layer 1 neuron 1")
    page.wait_for_function(
        "document.getElementById('picture-caption').textContent !== ''", timeout=5000
    )
    page.wait_for_timeout(200)  # the next animation frame redraws
    shown = _boundary_pixels(page)
    assert shown != output
    neuron.press("Enter")  # the keyboard works as the mouse
    expect(neuron).to_have_attribute("aria-pressed", "false")
    expect(page.locator("#picture-caption")).to_have_text("")
    page.wait_for_timeout(200)
    assert _boundary_pixels(page) == output


def test_a_multiclass_boundary_shows_each_class_where_it_wins(
    page: Page, live_server: LiveServer
) -> None:
    """Frames carry the outputs alone: the drawing worker finds each pixel's most probable
    class itself. Trained on three blobs, each class's colour covers its own region."""
    _open(page, live_server.url + "#dataset=blobs")
    expect(page.locator("#legend li")).to_have_count(3, timeout=FRAME_TIMEOUT_MS)
    page.locator("#discretize").check()  # full class colours, no shading by confidence
    page.locator("#speed").fill("20")
    page.locator("h1").click()
    page.keyboard.press("Space")
    page.wait_for_function(
        "Number(document.getElementById('epoch').textContent) >= 60", timeout=FRAME_TIMEOUT_MS
    )
    page.keyboard.press("Space")
    expect(page.locator("#state")).to_have_text("paused")
    page.wait_for_timeout(200)  # the next animation frame draws the latest frame
    shown = _shown_rgb(page.locator("#boundary")).astype(int)
    for name, colour in (
        ("orange", (230, 159, 0)),
        ("blue", (0, 114, 178)),
        ("green", (0, 158, 115)),
    ):
        share = float(np.mean(np.abs(shown - colour).max(axis=1) <= 8))
        assert share > 0.1, (name, share)
    save_screenshot(page, "page-multiclass")


def _palette_pixels(canvas: Locator) -> dict[str, int]:
    """How many pixels of a canvas are exactly class 0's orange and class 1's blue."""
    counts: dict[str, int] = canvas.evaluate(
        """(canvas) => {
          const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
          const counts = { orange: 0, blue: 0 };
          for (let i = 0; i < data.length; i += 4) {
            const rgb = `${data[i]},${data[i + 1]},${data[i + 2]}`;
            if (rgb === "230,159,0") counts.orange++;
            if (rgb === "0,114,178") counts.blue++;
          }
          return counts;
        }"""
    )
    return counts


def test_a_dataset_preview_chooses_the_dataset(page: Page, live_server: LiveServer) -> None:
    """A thumbnail of every dataset, grouped by problem: choosing one works as choosing it
    in the list, and the picker shows whatever the list says."""
    _open(page, live_server.url)
    picker = page.locator("#dataset-picker")
    select = page.locator('[data-param="dataset"]')
    expect(picker.get_by_role("radio")).to_have_count(12)
    expect(picker.get_by_role("group", name="binary").get_by_role("radio")).to_have_count(6)
    expect(picker.get_by_role("group", name="regression").get_by_role("radio")).to_have_count(3)
    circle = picker.get_by_role("radio", name="circle (binary)")
    expect(circle).to_be_checked()  # the default dataset
    xor = picker.get_by_role("radio", name="xor (binary)")
    colours = _palette_pixels(xor.locator("xpath=..").locator("canvas"))
    assert colours["orange"] > 20, colours  # both classes drawn in the boundary's colours
    assert colours["blue"] > 20, colours

    before = _frames(page)
    xor.click()
    expect(select).to_have_value("xor")
    expect(xor).to_be_checked()
    expect(circle).not_to_be_checked()
    _wait_for_frames(page, before)
    assert "dataset=xor" in page.url
    # A multiclass dataset's data arrives: the legend names its three classes.
    picker.get_by_role("radio", name="blobs (multiclass)").click()
    expect(page.locator("#legend li")).to_have_count(3, timeout=FRAME_TIMEOUT_MS)
    expect(select).to_have_value("blobs")
    # The other way round: a choice in the list shows in the picker.
    select.select_option("sine")
    expect(picker.get_by_role("radio", name="sine (regression)")).to_be_checked()
    expect(picker.get_by_role("radio", name="blobs (multiclass)")).not_to_be_checked()
    save_screenshot(page, "page-dataset-picker")


# From the smallest desktop screen the page is made for up, and a tablet held either way.
LAYOUTS: dict[str, dict[str, Any]] = {
    "1280x720": {"viewport": {"width": 1280, "height": 720}},
    "tablet": {
        "viewport": {"width": 820, "height": 1180},
        "has_touch": True,
        "is_mobile": True,
        "device_scale_factor": 2,
    },
    "tablet-landscape": {
        "viewport": {"width": 1180, "height": 820},
        "has_touch": True,
        "is_mobile": True,
        "device_scale_factor": 2,
    },
}

WIDER_THAN = """(width) => [...document.querySelectorAll("body *")]
  .filter((element) => element.getBoundingClientRect().right > width + 0.5)
  .map((element) => `${element.tagName.toLowerCase()}#${element.id}.${element.className}`)"""

# What sticks out past the right edge of its card or of the header bar (a cramped column
# that does not widen the page, but cuts into or overlaps its neighbour); parts inside a
# scrolling box (the network view) may.
STICKING_OUT = """() => {
  const out = [];
  for (const box of document.querySelectorAll(".card, .bar")) {
    if (!box.getClientRects().length) continue; // not shown (hidden): nothing can stick out
    const border = parseFloat(getComputedStyle(box).borderRightWidth);
    const edge = box.getBoundingClientRect().right - border;
    for (const element of box.querySelectorAll("*")) {
      let scrolls = false;
      for (let up = element.parentElement; up && up !== box; up = up.parentElement) {
        if (getComputedStyle(up).overflowX !== "visible") scrolls = true;
      }
      const right = element.getBoundingClientRect().right;
      if (!scrolls && right > edge + 0.5) {
        out.push(`${element.tagName.toLowerCase()}#${element.id} by ${Math.round(right - edge)}px`);
      }
    }
  }
  return out;
}"""


@pytest.mark.parametrize("layout", LAYOUTS)
def test_the_page_fits_and_works_by_touch(
    browser: Browser, live_server: LiveServer, layout: str
) -> None:
    """Nothing sticks out sideways; the picture is drawn at the screen's resolution; Play
    and point editing work with the mouse, or with a finger on a touch screen."""
    options = LAYOUTS[layout]
    width = options["viewport"]["width"]
    touch = options.get("has_touch", False)
    with checked_page(browser, **options) as page:

        def press(target: Locator, **position: Any) -> None:
            if touch:
                target.tap(**position)
            else:
                target.click(**position)

        _open(page, live_server.url)
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= width, page.evaluate(WIDER_THAN, width)
        assert page.evaluate(STICKING_OUT) == []
        play = page.locator("#play")
        expect(play).to_be_in_viewport()
        boundary = page.locator("#boundary")
        expect(boundary).to_be_visible()
        box = boundary.bounding_box()
        assert box is not None
        assert box["width"] >= 250  # big enough to see the boundary and tap a spot
        ratio = options.get("device_scale_factor", 1)
        backing, shown = boundary.evaluate("(canvas) => [canvas.width, canvas.clientWidth]")
        assert backing == round(shown * ratio)
        thumbnail = page.locator("#dataset-picker canvas").first
        assert thumbnail.evaluate("(canvas) => canvas.width") == 56 * ratio

        before = _frames(page)
        press(play)
        expect(page.locator("#state")).to_have_text("running")
        _wait_for_frames(page, before, count=3)
        press(play)
        expect(page.locator("#state")).to_have_text("paused")

        edit = page.locator("#edit-points")
        press(edit)
        expect(edit).to_be_checked()
        points = int(page.evaluate("document.body.dataset.points"))
        press(boundary, position={"x": box["width"] * 0.3, "y": box["height"] * 0.6})
        page.wait_for_function(
            f"document.body.dataset.points === '{points + 1}'", timeout=FRAME_TIMEOUT_MS
        )
        expect(page.locator('[data-param="dataset"]')).to_have_value("custom")
        expect(page.locator("#dataset-picker input:checked")).to_have_count(0)  # none is "custom"
        save_screenshot(page, f"layout-{layout}")


def test_every_lesson_opens_and_trains(page: Page, live_server: LiveServer) -> None:
    """Each lesson of the menu sets up its experiment, explains it and trains; a link opens a
    lesson in classroom mode, with the controls it does not need hidden."""
    lessons = httpx.get(live_server.url + "api/lessons", timeout=10).json()["lessons"]
    assert len(lessons) >= 14
    _open(page, live_server.url + f"#lesson={lessons[0]['id']}&classroom=1")
    expect(page.locator("#lesson-title")).to_have_text(lessons[0]["title"])
    hidden_control = lessons[0]["hidden_controls"][0]
    expect(page.locator(f'[data-param="{hidden_control}"]').first).to_be_hidden()
    page.locator("#play").click()
    for lesson in lessons:
        before = _frames(page)
        page.locator("#lesson-menu").select_option(lesson["id"])
        expect(page.locator("#lesson-title")).to_have_text(lesson["title"])
        expect(page.locator(".lesson-text p")).to_have_count(len(lesson["explanation"]))
        compared = len(lesson["compare"])
        expect(page.locator(".compare-grid canvas")).to_have_count(
            compared, timeout=FRAME_TIMEOUT_MS
        )
        expect(page).to_have_url(re.compile(f"lesson={lesson['id']}"))
        if lesson.get("explain_view"):
            # It opens "Explain a step", which pauses; closing it trains on.
            expect(page.locator("#explain")).to_be_visible(timeout=FRAME_TIMEOUT_MS)
            expect(page.locator("#explain-status")).to_contain_text(
                "Point 0 at", timeout=FRAME_TIMEOUT_MS
            )
            page.locator("#explain-close").click()
        # It trains: frames keep coming, and the epoch counter passes the first frames.
        _wait_for_frames(page, before, 3)
        page.wait_for_function(
            f"Number(document.getElementById('epoch').textContent) >= "
            f"{2 * lesson['epochs_per_frame']}",
            timeout=FRAME_TIMEOUT_MS,
        )
        assert page.locator("#state").inner_text() in ("running", "diverged", "stopped early")
    page.get_by_role("button", name="Leave the lesson").click()
    expect(page.locator("#lesson-panel")).to_be_hidden()
    expect(page.locator(f'[data-param="{hidden_control}"]').first).to_be_visible()
    # Leaving classroom mode shows only what applies: the last lesson trains without
    # momentum, so its control stays hidden.
    assert lessons[-1]["settings"]["optimizer"] in ("sgd", "adam", "rmsprop")
    expect(page.get_by_label("Momentum", exact=True)).to_be_hidden()
    assert "lesson=" not in page.url
