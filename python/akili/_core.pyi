"""
akili's C++ core (Eigen); use the akili package rather than this module directly.
"""
from __future__ import annotations
import collections.abc
import numpy
import numpy.typing
import typing
import typing_extensions
__all__: list[str] = ['ACTIVATIONS', 'CsvError', 'CsvRows', 'DivergenceError', 'INITS', 'LOSSES', 'ModelFormatError', 'Network32', 'Network64', 'NonFiniteDataError', 'OPTIMIZERS', 'OptimizerState32', 'OptimizerState64', 'RULES', 'backquery', 'brute_force', 'build_info', 'check_optimizer', 'combination_text', 'csv_blocks', 'decode_idx', 'flat_parameters', 'get_num_threads', 'load_model', 'load_model_bytes', 'loss_and_gradient', 'model_to_bytes', 'optimizer_defaults', 'predicted_classes', 'random_state', 'read_csv', 'save_model', 'searchable_parameters', 'set_flat_parameters', 'set_num_threads', 'set_random_state', 'train_restarts']
ACTIVATIONS: tuple[str, ...]
LOSSES: tuple[str, ...]
RULES: tuple[str, ...]
INITS: tuple[str, ...]
OPTIMIZERS: tuple[str, ...]
class DivergenceError(ArithmeticError):
    pass
class NonFiniteDataError(ValueError):
    data: str
    row: int
class OptimizerState32:
    """
    A copy of a network's optimizer: settings and per-tensor state.
    """
    @property
    def name(self) -> str:
        ...
    @property
    def tensors(self) -> list:
        ...
class Network32:
    """
    A network of dense layers (see akili.Network for the documented API).
    """
    rule: str
    def __init__(self, layers: collections.abc.Sequence[tuple[typing.SupportsInt | typing.SupportsIndex, typing.SupportsInt | typing.SupportsIndex, str, bool]], loss: str, rule: str, learning_rate: typing.SupportsFloat | typing.SupportsIndex, init: str, seed: typing.SupportsInt | typing.SupportsIndex) -> None:
        ...
    def bias(self, index: typing.SupportsInt | typing.SupportsIndex) -> typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, 1]"]:
        ...
    def copy(self) -> Network32:
        ...
    def forward_trace(self, inputs: typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, n]", "flags.c_contiguous"]) -> dict:
        ...
    def initialize(self, init: str, seed: typing.SupportsInt | typing.SupportsIndex) -> None:
        ...
    def layer_info(self, index: typing.SupportsInt | typing.SupportsIndex) -> tuple[int, int, str, bool, bool]:
        ...
    def loss_value(self, inputs: typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, n]", "flags.c_contiguous"], targets: typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, n]", "flags.c_contiguous"]) -> float:
        ...
    def optimizer_state(self) -> OptimizerState32:
        """
        A copy of the optimizer with its state.
        """
    def predict(self, inputs: typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, n]", "flags.c_contiguous"]) -> typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, n]"]:
        ...
    def set_bias(self, index: typing.SupportsInt | typing.SupportsIndex, bias: typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, 1]"]) -> None:
        ...
    def set_frozen(self, index: typing.SupportsInt | typing.SupportsIndex, frozen: bool) -> None:
        ...
    def set_dropout(self, index: typing.SupportsInt | typing.SupportsIndex, rate: typing.SupportsFloat | typing.SupportsIndex) -> None:
        """
        Inverted dropout on layer index's outputs while training (0 <= rate < 1; not the output layer).
        """
    def dropout(self, index: typing.SupportsInt | typing.SupportsIndex) -> float:
        """
        Layer index's dropout rate (0: none).
        """
    def set_optimizer(self, name: str, settings: dict) -> None:
        """
        Selects an optimizer with fresh state (settings by keyword name).
        """
    def set_optimizer_state(self, state: OptimizerState32) -> None:
        """
        Restores a copy taken by optimizer_state().
        """
    def set_trainable_mask(self, index: typing.SupportsInt | typing.SupportsIndex, mask: typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, n]", "flags.c_contiguous"]) -> None:
        ...
    def set_weights(self, index: typing.SupportsInt | typing.SupportsIndex, weights: typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, n]", "flags.c_contiguous"]) -> None:
        ...
    def train_epoch(self, inputs: typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, n]", "flags.c_contiguous"], targets: typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, n]", "flags.c_contiguous"], batch_size: typing.SupportsInt | typing.SupportsIndex, shuffle: bool, progress: typing.Any = None, every: typing.SupportsInt | typing.SupportsIndex = 0, sample_weights: typing.Any = None) -> tuple[float, int, int, bool, float]:
        """
        One epoch: (loss_sum, correct, samples, stopped, weight_sum); loss_sum / weight_sum is the mean loss.
        """
    def predict_example(self, inputs: typing.Any) -> typing.Any:
        """
        The outputs for one 1-D float example; None (nothing done) for other input.
        """
    def step_example(self, inputs: typing.Any, targets: typing.Any) -> typing.Any:
        """
        One immediate online step on 1-D float arrays, returning the loss; None (nothing done) for other input.
        """
    def train_example(self, inputs: typing.Any, targets: typing.Any, caller: str) -> bool:
        """
        Queue one online step if both are 1-D float arrays of the right length; False (nothing done) otherwise.
        """
    def train_step(self, inputs: typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, n]", "flags.c_contiguous"], targets: typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, n]", "flags.c_contiguous"], trace: bool = False) -> tuple[float, typing.Any]:
        ...
    def trainable_mask(self, index: typing.SupportsInt | typing.SupportsIndex) -> typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, n]"]:
        ...
    def weights(self, index: typing.SupportsInt | typing.SupportsIndex) -> typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, n]"]:
        ...
    @property
    def inputs(self) -> int:
        ...
    @property
    def layer_count(self) -> int:
        ...
    @property
    def learning_rate(self) -> float:
        ...
    @learning_rate.setter
    def learning_rate(self, arg1: typing.SupportsFloat | typing.SupportsIndex) -> None:
        ...
    @property
    def loss(self) -> str:
        ...
    @property
    def optimizer(self) -> tuple[str, dict]:
        ...
    @property
    def outputs(self) -> int:
        ...
    @property
    def single_steps(self) -> int:
        ...
    @property
    def uses_fast_paths(self) -> bool:
        ...
