"""The ``akili`` command: train, evaluate, save and use networks without writing code.

    akili train                                  # the book's network on the built-in digits
    akili train --data fashion-mnist --hidden 200 --epochs 1 --out m.akili --plot loss.png
    akili evaluate m.akili --data fashion-mnist  # accuracy and confusion matrix
    akili predict m.akili --data images.csv --out preds.csv
    akili info m.akili
    akili backquery m.akili --out classes.png    # the book's network run backwards
    akili bench                                  # the quick benchmark against the book's NumPy code
    akili playground                             # an interactive page in the browser

Also ``python -m akili``. Mistakes in the command or its files are reported as
one line on stderr with exit status 1 (2 for a malformed command line); Ctrl-C
during training stops cleanly with status 130, saving what was trained when
``--out`` was given.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence

from ._cli_common import EXIT_ERROR, EXIT_INTERRUPTED, EXIT_USAGE, UserError
from ._network import ACTIVATIONS, LOSSES, RULES
from ._version import __version__
from .datasets._preprocessing import SCALINGS
from .optimizers import OPTIMIZERS

__all__ = ["build_parser", "main"]


def __dir__() -> list[str]:
    # dir() shows the API only, not the modules and helpers imported here.
    return sorted(__all__)


DATA_HELP = (
    "fashion-mnist, iris, digits, xor, a .csv file (label first, as the book's mnist_train.csv), "
    "a .npz file with arrays X and y, or a directory of IDX files"
)


def _int_at_least(minimum: int) -> Callable[[str], int]:
    """An argparse type: a whole number of ``minimum`` or more."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"expected a number of {minimum} or more, got {value}")
        return value

    return parse


_positive_int = _int_at_least(1)
_non_negative_int = _int_at_least(0)


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a positive finite number, got {text}")
    return value


def _non_negative_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not 0 <= value < float("inf"):
        raise argparse.ArgumentTypeError(f"expected a finite number of 0 or more, got {text}")
    return value


def _dropout_rate(text: str) -> float:
    value = _non_negative_float(text)
    if value >= 1:
        raise argparse.ArgumentTypeError(f"expected a dropout rate in [0, 1), got {text}")
    return value


def _fraction(text: str) -> float:
    value = _positive_float(text)
    if value >= 1:
        raise argparse.ArgumentTypeError(f"expected a fraction between 0 and 1, got {text}")
    return value


