"""akili from C++: the core's own C++ tests (ctest), its CMake package installed
both ways (standalone prefix, and inside the wheel via ``python -m akili
--cmake-dir``), a downstream project built against each, every program of the
C++ guide (docs/cpp.md), the C++ example, and models moved between Python and
C++ with bit-identical predictions. Everything is built warning-free:
``-Wall -Wextra -Wpedantic -Werror``.

Each build happens once per test session (session fixtures) with -j2.
"""

from __future__ import annotations

import gzip
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import require_system

import akili

REPO = Path(__file__).resolve().parents[1]
FASHION_MNIST = Path("/usr/share/datasets/fashion-mnist")
JOBS = "-j2"
GUIDE = REPO / "docs" / "cpp.md"
STRICT = "-DCMAKE_CXX_FLAGS=-Wall -Wextra -Wpedantic -Werror"


def run(*command: str | os.PathLike[str], env: dict[str, str] | None = None) -> str:
    """Run a command (with extra environment variables `env`); on failure show its output."""
    result = subprocess.run(
        [str(part) for part in command], capture_output=True, text=True, env={**os.environ, **(env or {})}
    )
    if result.returncode != 0:
        pytest.fail(
            f"{' '.join(map(str, command))} exited with {result.returncode}\n"
            f"--- stdout\n{result.stdout[-6000:]}\n--- stderr\n{result.stderr[-6000:]}"
        )
    return result.stdout


def require_toolchain() -> None:
    require_system("cmake", "building the C++ core needs CMake (Debian: cmake)")
    require_system("c++", "building the C++ core needs a C++17 compiler (Debian: g++)")
    if not (REPO / "CMakeLists.txt").is_file() or not (REPO / "tests" / "consumer").is_dir():
        pytest.skip("the C++ tests need akili's source tree")


def build_project(source: Path, build: Path, *options: str) -> None:
    run("cmake", "-S", source, "-B", build, "-DCMAKE_BUILD_TYPE=Release", *options)
    run("cmake", "--build", build, JOBS)