class OptimizerState64:
    """
    A copy of a network's optimizer: settings and per-tensor state.
    """
    @property
    def name(self) -> str:
        ...
    @property
    def tensors(self) -> list:
        ...
class Network64:
    """
    A network of dense layers (see akili.Network for the documented API).
    """
    rule: str
    def __init__(self, layers: collections.abc.Sequence[tuple[typing.SupportsInt | typing.SupportsIndex, typing.SupportsInt | typing.SupportsIndex, str, bool]], loss: str, rule: str, learning_rate: typing.SupportsFloat | typing.SupportsIndex, init: str, seed: typing.SupportsInt | typing.SupportsIndex) -> None:
        ...
    def bias(self, index: typing.SupportsInt | typing.SupportsIndex) -> typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, 1]"]:
        ...
    def copy(self) -> Network64:
        ...
    def forward_trace(self, inputs: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]", "flags.c_contiguous"]) -> dict:
        ...
    def initialize(self, init: str, seed: typing.SupportsInt | typing.SupportsIndex) -> None:
        ...
    def layer_info(self, index: typing.SupportsInt | typing.SupportsIndex) -> tuple[int, int, str, bool, bool]:
        ...
    def loss_value(self, inputs: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]", "flags.c_contiguous"], targets: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]", "flags.c_contiguous"]) -> float:
        ...
    def optimizer_state(self) -> OptimizerState64:
        """
        A copy of the optimizer with its state.
        """
    def predict(self, inputs: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]", "flags.c_contiguous"]) -> typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]"]:
        ...
    def set_bias(self, index: typing.SupportsInt | typing.SupportsIndex, bias: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, 1]"]) -> None:
        ...
    def set_frozen(self, index: typing.SupportsInt | typing.SupportsIndex, frozen: bool) -> None:
        ...
    def set_dropout(self, index: typing.SupportsInt | typing.SupportsIndex, rate: typing.SupportsFloat | typing.SupportsIndex) -> None:
        """
        Inverted dropout on layer index's outputs while training (0 <= rate < 1; not the output layer).
        """
    def dropout(self, index: typing.SupportsInt | typing.SupportsIndex) -> float:
        """
        Layer index's dropout rate (0: none).
        """
    def set_optimizer(self, name: str, settings: dict) -> None:
        """
        Selects an optimizer with fresh state (settings by keyword name).
        """
    def set_optimizer_state(self, state: OptimizerState64) -> None:
        """
        Restores a copy taken by optimizer_state().
        """
    def set_trainable_mask(self, index: typing.SupportsInt | typing.SupportsIndex, mask: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]", "flags.c_contiguous"]) -> None:
        ...
    def set_weights(self, index: typing.SupportsInt | typing.SupportsIndex, weights: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]", "flags.c_contiguous"]) -> None:
        ...
    def train_epoch(self, inputs: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]", "flags.c_contiguous"], targets: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]", "flags.c_contiguous"], batch_size: typing.SupportsInt | typing.SupportsIndex, shuffle: bool, progress: typing.Any = None, every: typing.SupportsInt | typing.SupportsIndex = 0, sample_weights: typing.Any = None) -> tuple[float, int, int, bool, float]:
        """
        One epoch: (loss_sum, correct, samples, stopped, weight_sum); loss_sum / weight_sum is the mean loss.
        """
    def predict_example(self, inputs: typing.Any) -> typing.Any:
        """
        The outputs for one 1-D float example; None (nothing done) for other input.
        """
    def step_example(self, inputs: typing.Any, targets: typing.Any) -> typing.Any:
        """
        One immediate online step on 1-D float arrays, returning the loss; None (nothing done) for other input.
        """
    def train_example(self, inputs: typing.Any, targets: typing.Any, caller: str) -> bool:
        """
        Queue one online step if both are 1-D float arrays of the right length; False (nothing done) otherwise.
        """
    def train_step(self, inputs: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]", "flags.c_contiguous"], targets: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]", "flags.c_contiguous"], trace: bool = False) -> tuple[float, typing.Any]:
        ...
    def trainable_mask(self, index: typing.SupportsInt | typing.SupportsIndex) -> typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]"]:
        ...
    def weights(self, index: typing.SupportsInt | typing.SupportsIndex) -> typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]"]:
        ...
    @property
    def inputs(self) -> int:
        ...
    @property
    def layer_count(self) -> int:
        ...
    @property
    def learning_rate(self) -> float:
        ...
    @learning_rate.setter
    def learning_rate(self, arg1: typing.SupportsFloat | typing.SupportsIndex) -> None:
        ...
    @property
    def loss(self) -> str:
        ...
    @property
    def optimizer(self) -> tuple[str, dict]:
        ...
    @property
    def outputs(self) -> int:
        ...
    @property
    def single_steps(self) -> int:
        ...
    @property
    def uses_fast_paths(self) -> bool:
        ...
