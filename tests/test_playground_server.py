"""The playground's server and sessions, without a browser: routes, errors, isolation,
memory, disconnects, Ctrl-C, step mode against Network.step and the exported code."""

from __future__ import annotations

import gc
import json
import os
import signal
import socket
import struct
import subprocess
import sys
import time
import urllib.request
import weakref
from pathlib import Path

import numpy as np
import pytest
from playground_helpers import call, request, running_server

import akili
from akili.playground.data import make_points
from akili.playground.session import Session, SessionError


@pytest.fixture(scope="module")
def server():
    with running_server() as running:
        yield running


def new_session(server, config=None):
    created = call(server, "POST", "/api/sessions", config or {})
    return created["session"], created["state"]


def test_page_and_static_files_are_served(server):
    status, headers, body = request(server, "GET", "/")
    assert status == 200 and headers["content-type"].startswith("text/html") and b"app.js" in body
    status, headers, body = request(server, "GET", "/static/app.js")
    assert status == 200 and headers["content-type"].startswith("text/javascript") and b"import" in body
    options = call(server, "GET", "/api/options")
    assert options["data"][:2] == ["xor", "gaussians"] and {c["name"] for c in options["controls"]} >= {
        "rule",
        "loss",
        "learning_rate",
        "batch_size",
        "seed",
    }


@pytest.mark.parametrize(
    "path",
    [
        "/static/../server.py",
        "/static/%2e%2e/server.py",
        "/static/..%2fserver.py",
        "/static/%2e%2e%2f__init__.py",
        "/static/../../_network.py",
        "/static//etc/passwd",
        "/static/%2fetc%2fpasswd",
        "/../../../etc/passwd",
        "/static/..\\server.py",
        "/static/%00app.js",
        "/static/",
        "/static/.",
        "/server.py",
    ],
)
def test_static_files_cannot_escape_the_package_directory(server, path):
    status, headers, body = request(server, "GET", path)
    assert status == 404
    assert headers["content-type"] == "application/json" and "error" in json.loads(body)
    assert b"import" not in body and b"root:" not in body


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"{not json", "not valid JSON"),
        (b"\xff\xfe", "not valid JSON"),
        (b"[1, 2]", "expected a JSON object"),
        (b'{"colour": "red"}', "unknown setting 'colour'"),
        (b'{"learning_rate": -1}', "expected learning_rate from"),
        (b'{"hidden": [{"nodes": 0, "activation": "tanh"}]}', "nodes per layer"),
        (b'{"rule": "magic"}', "unknown rule 'magic'"),
        (b'{"loss": "cross_entropy", "output_activation": "tanh"}', "cross_entropy"),
    ],
)
def test_bad_requests_get_4xx_json_errors(server, raw, message):
    status, headers, body = request(
        server, "POST", "/api/sessions", raw=raw, headers={"Content-Type": "application/json"}
    )
    assert status == 400 and headers["content-type"] == "application/json"
    assert message in json.loads(body)["error"]
    assert b"Traceback" not in body


def test_wrong_method_oversized_body_and_unknown_api(server):
    session_id, _ = new_session(server)
    status, _, body = request(server, "GET", f"/api/sessions/{session_id}/frame")
    assert status == 405 and "use POST" in json.loads(body)["error"]
    status, _, body = request(server, "POST", "/api/sessions", raw=b"{}", headers={"Content-Length": str(10**9)})
    assert status == 413 and "at most" in json.loads(body)["error"]
    status, _, body = request(server, "GET", "/api/nothing")
    assert status == 404 and "no API" in json.loads(body)["error"]
    status, _, body = request(server, "POST", f"/api/sessions/{session_id}/step", {"kind": "leap"})
    assert status == 400 and "expected kind 'batch' or 'example'" in json.loads(body)["error"]
    status, _, body = request(server, "POST", f"/api/sessions/{session_id}/points", {"x": 3, "y": 0, "class": 1})
    assert status == 400 and "expected x from -1 to 1" in json.loads(body)["error"]


def test_a_diverging_run_is_a_422_json_error_and_replays(server):
    session_id, _ = new_session(
        server,
        {
            "hidden": [{"nodes": 8, "activation": "relu"}],
            "loss": "mse",
            "output_activation": "identity",
            "learning_rate": 10.0,
        },
    )
    for _ in range(5):
        status, _, body = request(server, "POST", f"/api/sessions/{session_id}/frame", {})
        if status != 200:
            break
    assert status == 422 and "training diverged" in json.loads(body)["error"]
    _, _, model = request(server, "GET", f"/api/sessions/{session_id}/model")
    _, _, code = request(server, "GET", f"/api/sessions/{session_id}/code")
    namespace: dict = {"__name__": "replay"}
    exec(code.decode(), namespace)  # the divergence is part of the replay, and caught there too
    assert namespace["net"].to_bytes() == model