def _add_data_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data", help=DATA_HELP + " (default: the data set the model was trained on, as recorded in MODEL.json)"
    )
    parser.add_argument(
        "--split",
        choices=("auto", "test", "train", "all"),
        default="auto",
        help="which part of the data: its test split (or the part held out when the model was "
        "trained on this same file), the training part, or all; auto: test where there is "
        "one, else all (default)",
    )
    parser.add_argument(
        "--scale", choices=SCALINGS, help="override the input scaling recorded beside the model (MODEL.json)"
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``akili`` command."""
    parser = argparse.ArgumentParser(
        prog="akili",
        description="Train, evaluate and use akili networks.",
        epilog="Run 'akili COMMAND --help' for a command's options.",
    )
    parser.add_argument("--version", action="version", version=f"akili {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    train = commands.add_parser(
        "train",
        help="train a network and report accuracy and time",
        description="Train the book's network (sigmoid layers, no bias, weights from "
        "N(0, n_in^-1/2), one-hot targets 0.01/0.99, one sample at a time).",
    )
    train.add_argument("--data", default="digits", help=DATA_HELP + " (default: digits, built in)")
    train.add_argument(
        "--hidden",
        type=_positive_int,
        nargs="*",
        default=[100],
        metavar="N",
        help="hidden layer sizes, e.g. --hidden 200 or --hidden 100 50 (default: 100)",
    )
    train.add_argument(
        "--epochs",
        type=_positive_int,
        help="passes over the training data (default: enough for about 20,000 samples, 1 to 50)",
    )
    train.add_argument("--lr", type=_positive_float, default=0.1, help="learning rate (default: 0.1)")
    train.add_argument(
        "--batch-size",
        type=_positive_int,
        default=1,
        help="samples per update; 1 is the book's online training (default)",
    )
    train.add_argument(
        "--rule",
        choices=RULES,
        default="transpose",
        help="how errors reach hidden layers (default: transpose, the book's)",
    )
    train.add_argument(
        "--activation",
        choices=ACTIVATIONS,
        default="sigmoid",
        help="activation of the hidden layers (default: sigmoid)",
    )
    train.add_argument(
        "--loss",
        choices=LOSSES,
        default="squared_error",
        help="squared_error (the book's, default), mse, or cross_entropy (with a softmax output)",
    )
    train.add_argument(
        "--seed",
        type=_non_negative_int,
        default=0,
        help="seeds the weights, the shuffling and the held-out split (default: 0)",
    )
    train.add_argument(
        "--dtype",
        choices=("float32", "float64"),
        default="float64",
        help="number type of weights and arithmetic (default: float64; float32 is faster)",
    )
    train.add_argument("--limit", type=_positive_int, metavar="N", help="train on the first N samples only")
    train.add_argument(
        "--scale",
        choices=SCALINGS,
        default="auto",
        help="input scaling: book (x/max*0.99+0.01), standard, minmax, none; auto: book for "
        "whole non-negative numbers such as pixels, else standard (default)",
    )
    train.add_argument(
        "--test-fraction",
        type=_fraction,
        default=0.2,
        help="share held out for testing when the data has no test split (default: 0.2)",
    )
    train.add_argument(
        "--no-shuffle",
        action="store_true",
        help="train in file order, as the book does (default: a new seeded order each epoch)",
    )
    train.add_argument(
        "--optimizer",
        choices=OPTIMIZERS,
        default="sgd",
        help="how each step changes the weights (torch.optim's definitions and defaults; default: sgd, the "
        "book's W += lr·ΔW)",
    )
    train.add_argument(
        "--momentum", type=_non_negative_float, metavar="M", help="momentum of sgd or rmsprop (default: 0)"
    )
    train.add_argument("--nesterov", action="store_true", help="Nesterov momentum (sgd, with --momentum)")
    train.add_argument(
        "--weight-decay",
        type=_non_negative_float,
        metavar="L",
        help="L2 weight decay λ (decoupled for adamw; default: 0, adamw 0.01; rprop has none)",
    )
    train.add_argument(
        "--dropout",
        type=_dropout_rate,
        default=0.0,
        metavar="P",
        help="drop each hidden node's output with probability P while training (inverted dropout after every "
        "hidden layer; default: 0, none)",
    )
    train.add_argument(
        "--early-stopping",
        action="store_true",
        help="hold out --validation-fraction of the training samples, stop once their loss has not "
        "improved for --patience epochs and keep the weights of the best epoch",
    )
    train.add_argument(
        "--patience",
        type=_non_negative_int,
        default=5,
        metavar="N",
        help="epochs without improvement before --early-stopping stops (default: 5)",
    )
    train.add_argument(
        "--validation-fraction",
        type=_fraction,
        default=0.1,
        help="share of the training samples --early-stopping holds out (default: 0.1)",
    )
    train.add_argument("--out", metavar="MODEL", help="save the trained model here (and MODEL.json beside it)")
    train.add_argument("--plot", metavar="PNG", help="draw the loss and accuracy curves here (needs matplotlib)")
    train.add_argument(
        "--log-every",
        type=_non_negative_int,
        metavar="N",
        help="record the running loss and accuracy every N samples inside each epoch, for --plot "
        "and MODEL.json (default: about 50 points per epoch; 0: none)",
    )
    train.add_argument("--quiet", action="store_true", help="no progress bar and no per-epoch lines")
    train.add_argument(
        "--stream",
        action="store_true",
        help="read the --data CSV file in batches while training, with memory bounded whatever its "
        "size (file order; see docs/data.md)",
    )
    train.add_argument(
        "--classes", type=_positive_int, metavar="N", help="number of classes, with --stream (default: 10)"
    )
    train.add_argument("--test-data", metavar="CSV", help="a CSV file to test on, with --stream")
    train.set_defaults(handler="train")

    evaluate = commands.add_parser("evaluate", help="accuracy, loss and confusion matrix of a saved model")
    evaluate.add_argument("model", metavar="MODEL")
    _add_data_options(evaluate)
    evaluate.add_argument("--no-confusion", action="store_true", help="omit the confusion matrix")
    evaluate.set_defaults(handler="evaluate")

    predict = commands.add_parser("predict", help="predicted class of every sample, as CSV")
    predict.add_argument("model", metavar="MODEL")
    _add_data_options(predict)
    predict.add_argument("--out", metavar="CSV", help="write here instead of to standard output")
    predict.set_defaults(handler="predict")

    info = commands.add_parser("info", help="describe a saved model")
    info.add_argument("model", metavar="MODEL")
    info.set_defaults(handler="info")

    backquery = commands.add_parser("backquery", help="draw what the network 'imagines' for each class")
    backquery.add_argument("model", metavar="MODEL")
    backquery.add_argument("--out", required=True, metavar="PNG", help="image file to write (needs matplotlib)")
    backquery.add_argument(
        "--shape", metavar="ROWSxCOLUMNS", help="picture shape when the inputs are not a square image"
    )
    backquery.set_defaults(handler="backquery")

    bench = commands.add_parser("bench", help="run the quick benchmark against the book's NumPy code", add_help=False)
    # Every argument after `bench` goes to the benchmark (see main()).
    bench.set_defaults(handler="bench")

    playground = commands.add_parser(
        "playground",
        help="an interactive page that trains a network live",
        description="Serve the playground page locally; Ctrl-C stops it.",
    )
    playground.add_argument(
        "--port",
        type=_non_negative_int,
        default=8765,
        help="port to listen on; 0 lets the system choose (default: 8765)",
    )
    playground.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this machine only)"
    )
    playground.add_argument("--no-browser", action="store_true", help="print the address without opening a browser")
    playground.set_defaults(handler="playground")
    return parser


def _handler(name: str) -> Callable[[argparse.Namespace], int]:
    # Imported per command so `akili info` does not load what training needs, and back.
    if name == "playground":
        from .playground import serve

        return lambda args: serve(args.host, args.port, open_browser=not args.no_browser)
    from . import _cli_model, _cli_train

    return {
        "train": _cli_train.run,
        "evaluate": _cli_model.evaluate,
        "predict": _cli_model.predict,
        "info": _cli_model.info,
        "backquery": _cli_model.backquery,
        "bench": _cli_model.bench,
    }[name]


def _message(error: BaseException) -> str:
    if isinstance(error, OSError) and error.filename is not None and error.strerror:
        return f"{error.filename}: {error.strerror}"
    text = str(error).strip() or type(error).__name__
    return text.splitlines()[0] if isinstance(error, ImportError) else " ".join(text.split())


def main(argv: Sequence[str] | None = None) -> int:
    """Runs the ``akili`` command with ``argv`` (default: ``sys.argv[1:]``); returns the exit status."""
    parser = build_parser()
    try:
        args, extra = parser.parse_known_args(None if argv is None else list(argv))
        if extra and args.handler != "bench":
            parser.error(f"unrecognized arguments: {' '.join(extra)}")
        args.bench_args = extra
    except SystemExit as exit_request:  # --help, --version, or a malformed command line (already reported)
        code = exit_request.code
        return code if isinstance(code, int) else (0 if code is None else EXIT_USAGE)
    try:
        return _handler(args.handler)(args)
    except KeyboardInterrupt:
        print("akili: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (akili predict ... | head): nothing more to say, and
        # stdout now points at /dev/null so the interpreter's final flush stays quiet.
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError, AttributeError):
            pass
        return EXIT_ERROR
    except (UserError, ValueError, TypeError, OSError, ImportError, ArithmeticError) as error:
        # User mistakes (bad files, bad values, missing optional packages, a diverging
        # run): one line, no traceback. ArithmeticError covers akili.DivergenceError.
        print(f"akili {args.command}: error: {_message(error)}", file=sys.stderr)
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