class ModelFormatError(ValueError):
    """
    A model file that is not well formed: wrong magic bytes, a newer format version, truncated, trailing bytes, a checksum mismatch, an unknown code, an absurd size, layers that do not chain or a non-finite weight. A subclass of ValueError.
    """
class CsvError(ValueError):
    """
    A CSV file the native reader refuses; args = (message, details dict).
    """
class CsvRows:
    def __init__(self, path: str, label_column: typing.SupportsInt | typing.SupportsIndex, delimiter: str, scaling: str, max_value: typing.SupportsFloat | typing.SupportsIndex, range: typing.Any = None) -> None:
        ...
    @typing.overload
    def read(self, features: typing.Annotated[numpy.typing.ArrayLike, numpy.float32], labels: typing.Annotated[numpy.typing.ArrayLike, numpy.int64]) -> int:
        ...
    @typing.overload
    def read(self, features: typing.Annotated[numpy.typing.ArrayLike, numpy.float64], labels: typing.Annotated[numpy.typing.ArrayLike, numpy.int64]) -> int:
        """
        Fills up to len(features) rows; returns how many (0 at the end).
        """
    @property
    def feature_columns(self) -> int:
        ...
@typing.overload
def flat_parameters(network: Network32) -> typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, 1]"]:
    """
    Every weight and bias, flattened layer by layer (W row by row, then b).
    """
@typing.overload
def flat_parameters(network: Network64) -> typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, 1]"]:
    """
    Every weight and bias, flattened layer by layer (W row by row, then b).
    """
@typing.overload
def loss_and_gradient(network: Network32, inputs: typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, n]", "flags.c_contiguous"], targets: typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, n]", "flags.c_contiguous"], sample_weights: typing.Annotated[numpy.typing.ArrayLike, numpy.float32, "[m, 1]"], l2: typing.SupportsFloat | typing.SupportsIndex, caller: str) -> tuple:
    """
    (J, dJ/dθ flattened) over the whole data set: weighted mean loss + l2/2·Σ‖W‖² (empty weights: all 1).
    """