def test_a_refused_setting_leaves_the_session_as_it_was(server):
    session_id, _ = new_session(server)
    trained = call(server, "POST", f"/api/sessions/{session_id}/frame", {})
    status, _, body = request(
        server, "POST", f"/api/sessions/{session_id}/config", {"loss": "cross_entropy", "output_activation": "tanh"}
    )
    assert status == 400 and "cross_entropy" in json.loads(body)["error"]
    state = call(server, "GET", f"/api/sessions/{session_id}")
    assert state["frame"]["weights"] == trained["weights"] and state["config"]["loss"] == "squared_error"


def test_unknown_session_is_a_404_json_error(server):
    for method, path in [
        ("GET", "/api/sessions/nope"),
        ("POST", "/api/sessions/nope/frame"),
        ("GET", "/api/sessions/nope/model"),
        ("POST", "/api/sessions/nope/close"),
    ]:
        status, headers, body = request(server, method, path, {} if method == "POST" else None)
        assert status == 404 and headers["content-type"] == "application/json"
        assert "unknown session 'nope'" in json.loads(body)["error"]


def test_a_foreign_host_header_is_refused(server):
    status, _, body = request(server, "GET", "/api/options", headers={"Host": "attacker.example:80"})
    assert status == 403 and "loopback" in json.loads(body)["error"]


def test_two_sessions_are_isolated(server):
    first, _ = new_session(server, {"seed": 1})
    second, second_state = new_session(server, {"seed": 1})
    assert first != second
    for _ in range(3):
        call(server, "POST", f"/api/sessions/{first}/frame", {})
    call(server, "POST", f"/api/sessions/{first}/config", {"learning_rate": 0.05})
    after = call(server, "GET", f"/api/sessions/{second}")
    assert after["frame"]["weights"] == second_state["frame"]["weights"] and after["frame"]["epoch"] == 0
    assert after["config"]["learning_rate"] == second_state["config"]["learning_rate"]
    trained = call(server, "GET", f"/api/sessions/{first}")
    assert trained["frame"]["epoch"] == 3 and trained["frame"]["weights"] != second_state["frame"]["weights"]


def _released(reference: weakref.ref) -> bool:
    """Whether the object is gone, once the handler thread that answered has let go of it."""
    deadline = time.monotonic() + 10  # bounds a leak only; normally the first look succeeds
    while True:
        gc.collect()
        if reference() is None or time.monotonic() > deadline:
            return reference() is None
        time.sleep(0.01)


def test_a_closed_sessions_memory_is_released():
    with running_server(idle_seconds=60, max_sessions=3) as server:
        session_id, _ = new_session(server)
        network = weakref.ref(server.sessions.get(session_id).net)
        assert call(server, "POST", f"/api/sessions/{session_id}/close", {}) == {"closed": session_id}
        assert _released(network) and len(server.sessions) == 0
        # A tab that went away without a word: dropped once idle for longer than idle_seconds.
        idle_id, _ = new_session(server)
        idle_network = weakref.ref(server.sessions.get(idle_id).net)
        server.sessions.get(idle_id).last_used -= 61
        status, _, _ = request(server, "GET", f"/api/sessions/{idle_id}")
        assert status == 404 and _released(idle_network)
        # More tabs than max_sessions: the least recently used goes first.
        ids = [new_session(server)[0] for _ in range(4)]
        assert len(server.sessions) == 3 and ids[0] not in server.sessions and ids[-1] in server.sessions


def _reset_on_close(connection: socket.socket) -> None:
    # SO_LINGER 0: close() sends RST, the harshest way a client can go away.
    connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    connection.close()


def test_the_server_survives_clients_disconnecting_mid_request(server):
    session_id, _ = new_session(server)
    port = server.server_address[1]
    for payload in [
        f"POST /api/sessions/{session_id}/frame HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2\r\n\r\n{{}}",
        f'POST /api/sessions/{session_id}/config HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 500\r\n\r\n{{"noi',
        f"GET /api/sessions/{session_id}/model HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
        "GET /static/app.js HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
    ]:
        for read_some in (False, True) if "noi" not in payload else (False,):  # a cut body gets no answer
            connection = socket.create_connection(("127.0.0.1", port), timeout=10)
            connection.sendall(payload.encode())
            if read_some:
                connection.recv(20)  # the answer has begun: leave mid-response
            _reset_on_close(connection)
    state = call(server, "POST", f"/api/sessions/{session_id}/frame", {})
    assert state["epoch"] >= 1
    assert request(server, "GET", "/")[0] == 200


def test_step_example_equals_network_step_on_the_same_weights(server):
    session_id, _ = new_session(server, {"seed": 3})
    call(server, "POST", f"/api/sessions/{session_id}/frame", {})
    _, _, model = request(server, "GET", f"/api/sessions/{session_id}/model")
    net = akili.loads(model)
    example = call(server, "POST", f"/api/sessions/{session_id}/step", {"kind": "example"})["example"]
    trace = net.step(np.array(example["inputs"]), np.array(example["targets"]), trace=True)
    for name in ("layer_inputs", "combined", "layer_outputs", "errors", "deltas", "weight_updates", "bias_updates"):
        for page, ours in zip(example["trace"][name], getattr(trace, name), strict=True):
            np.testing.assert_array_equal(np.array(page), ours, err_msg=name)
    assert example["trace"]["loss"] == trace.loss
    _, _, after = request(server, "GET", f"/api/sessions/{session_id}/model")
    assert after == net.to_bytes()  # the page's network and ours took the very same step


