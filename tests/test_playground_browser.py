"""The playground in a real browser: Debian's chromium driven by Playwright for Python
(launched from /usr/bin/chromium with `executable_path`; nothing is downloaded).

Set AKILI_PLAYGROUND_SCREENSHOTS=DIR to also copy the screenshots there (docs/images
holds the ones docs/playground.md shows).
"""

from __future__ import annotations

import io
import os
import time
from pathlib import Path

import numpy as np
import pytest
from conftest import require_system
from playground_helpers import running_server

import akili

CHROMIUM = "/usr/bin/chromium"
TIMEOUT_MS = 60_000  # no step of these tests should come close; it only bounds a broken run


@pytest.fixture(scope="module")
def browser():
    require_system(CHROMIUM, "the browser tests need Debian's chromium package")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as error:
        if os.environ.get("AKILI_REQUIRE_SYSTEM_DEPS") == "1":
            pytest.fail(f"playwright (the test extra) is not installed: {error}")
        pytest.skip(f"playwright (the test extra) is not installed: {error}")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
        )
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def server():
    with running_server() as running:
        yield running


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport={"width": 1360, "height": 900}, accept_downloads=True, locale="en-GB")
    opened = context.new_page()
    opened.set_default_timeout(TIMEOUT_MS)
    problems: list[str] = []
    opened.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    opened.on("pageerror", lambda error: problems.append(str(error)))
    opened.goto(server.url)
    opened.wait_for_selector("body[data-ready=true]")
    opened.problems = problems
    yield opened
    context.close()
    assert problems == [], f"the page logged errors: {problems}"


def idle(page) -> None:
    """Wait until the page's queued API calls have finished."""
    page.evaluate("() => window.playground.queue.then(() => true)")


def values(page, name: str) -> np.ndarray:
    """The exact numbers of one array in the step panel (from data-value)."""
    numbers = page.eval_on_selector_all(f"[data-name='{name}'] .num", "nodes => nodes.map(n => n.dataset.value)")
    assert numbers, f"no array {name} on the page"
    return np.array([float(n) for n in numbers])


def save_screenshot(image: bytes, path: Path) -> None:
    path.write_bytes(image)
    target = os.environ.get("AKILI_PLAYGROUND_SCREENSHOTS")
    if target:  # for the docs: the same picture in 256 colours, a fraction of the size
        from PIL import Image

        Path(target).mkdir(parents=True, exist_ok=True)
        Image.open(path).convert("RGB").quantize(256).save(Path(target) / path.name, optimize=True)


def assert_not_blank(image: bytes, *, trained: bool = True) -> None:
    from PIL import Image  # matplotlib's dependency, in the test extra

    pixels = np.asarray(Image.open(io.BytesIO(image)).convert("RGB"), dtype=np.int32)
    colours = np.unique(pixels[:, :, 0] << 16 | pixels[:, :, 1] << 8 | pixels[:, :, 2])
    orange = (np.abs(pixels - [245, 147, 34]).sum(axis=2) < 60).mean()
    blue = (np.abs(pixels - [8, 119, 189]).sum(axis=2) < 60).mean()
    assert len(colours) > 200 and pixels.std() > 20, "the screenshot is (almost) blank"
    if not trained:
        return
    assert orange > 0.005 and blue > 0.005, f"no trained boundary drawn (orange {orange:.4f}, blue {blue:.4f})"


def test_the_page_loads_without_console_errors_in_both_languages(page, tmp_path):
    assert page.inner_text("#play") == "Play"
    assert page.locator("#layers .layer").count() == 2
    page.select_option("#lang", "sw")
    assert page.inner_text("#play") == "Endesha" and page.inner_text("#step-example") == "Hatua ya mfano mmoja"
    assert page.inner_text("#layers .layer >> nth=0").startswith("Tabaka fiche la 1")
    page.click("#step-example")
    page.wait_for_selector("#step-panel:not([hidden])")
    assert page.inner_text("#step-layers h3 >> nth=0") == "Tabaka 0: tabaka fiche la 1"
    image = page.screenshot(full_page=True)
    save_screenshot(image, tmp_path / "playground-sw.png")
    assert_not_blank(image, trained=False)
    assert page.evaluate("document.documentElement.lang") == "sw"
    page.select_option("#lang", "en")
    assert page.inner_text("#test-loss") != "–"


def test_each_tab_has_its_own_session_released_when_the_tab_goes_away(page, server):
    first = page.evaluate("window.playground.id")
    second_tab = page.context.new_page()
    second_tab.goto(server.url)
    second_tab.wait_for_selector("body[data-ready=true]")
    second = second_tab.evaluate("window.playground.id")
    assert first != second and first in server.sessions and second in server.sessions
    second_tab.goto("about:blank")  # the tab leaves: the page says goodbye with sendBeacon
    deadline = time.monotonic() + TIMEOUT_MS / 1000  # bounds a broken run only
    while second in server.sessions and time.monotonic() < deadline:
        time.sleep(0.05)
    assert second not in server.sessions and first in server.sessions
    second_tab.close()