@typing.overload
def loss_and_gradient(network: Network64, inputs: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]", "flags.c_contiguous"], targets: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]", "flags.c_contiguous"], sample_weights: typing.Annotated[numpy.typing.ArrayLike, numpy.float64, "[m, 1]"], l2: typing.SupportsFloat | typing.SupportsIndex, caller: str) -> tuple:
    """
    (J, dJ/dθ flattened) over the whole data set: weighted mean loss + l2/2·Σ‖W‖² (empty weights: all 1).
    """
@typing.overload
def set_flat_parameters(network: Network32, values: typing.Annotated[numpy.typing.ArrayLike, numpy.float32, "[m, 1]"], caller: str) -> None:
    """
    Sets every weight and bias from flat_parameters' layout.
    """
@typing.overload
def set_flat_parameters(network: Network64, values: typing.Annotated[numpy.typing.ArrayLike, numpy.float64, "[m, 1]"], caller: str) -> None:
    """
    Sets every weight and bias from flat_parameters' layout.
    """
@typing.overload
def backquery(network: Network32, targets: typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, n]", "flags.c_contiguous"]) -> typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, n]"]:
    """
    Input-space signals (n, inputs) for targets (n, outputs); see akili.Network.backquery.
    """
@typing.overload
def backquery(network: Network64, targets: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]", "flags.c_contiguous"]) -> typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]"]:
    """
    Input-space signals (n, inputs) for targets (n, outputs); see akili.Network.backquery.
    """
@typing.overload
def brute_force(network: Network32, inputs: typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, n]", "flags.c_contiguous"], targets: typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, n]", "flags.c_contiguous"], grid: collections.abc.Sequence[typing.SupportsFloat | typing.SupportsIndex], limit: typing.SupportsInt | typing.SupportsIndex) -> dict:
    """
    Best grid point for the network's searchable weights and biases (see akili.brute_force).
    """
@typing.overload
def brute_force(network: Network64, inputs: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]", "flags.c_contiguous"], targets: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]", "flags.c_contiguous"], grid: collections.abc.Sequence[typing.SupportsFloat | typing.SupportsIndex], limit: typing.SupportsInt | typing.SupportsIndex) -> dict:
    """
    Best grid point for the network's searchable weights and biases (see akili.brute_force).
    """
def build_info() -> dict:
    """
    The core's build (compiler, Eigen, native or portable) and product kernels: compiled, supported by this CPU, in use; raises ValueError for a bad AKILI_ISA.
    """
def check_optimizer(name: str, settings: dict, where: str) -> None:
    """
    Raises ValueError naming `where` when the settings are out of torch.optim's range.
    """
def combination_text(grid_size: typing.SupportsInt | typing.SupportsIndex, parameters: typing.SupportsInt | typing.SupportsIndex) -> str:
    """
    "G^P = N combinations" for G grid values and P parameters, e.g. "1000^18 = 1e54 combinations".
    """
def csv_blocks(path: str, label_column: typing.SupportsInt | typing.SupportsIndex, delimiter: str, block_bytes: typing.SupportsInt | typing.SupportsIndex) -> tuple[dict, list]:
    """
    The file's layout and its data rows cut into blocks: [(begin, end, first_line, rows), ...].
    """
@typing.overload
def decode_idx(type_code: typing.SupportsInt | typing.SupportsIndex, chunk: typing_extensions.Buffer, out: typing.Annotated[numpy.typing.ArrayLike, numpy.float32], offset: typing.SupportsInt | typing.SupportsIndex, scaling: str, max_value: typing.SupportsFloat | typing.SupportsIndex) -> None:
    ...
@typing.overload
def decode_idx(type_code: typing.SupportsInt | typing.SupportsIndex, chunk: typing_extensions.Buffer, out: typing.Annotated[numpy.typing.ArrayLike, numpy.float64], offset: typing.SupportsInt | typing.SupportsIndex, scaling: str, max_value: typing.SupportsFloat | typing.SupportsIndex) -> None:
    """
    Converts a chunk of big-endian IDX values into out.flat[offset:], scaled.
    """
def get_num_threads() -> int:
    """
    Threads training and prediction use (>= 1).
    """
def load_model(path: str, caller: str) -> tuple:
    """
    Reads a model file: (network, dtype, seed, init).
    """
def load_model_bytes(data: bytes, caller: str) -> tuple:
    """
    Parses a model file held in memory: (network, dtype, seed, init).
    """