@pytest.mark.parametrize(("rule", "expected"), [("transpose", [1.2, 0.4]), ("normalized", [1.5, 0.5])])
def test_the_lecture_split_example_shows_the_lectures_hidden_errors(rule, expected):
    session = Session({"data": "lecture:split", "rule": rule})
    example = session.step("example")["example"]
    assert example["trace"]["errors"][1] == pytest.approx([2.0])
    assert example["trace"]["errors"][0] == pytest.approx(expected, abs=1e-12)


def test_the_exported_code_replays_the_run(tmp_path):
    session = Session(
        {"data": "circles", "noise": 0.1, "seed": 5, "batch_size": 4, "hidden": [{"nodes": 3, "activation": "relu"}]}
    )
    for _ in range(2):
        session.frame()
    session.configure({"learning_rate": 0.2, "rule": "gradient", "epochs_per_frame": 3})
    session.step("example")
    session.add_point(0.1, -0.2, 1)
    session.step("batch")
    session.frame()
    session.configure({"batch_size": 1})
    session.frame()
    script = tmp_path / "run.py"
    script.write_text(session.python_code())
    namespace: dict = {"__name__": "replay"}
    exec(compile(script.read_text(), str(script), "exec"), namespace)
    replayed = namespace["net"]
    np.testing.assert_array_equal(replayed.to_bytes(), session.model_bytes())
    grid = np.random.default_rng(0).uniform(-1, 1, size=(50, 2))
    np.testing.assert_array_equal(replayed.predict(grid), akili.loads(session.model_bytes()).predict(grid))


def test_data_sets_are_seeded_and_validated():
    first = make_points("spiral", noise=0.2, seed=4)
    second = make_points("spiral", noise=0.2, seed=4)
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)
    x_train, y_train, x_test, _ = make_points("iris", iris_features=(0, 1), iris_species=0)
    assert len(x_train) + len(x_test) == 150 and np.abs(x_train).max() <= 1 and set(y_train) == {0, 1}
    with pytest.raises(ValueError, match="unknown data set 'moons'"):
        make_points("moons")
    with pytest.raises(SessionError, match="points cannot be added"):
        Session({"data": "lecture:split"}).add_point(0, 0, 1)


def _start_cli(*arguments: str) -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "akili", "playground", "--no-browser", "--port", "0", *arguments],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    line = process.stdout.readline()
    if not line.startswith("akili playground: http://"):
        _stop(process)
        pytest.fail(f"the playground did not start: {line!r}")
    return process, line.split()[2]


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.kill()
    process.communicate()  # reaps it and closes the pipes


def test_ctrl_c_stops_the_cli_within_two_seconds():
    process, url = _start_cli()
    try:
        with urllib.request.urlopen(url, timeout=30) as page:
            assert b"akili" in page.read()
        # An idle keep-alive connection must not hold the stop up.
        idle = socket.create_connection((url.split("//")[1].split(":")[0], int(url.rstrip("/").rsplit(":", 1)[1])))
        idle.sendall(b"GET /api/options HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        idle.recv(100)
        process.send_signal(signal.SIGINT)
        process.wait(timeout=2)  # the bound: Ctrl-C stops the server within 2 s
        idle.close()
        out, err = process.communicate()
        assert process.returncode == 0
        assert "stopped" in out and "Traceback" not in err
    finally:
        _stop(process)


def test_a_non_loopback_host_is_served_with_a_warning():
    process, url = _start_cli("--host", "0.0.0.0")
    try:
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=30)
        assert "warning: serving on 0.0.0.0" in err
    finally:
        _stop(process)


def test_the_books_2x2_example_and_the_docs_snippet(capsys):
    for rule, expected in (("transpose", [2.1, 4.4]), ("normalized", [0.42, 0.88])):
        example = Session({"data": "lecture:book_2x2", "rule": rule}).step("example")["example"]
        assert example["trace"]["errors"][1] == pytest.approx([0.8, 0.5], abs=1e-12)
        assert example["trace"]["errors"][0] == pytest.approx(expected, abs=1e-12)
    docs = (Path(__file__).parent.parent / "docs" / "playground.md").read_text()
    snippets = [block.split("```", 1)[0] for block in docs.split("```python\n")[1:]]
    assert snippets
    for snippet in snippets:
        exec(compile(snippet, "docs/playground.md", "exec"), {"__name__": "docs"})
    assert capsys.readouterr().out.splitlines() == ["transpose [1.2, 0.4]", "normalized [1.5, 0.5]"]