def test_play_trains_xor_below_a_test_loss_of_0_1_and_the_export_predicts_like_the_page(page, tmp_path):
    assert page.input_value("#dataset") == "xor"
    page.click("#play")
    page.wait_for_function("Number(document.getElementById('test-loss').dataset.value) < 0.1")
    page.wait_for_function("window.playground.frame.epoch >= 25")  # a little longer, for a settled picture
    page.click("#play")  # pause
    idle(page)
    test_loss = float(page.get_attribute("#test-loss", "data-value"))
    assert test_loss < 0.1

    image = page.screenshot()
    save_screenshot(image, tmp_path / "playground-xor.png")
    assert_not_blank(image)

    with page.expect_download() as download:
        page.click("#download-model")
    model = tmp_path / "playground.akili"
    download.value.save_as(model)
    net = akili.load(model)
    state = page.evaluate("({test: window.playground.state.test, frame: window.playground.frame})")
    x_test, t_test = np.array(state["test"]["x"]), np.array(state["test"]["t"])
    assert net.loss_value(x_test, t_test) == test_loss  # the page's number, to the last bit
    boundary = state["frame"]["boundary"]
    shown = np.frombuffer(__import__("base64").b64decode(boundary["data"]), dtype=np.uint8)
    size = boundary["size"]
    centres = -1 + (2 * np.arange(size) + 1) / size
    xs, ys = np.meshgrid(centres, centres[::-1])
    predicted = net.predict(np.column_stack([xs.ravel(), ys.ravel()]))[:, 0]
    step = (boundary["high"] - boundary["low"]) / 255
    np.testing.assert_allclose(boundary["low"] + shown * step, predicted, atol=step / 2 + 1e-12)

    with page.expect_download() as code:
        page.click("#download-code")
    namespace: dict = {"__name__": "replay"}
    exec(Path(code.value.path()).read_text(), namespace)
    assert namespace["net"].to_bytes() == net.to_bytes()  # the exported code rebuilds the same run


def test_step_one_example_shows_the_numbers_of_network_step(page, tmp_path):
    model = tmp_path / "before.akili"
    with page.expect_download() as download:
        page.click("#download-model")
    download.value.save_as(model)
    net = akili.load(model)
    page.click("#step-example")
    page.wait_for_selector("#step-panel:not([hidden])")
    idle(page)
    example = page.evaluate("window.playground.example")
    trace = net.step(np.array(example["inputs"]), np.array(example["targets"]), trace=True)
    for k in range(len(net.layers)):
        np.testing.assert_array_equal(values(page, f"inputs-{k}"), trace.layer_inputs[k])
        np.testing.assert_array_equal(values(page, f"combined-{k}"), trace.combined[k])
        np.testing.assert_array_equal(values(page, f"outputs-{k}"), trace.layer_outputs[k])
        np.testing.assert_array_equal(values(page, f"errors-{k}"), trace.errors[k])
        np.testing.assert_array_equal(values(page, f"deltas-{k}"), trace.deltas[k])
        np.testing.assert_array_equal(values(page, f"weight_updates-{k}"), trace.weight_updates[k].ravel())
        np.testing.assert_array_equal(values(page, f"bias_updates-{k}"), trace.bias_updates[k])
    assert float(page.get_attribute("#step-summary", "data-loss")) == trace.loss
    np.testing.assert_array_equal(
        values(page, f"errors-{len(net.layers) - 1}"), np.array(example["targets"]) - trace.final_outputs
    )


def test_switching_the_rule_changes_the_hidden_errors_as_the_lecture_predicts(page, tmp_path):
    page.select_option("#dataset", "lecture:split")
    idle(page)
    assert page.is_visible("#lecture-note")
    page.click("#step-example")
    idle(page)
    np.testing.assert_allclose(values(page, "errors-1"), [2.0], atol=1e-12)
    np.testing.assert_allclose(values(page, "errors-0"), [1.2, 0.4], atol=1e-12)  # Wᵀ·E

    page.select_option("#option-rule", "normalized")
    page.click("#reset")
    page.click("#step-example")
    idle(page)
    np.testing.assert_allclose(values(page, "errors-0"), [1.5, 0.5], atol=1e-12)  # 2.0·0.6/0.8, 2.0·0.2/0.8
    image = page.locator("#step-panel").screenshot()
    save_screenshot(image, tmp_path / "playground-step-normalized.png")
    assert len(image) > 1000