@typing.overload
def model_to_bytes(network: Network32, seed: typing.SupportsInt | typing.SupportsIndex, init: str) -> bytes:
    """
    The model file's bytes for a network.
    """
@typing.overload
def model_to_bytes(network: Network64, seed: typing.SupportsInt | typing.SupportsIndex, init: str) -> bytes:
    """
    The model file's bytes for a network.
    """
def read_csv(path: str, label_column: typing.SupportsInt | typing.SupportsIndex, delimiter: str, dtype: str, scaling: str, max_value: typing.SupportsFloat | typing.SupportsIndex) -> tuple:
    """
    Reads a whole numeric CSV file: (features (n, columns-1) of dtype, int64 labels (n,)).
    """
def optimizer_defaults(name: str) -> dict:
    """
    torch.optim's defaults for the optimizer `name`, as keyword settings.
    """
@typing.overload
def predicted_classes(outputs: typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, n]", "flags.c_contiguous"]) -> numpy.typing.NDArray[numpy.int64]:
    ...
@typing.overload
def predicted_classes(outputs: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]", "flags.c_contiguous"]) -> numpy.typing.NDArray[numpy.int64]:
    """
    The class each row of outputs (n, k) predicts: argmax (first on a tie); one output: 1 when >= 0.5.
    """
@typing.overload
def random_state(network: Network32) -> tuple[int, int, int, int, int, int]:
    """
    The network's random source as six unsigned 64-bit words.
    """
@typing.overload
def random_state(network: Network64) -> tuple[int, int, int, int, int, int]:
    """
    The network's random source as six unsigned 64-bit words.
    """
@typing.overload
def set_random_state(network: Network32, state: tuple[int, int, int, int, int, int]) -> None:
    """
    Replaces the network's random source with a saved state.
    """
@typing.overload
def set_random_state(network: Network64, state: tuple[int, int, int, int, int, int]) -> None:
    """
    Replaces the network's random source with a saved state.
    """
@typing.overload
def save_model(network: Network32, path: str, seed: typing.SupportsInt | typing.SupportsIndex, init: str, caller: str) -> None:
    """
    Writes the model file crash-safely (temporary file, fsync, atomic rename).
    """
@typing.overload
def save_model(network: Network64, path: str, seed: typing.SupportsInt | typing.SupportsIndex, init: str, caller: str) -> None:
    """
    Writes the model file crash-safely (temporary file, fsync, atomic rename).
    """
@typing.overload
def searchable_parameters(network: Network32) -> int:
    """
    Number of weights and biases brute force would search.
    """
@typing.overload
def searchable_parameters(network: Network64) -> int:
    """
    Number of weights and biases brute force would search.
    """
def set_num_threads(n: typing.SupportsInt | typing.SupportsIndex) -> None:
    """
    Threads for later training and prediction calls; n <= 0 restores the default (OMP_NUM_THREADS if set, else every core).
    """
@typing.overload
def train_restarts(networks: collections.abc.Sequence[Network32], inputs: typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, n]", "flags.c_contiguous"], targets: typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, n]", "flags.c_contiguous"], score_inputs: typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, n]", "flags.c_contiguous"], score_targets: typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, n]", "flags.c_contiguous"], epochs: typing.SupportsInt | typing.SupportsIndex, batch_size: typing.SupportsInt | typing.SupportsIndex, shuffle: bool, threads: typing.SupportsInt | typing.SupportsIndex) -> list:
    """
    Trains each network (all of one dtype) on (inputs, targets) on parallel threads and scores it by its mean loss on (score_inputs, score_targets); returns one dict per run: loss, correct, samples, epoch_seconds (per epoch), score, stopped, error.
    """
@typing.overload
def train_restarts(networks: collections.abc.Sequence[Network64], inputs: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]", "flags.c_contiguous"], targets: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]", "flags.c_contiguous"], score_inputs: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]", "flags.c_contiguous"], score_targets: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]", "flags.c_contiguous"], epochs: typing.SupportsInt | typing.SupportsIndex, batch_size: typing.SupportsInt | typing.SupportsIndex, shuffle: bool, threads: typing.SupportsInt | typing.SupportsIndex) -> list:
    """
    Trains each network (all of one dtype) on (inputs, targets) on parallel threads and scores it by its mean loss on (score_inputs, score_targets); returns one dict per run: loss, correct, samples, epoch_seconds (per epoch), score, stopped, error.
    """
