"""The Python script the page exports: it rebuilds the same data and network and
replays the run's training calls in order, so its network ends with the page's weights
(float64 training is deterministic for the same seed on the same machine)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .session import Session


def _fit_arguments(fit: dict[str, Any]) -> str:
    return ", ".join(f"{name}={value!r}" for name, value in fit.items())


def python_code(session: Session) -> str:
    config = session.config
    lines = [
        '"""Rebuilds a run of the akili playground: the same data, network and training steps.',
        "",
        "    python this_file.py",
        '"""',
        "",
        "import akili",
    ]
    network = session.built_with
    if session.lecture is not None:
        lines += [
            "from akili.playground.lectures import LECTURES",
            "",
            f"lecture = LECTURES[{session.lecture!r}]  # a fixed network and one example",
            "x, t = lecture.example()",
            "X_train = X_test = x[None, :]",
            "Y_train = Y_test = t[None, :]",
            f"net = lecture.network(rule={network['rule']!r}, learning_rate={network['learning_rate']!r}, "
            f"loss={network['loss']!r})",
        ]
        data_call = None
    else:
        lines += [
            "from akili.playground.data import make_points",
            "",
            f"EXTRA_POINTS = {session.extra_points!r}  # points clicked onto the page: x, y, class",
            "",
            "",
            "def data(clicked):",
            '    """The data set with the first `clicked` added points in the training part."""',
            "    x_train, y_train, x_test, y_test = make_points(",
            f"        {config['data']!r}, count={config['count']}, noise={config['noise']!r}, "
            f"test_share={config['test_share']!r}, seed={config['seed']},",
            f"        iris_features={tuple(config['iris_features'])!r}, iris_species={config['iris_species']}, "
            f"extra_points=EXTRA_POINTS[:clicked])",
            "    return x_train, y_train[:, None].astype(float), x_test, y_test[:, None].astype(float)",
            "",
            "",
            f"X_train, Y_train, X_test, Y_test = data({session.log_points})",
        ]
        data_call = True
        sizes = [2] + [layer["nodes"] for layer in config["hidden"]] + [1]
        activations = [layer["activation"] for layer in config["hidden"]] + [config["output_activation"]]
        lines.append("net = akili.Network([")
        for n_in, n_out, activation in zip(sizes, sizes[1:], activations):
            lines.append(f"    akili.Dense({n_in}, {n_out}, activation={activation!r}, bias={config['bias']}),")
        keywords = ", ".join(f"{name}={value!r}" for name, value in network.items())
        lines.append(f"], {keywords})")
    lines.append("")
    for entry in session.log:
        kind = entry[0]
        if kind == "fit":
            lines.append(f"net.fit(X_train, Y_train, epochs={entry[1]}, shuffle=True, {_fit_arguments(entry[2])})")
        elif kind == "diverged":
            lines += [
                "try:  # on the page this epoch diverged; fit restored the weights",
                f"    net.fit(X_train, Y_train, epochs={entry[1]}, shuffle=True, {_fit_arguments(entry[2])})",
                "except akili.DivergenceError:",
                "    pass",
            ]
        elif kind == "set":
            lines.append(f"net.{entry[1]} = {entry[2]!r}")
        elif kind == "points" and data_call:
            lines.append(f"X_train, Y_train, X_test, Y_test = data({entry[1]})")
        elif kind == "step":
            indices = entry[2]
            if entry[1] == "example":
                lines.append(f"net.step(X_train[{indices[0]}], Y_train[{indices[0]}])  # one example")
            else:
                lines.append(f"net.step(X_train[{indices}], Y_train[{indices}])  # one batch")
    lines += [
        "",
        'print("train loss", net.loss_value(X_train, Y_train))',
        'print("test loss ", net.loss_value(X_test, Y_test))',
        "",
    ]
    return "\n".join(lines)