@pytest.fixture(scope="session")
def standalone_prefix(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The core built without Python, its C++ tests built, and installed to a prefix."""
    require_toolchain()
    require_system("/usr/include/eigen3/Eigen/Core", "the standalone build uses the system Eigen (libeigen3-dev)")
    require_system("/usr/include/doctest/doctest.h", "the C++ unit tests use doctest (doctest-dev)")
    root = tmp_path_factory.mktemp("standalone")
    build, prefix = root / "build", root / "prefix"
    build_project(
        REPO,
        build,
        "-DAKILI_BUILD_PYTHON=OFF",
        "-DAKILI_BUILD_TESTS=ON",
        "-DAKILI_BUILD_EXAMPLES=OFF",
        "-DAKILI_WERROR=ON",
    )
    (root / "ctest.log").write_text(run("ctest", "--test-dir", build, "--output-on-failure"))
    run("cmake", "--install", build, "--prefix", prefix)
    return prefix


@pytest.fixture(scope="session")
def wheel_cmake_dir() -> Path:
    """The CMake package inside the installed wheel, as `python -m akili --cmake-dir` reports it."""
    require_toolchain()
    package = Path(akili.__file__).resolve().parent
    if REPO / "python" in package.parents:
        pytest.skip("akili is imported from the source tree, not an installed wheel")
    return Path(run(sys.executable, "-m", "akili", "--cmake-dir").strip())


@pytest.fixture(scope="session")
def consumers(
    standalone_prefix: Path, wheel_cmake_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Path]:
    """tests/consumer built against each install; name -> executable."""
    root = tmp_path_factory.mktemp("consumers")
    build_project(REPO / "tests" / "consumer", root / "standalone", f"-DCMAKE_PREFIX_PATH={standalone_prefix}", STRICT)
    build_project(REPO / "tests" / "consumer", root / "wheel", f"-Dakili_DIR={wheel_cmake_dir}", STRICT)
    return {"standalone": root / "standalone" / "consumer", "wheel": root / "wheel" / "consumer"}


@pytest.fixture(scope="session")
def example(standalone_prefix: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """examples/cpp built as its own project against the standalone install."""
    build = tmp_path_factory.mktemp("example")
    build_project(REPO / "examples" / "cpp", build, f"-DCMAKE_PREFIX_PATH={standalone_prefix}")
    return build / "akili_example"


def test_cpp_unit_tests_pass_under_ctest(standalone_prefix: Path) -> None:
    log = (standalone_prefix.parent / "ctest.log").read_text()
    assert re.search(r"100% tests passed.* out of \d+", log), log
    for area in ("activation", "loss", "network", "model_file", "random", "products"):
        assert f"cpp.{area} " in log
    if akili.build_info()["architecture"] == "x86_64":
        assert "cpp.isa_objects " in log  # the kernels' objects share no code with baseline objects


def guide_blocks(language: str) -> list[str]:
    """The fenced ``language`` blocks of docs/cpp.md, in order."""
    return re.findall(rf"^```{language}\n(.*?)^```", GUIDE.read_text(encoding="utf-8"), flags=re.S | re.M)


@pytest.fixture(scope="session")
def guide_programs(
    standalone_prefix: Path, wheel_cmake_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, list[Path]]:
    """Every C++ program of docs/cpp.md, built with the guide's own CMakeLists.txt
    (one more executable per further program) against each install; route -> executables."""
    (cmake_lists,) = guide_blocks("cmake")
    programs = guide_blocks("cpp")
    assert len(programs) >= 4 and all("int main()" in program for program in programs)
    source = tmp_path_factory.mktemp("guide")
    (source / "main.cpp").write_text(programs[0])
    extra = ""
    for index, program in enumerate(programs[1:], start=1):
        (source / f"program{index}.cpp").write_text(program)
        extra += (
            f"add_executable(program{index} program{index}.cpp)\n"
            f"target_link_libraries(program{index} PRIVATE akili::akili)\n"
        )
    (source / "CMakeLists.txt").write_text(cmake_lists + extra)
    built = {}
    for route, option in (
        ("standalone", f"-DCMAKE_PREFIX_PATH={standalone_prefix}"),
        ("wheel", f"-Dakili_DIR={wheel_cmake_dir}"),
    ):
        build = source.parent / f"{source.name}-{route}"
        build_project(source, build, option, STRICT)
        built[route] = [build / "myapp"] + [build / f"program{index}" for index in range(1, len(programs))]
    return built


@pytest.mark.parametrize("route", ["standalone", "wheel"])
def test_every_program_of_the_cpp_guide_compiles_warning_free_and_runs(
    guide_programs: dict[str, list[Path]], tmp_path: Path, route: str
) -> None:
    outputs = []
    for program in guide_programs[route]:
        result = subprocess.run(
            [str(program)], capture_output=True, text=True, cwd=tmp_path, env={**os.environ, "OMP_NUM_THREADS": "2"}
        )
        assert result.returncode == 0, f"{program.name}: {result.stdout}{result.stderr}"
        outputs.append(result.stdout)
    # The guide's claims about what the programs print.
    xor = outputs[0].splitlines()
    assert [float(line.split("-> ")[1]) >= 0.5 for line in xor[:4]] == [False, True, True, False]
    assert xor[4] == "seed 11"
    assert akili.load(tmp_path / "xor.akili").seed == 11  # Python reads what C++ saved
    assert "[Network::predict]" in outputs[2] and "no-such-model.akili" in outputs[2]
    assert f"in use: {akili.build_info()['active']} (CPU)" in outputs[3]


def test_a_network_built_with_a_seed_is_initialised_and_saves_that_seed(
    consumers: dict[str, Path], tmp_path: Path
) -> None:
    # The consumer builds 2-3-1 layers with seed 11 and never calls initialize().
    run(consumers["standalone"], "seeded", tmp_path / "seeded.akili")
    network = akili.load(tmp_path / "seeded.akili")
    assert (network.seed, network._init) == (11, "book")
    reference = akili.Network(
        [akili.Dense(2, 3, activation="tanh", bias=True), akili.Dense(3, 1, bias=True)],
        loss="cross_entropy",
        rule="gradient",
        learning_rate=0.5,
        init="book",
        seed=11,
    )
    for loaded, drawn in zip(network.layers, reference.layers):
        assert np.any(loaded.weights != 0)
        assert loaded.weights.tobytes() == drawn.weights.tobytes()  # the book's init from seed 11, as in Python


def test_standalone_install_layout(standalone_prefix: Path) -> None:
    config = standalone_prefix / "lib" / "cmake" / "akili"
    for name in ("akiliConfig.cmake", "akiliConfigVersion.cmake", "akiliTargets.cmake"):
        assert (config / name).is_file()
    assert (standalone_prefix / "lib" / "libakili.a").is_file()
    assert (standalone_prefix / "include" / "akili" / "model_file.hpp").is_file()
    targets = (config / "akiliTargets.cmake").read_text()
    # Consumers must compile with the library's alignment and language level.
    assert "EIGEN_MAX_ALIGN_BYTES=64" in targets
    assert "cxx_std_17" in targets
    # No instruction-set flag reaches a consumer: it compiles for its own target.
    assert "-march" not in targets and "-mavx" not in targets
    assert "find_dependency(Eigen3" in (config / "akiliConfig.cmake").read_text()


def test_wheel_ships_the_cmake_package(wheel_cmake_dir: Path) -> None:
    assert wheel_cmake_dir == Path(akili.__file__).resolve().parent / "lib" / "cmake" / "akili"
    assert (wheel_cmake_dir / "akiliConfig.cmake").is_file()
    assert (wheel_cmake_dir.parents[2] / "include" / "akili" / "network.hpp").is_file()


@pytest.mark.parametrize("route", ["standalone", "wheel"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_python_model_predicts_bit_identically_in_cpp(
    consumers: dict[str, Path], tmp_path: Path, route: str, dtype: str
) -> None:
    network = akili.Network(
        [
            akili.Dense(5, 12, activation="relu", bias=True),
            akili.Dense(12, 7, activation="sigmoid"),
            akili.Dense(7, 3, activation="softmax", bias=True),
        ],
        loss="cross_entropy",
        rule="gradient",
        learning_rate=0.1,
        dtype=dtype,
        init="he",
        seed=21,
    )
    rng = np.random.default_rng(8)
    network.fit(rng.normal(size=(60, 5)), np.eye(3)[rng.integers(0, 3, 60)], epochs=3)
    network.save(tmp_path / "model.akili")
    inputs = rng.normal(size=(200, 5)).astype(dtype)
    inputs.astype(f"<{inputs.dtype.str[1:]}").tofile(tmp_path / "inputs.bin")

    run(consumers[route], "predict", tmp_path / "model.akili", tmp_path / "inputs.bin", tmp_path / "outputs.bin")
    outputs = np.fromfile(tmp_path / "outputs.bin", dtype=f"<{inputs.dtype.str[1:]}").reshape(200, 3)
    assert outputs.tobytes() == network.predict(inputs).tobytes()

    # C++ reads exactly what Python wrote, and writes it back byte for byte.
    run(consumers[route], "resave", tmp_path / "model.akili", tmp_path / "copy.akili")
    assert (tmp_path / "copy.akili").read_bytes() == (tmp_path / "model.akili").read_bytes()


@pytest.mark.parametrize("route", ["standalone", "wheel"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_cpp_model_predicts_bit_identically_in_python(
    consumers: dict[str, Path], tmp_path: Path, route: str, dtype: str
) -> None:
    run(consumers[route], "train-xor", tmp_path / "xor.akili", dtype)
    network = akili.load(tmp_path / "xor.akili")
    assert network.dtype == np.dtype(dtype)
    assert (network.loss, network.rule, network.learning_rate, network.seed) == ("cross_entropy", "gradient", 0.5, 11)
    assert [(layer.inputs, layer.outputs, layer.activation, layer.has_bias) for layer in network.layers] == [
        (2, 3, "tanh", True),
        (3, 1, "sigmoid", True),
    ]

    inputs = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=dtype)
    inputs.tofile(tmp_path / "inputs.bin")
    run(consumers[route], "predict", tmp_path / "xor.akili", tmp_path / "inputs.bin", tmp_path / "outputs.bin")
    expected = np.fromfile(tmp_path / "outputs.bin", dtype=dtype).reshape(4, 1)
    assert network.predict(inputs).tobytes() == expected.tobytes()
    # C++ learned XOR, and Python sees the same answers.
    np.testing.assert_array_equal(network.predict(inputs)[:, 0] >= 0.5, [False, True, True, False])
    assert network.to_bytes() == (tmp_path / "xor.akili").read_bytes()


def test_cpp_reports_damaged_models_clearly(consumers: dict[str, Path], tmp_path: Path) -> None:
    data = akili.Network([akili.Dense(2, 2)], seed=1).to_bytes()
    (tmp_path / "cut.akili").write_bytes(data[:-3])
    result = subprocess.run(
        [str(consumers["wheel"]), "describe", str(tmp_path / "cut.akili")], capture_output=True, text=True
    )
    assert result.returncode == 3
    assert "bad model file" in result.stderr and "truncated" in result.stderr


def test_example_trains_xor_and_saves_it(example: Path, tmp_path: Path) -> None:
    output = run(example, "xor", "--save", tmp_path / "xor.akili")
    assert "xor accuracy: 1.0000" in output
    network = akili.load(tmp_path / "xor.akili")
    outputs = network.predict(np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]))
    np.testing.assert_array_equal(outputs[:, 0] >= 0.5, [False, True, True, False])


def test_example_trains_the_book_network_on_fashion_mnist(example: Path, tmp_path: Path) -> None:
    require_system(str(FASHION_MNIST), "the example's IDX test uses Debian's dataset-fashion-mnist")
    data = tmp_path / "idx"
    data.mkdir()
    # Raw IDX, so the test holds whether or not the example was built with zlib.
    for name in (
        "train-images-idx3-ubyte",
        "train-labels-idx1-ubyte",
        "t10k-images-idx3-ubyte",
        "t10k-labels-idx1-ubyte",
    ):
        with gzip.open(FASHION_MNIST / f"{name}.gz") as source, open(data / name, "wb") as target:
            shutil.copyfileobj(source, target)

    # One core thread: this checks the example and its model file, and one thread
    # keeps the run short however busy the machine is.
    output = run(
        example,
        "mnist",
        data,
        "--train-limit",
        "3000",
        "--test-limit",
        "1000",
        "--save",
        tmp_path / "fashion.akili",
        env={"OMP_NUM_THREADS": "1"},
    )
    accuracy = float(output.split("test accuracy: ")[1].split()[0])
    assert accuracy > 0.6, output  # 10 classes: chance is 0.1

    # The saved model scores the same in C++ after loading, and in Python.
    reloaded = run(
        example, "evaluate", tmp_path / "fashion.akili", data, "--test-limit", "1000", env={"OMP_NUM_THREADS": "1"}
    )
    assert f"test accuracy: {accuracy:.4f}" in reloaded
    network = akili.load(tmp_path / "fashion.akili")
    assert [(layer.inputs, layer.outputs) for layer in network.layers] == [(784, 200), (200, 10)]
    images = np.fromfile(data / "t10k-images-idx3-ubyte", dtype=np.uint8, offset=16)[:784_000].reshape(1000, 784)
    labels = np.fromfile(data / "t10k-labels-idx1-ubyte", dtype=np.uint8, offset=8)[:1000]
    python_accuracy = np.mean(np.argmax(network.predict(images / 255.0 * 0.99 + 0.01), axis=1) == labels)
    assert f"{python_accuracy:.4f}" == f"{accuracy:.4f}"


def test_cpp_per_call_benchmark_builds_runs_and_checks_its_results(
    standalone_prefix: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """bench/cpp/single_steps.cpp times one call per example from C++ and exits
    non-zero unless the three paths leave the same weights (1e-12)."""
    build = tmp_path_factory.mktemp("bench-cpp")
    build_project(REPO / "bench" / "cpp", build, f"-DCMAKE_PREFIX_PATH={standalone_prefix}")
    output = run(build / "single_steps", "130", "1")
    assert "| train_example per call |" in output and "| train_step per call |" in output, output
    # run() has already failed the test if the program found a difference above 1e-12.
    assert "largest relative weight difference between the three:" in output, output
