// The model file: exact round trips, and a clear ModelFormatError for every
// kind of damage (truncation, flipped bits, wrong magic, newer version, trailing bytes).
#include <doctest/doctest.h>

#include "akili/model_file.hpp"
#include "crc32.hpp"

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

using akili::Activation;
using akili::Dense;
using akili::Loss;
using akili::ModelFormatError;
using akili::Network;
using akili::Rule;

namespace {

template <typename Scalar>
Network<Scalar> sample_network() {
  std::vector<Dense<Scalar>> layers;
  layers.emplace_back(4, 5, Activation::tanh, true);
  layers.emplace_back(5, 3, Activation::softmax, false);
  Network<Scalar> network(std::move(layers), Loss::cross_entropy, Rule::gradient, Scalar(0.125), 9);
  network.initialize(akili::Init::xavier, 9);
  akili::RowMatrix<Scalar> mask = akili::RowMatrix<Scalar>::Ones(5, 4);
  mask(2, 1) = 0;
  network.set_trainable_mask(0, mask);
  akili::Vector<Scalar> bias(5);
  bias << Scalar(0.5), Scalar(-0.25), Scalar(1e-30), Scalar(3), Scalar(-7);
  network.set_bias(0, bias);
  network.set_frozen(1, true);
  return network;
}

/// A directory of its own under the system temp dir, removed at scope exit.
struct TempDir {
  std::filesystem::path path;
  TempDir() {
    path = std::filesystem::temp_directory_path() /
           ("akili-test-" + std::to_string(reinterpret_cast<std::uintptr_t>(this)) + "-" + std::to_string(std::rand()));
    std::filesystem::create_directories(path);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

template <typename Scalar>
void check_same(const Network<Scalar>& a, const Network<Scalar>& b) {
  REQUIRE(a.layer_count() == b.layer_count());
  CHECK(a.loss() == b.loss());
  CHECK(a.rule() == b.rule());
  CHECK(a.learning_rate() == b.learning_rate());
  for (std::size_t k = 0; k < a.layer_count(); ++k) {
    CHECK(a.layer(k).weights() == b.layer(k).weights());  // bit for bit
    CHECK(a.layer(k).has_bias() == b.layer(k).has_bias());
    CHECK(a.layer(k).bias() == b.layer(k).bias());
    CHECK(a.layer(k).activation() == b.layer(k).activation());
    CHECK(a.layer(k).frozen() == b.layer(k).frozen());
    CHECK(a.layer(k).trainable_mask() == b.layer(k).trainable_mask());
  }
}

akili::AnyModel parse(const std::vector<std::uint8_t>& bytes) {
  return akili::load_from_bytes(bytes.data(), bytes.size());
}

}  // namespace

TEST_CASE_TEMPLATE("a saved network loads back identical and predicts identically", Scalar, float, double) {
  const Network<Scalar> network = sample_network<Scalar>();
  TempDir dir;
  const std::string path = (dir.path / "model.akili").string();
  akili::save(network, path, akili::ModelInfo{9, akili::Init::xavier});

  const akili::Model<Scalar> model = akili::load_as<Scalar>(path);
  check_same(network, model.network);
  CHECK(model.info.seed == 9);
  CHECK(model.info.init == akili::Init::xavier);
  const akili::RowMatrix<Scalar> x = akili::RowMatrix<Scalar>::Random(6, 4);
  CHECK(network.predict(x) == model.network.predict(x));

  // The in-memory encoding is the file's content, byte for byte.
  std::ifstream file(path, std::ios::binary);
  const std::vector<std::uint8_t> on_disk((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  CHECK(on_disk == akili::to_bytes(network, akili::ModelInfo{9, akili::Init::xavier}));
  // The other precision is refused by load_as with a clear error.
  using Other = std::conditional_t<std::is_same_v<Scalar, float>, double, float>;
  CHECK_THROWS_AS(akili::load_as<Other>(path), ModelFormatError);
}

TEST_CASE("the header starts with the magic bytes and version 2.0") {
  const std::vector<std::uint8_t> bytes = akili::to_bytes(sample_network<double>());
  const std::vector<std::uint8_t> head(bytes.begin(), bytes.begin() + 12);
  CHECK(head == std::vector<std::uint8_t>{0x89, 'A', 'K', 'I', 'L', 'I', '\r', '\n', 2, 0, 0, 0});
  // CRC-32 of the check string "123456789" is 0xCBF43926; the trailer holds the CRC of the rest.
  std::uint64_t body = 0;
  for (int i = 0; i < 8; ++i) body |= static_cast<std::uint64_t>(bytes[12 + i]) << (8 * i);
  CHECK(body + 24 == bytes.size());
}

TEST_CASE("truncation at every offset is refused") {
  const std::vector<std::uint8_t> bytes = akili::to_bytes(sample_network<float>());
  for (std::size_t size = 0; size < bytes.size(); ++size) {
    const std::vector<std::uint8_t> cut(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(size));
    CHECK_THROWS_AS(parse(cut), ModelFormatError);
  }
  CHECK_NOTHROW(parse(bytes));
}

TEST_CASE("every single flipped bit is refused") {
  const std::vector<std::uint8_t> bytes = akili::to_bytes(sample_network<float>());
  for (std::size_t at = 0; at < bytes.size(); ++at) {
    for (int bit = 0; bit < 8; ++bit) {
      std::vector<std::uint8_t> damaged = bytes;
      damaged[at] ^= static_cast<std::uint8_t>(1u << bit);
      CHECK_THROWS_AS(parse(damaged), ModelFormatError);
    }
  }
}

TEST_CASE("wrong magic, newer major version and trailing bytes say so") {
  std::vector<std::uint8_t> bytes = akili::to_bytes(sample_network<double>());
  std::vector<std::uint8_t> trailing = bytes;
  trailing.push_back(0);
  CHECK_THROWS_WITH_AS(parse(trailing), doctest::Contains("trailing"), ModelFormatError);

  std::vector<std::uint8_t> newer = bytes;
  newer[8] = 3;  // major version 3
  CHECK_THROWS_WITH_AS(parse(newer), doctest::Contains("newer"), ModelFormatError);

  std::vector<std::uint8_t> text = bytes;
  text[0] = 'P';
  CHECK_THROWS_WITH_AS(parse(text), doctest::Contains("magic"), ModelFormatError);

  std::vector<std::uint8_t> flipped = bytes;
  flipped[40] ^= 0x10;
  CHECK_THROWS_WITH_AS(parse(flipped), doctest::Contains("checksum"), ModelFormatError);
}

TEST_CASE("file system errors are ModelFileError with errno") {
  TempDir dir;
  try {
    akili::load((dir.path / "missing.akili").string());
    FAIL("expected ModelFileError");
  } catch (const akili::ModelFileError& error) {
    CHECK(error.code().value() == ENOENT);
  }
  CHECK_THROWS_AS(akili::load(dir.path.string()), akili::ModelFileError);

  // Saving over a directory fails at the rename: the directory stays and no
  // temporary file is left behind.
  const auto target = dir.path / "occupied";
  std::filesystem::create_directory(target);
  CHECK_THROWS_AS(akili::save(sample_network<double>(), target.string()), akili::ModelFileError);
  CHECK(std::filesystem::is_directory(target));
  CHECK(std::distance(std::filesystem::directory_iterator(dir.path), std::filesystem::directory_iterator()) == 1);
  CHECK_THROWS_AS(akili::save(sample_network<double>(), (dir.path / "no" / "such" / "dir").string()),
                  akili::ModelFileError);
}

TEST_CASE("saving replaces an existing model whole") {
  TempDir dir;
  const std::string path = (dir.path / "model.akili").string();
  akili::save(sample_network<double>(), path);
  std::vector<Dense<float>> layers;
  layers.emplace_back(2, 1, Activation::sigmoid);
  const Network<float> small(std::move(layers), Loss::squared_error, Rule::transpose, 0.5f);
  akili::save(small, path);
  const akili::Model<float> model = akili::load_as<float>(path);
  check_same(small, model.network);
  CHECK(std::distance(std::filesystem::directory_iterator(dir.path), std::filesystem::directory_iterator()) == 1);
}

TEST_CASE("save without a ModelInfo records the network's own seed and init, and loading restores them") {
  const Network<double> network = sample_network<double>();  // initialised with xavier, seed 9
  CHECK(akili::to_bytes(network) == akili::to_bytes(network, akili::ModelInfo{9, akili::Init::xavier}));
  const std::vector<std::uint8_t> bytes = akili::to_bytes(network);
  const auto model = std::get<akili::Model<double>>(akili::load_from_bytes(bytes.data(), bytes.size()));
  CHECK(model.network.seed() == 9);
  CHECK(model.network.init() == akili::Init::xavier);
  CHECK(model.network.weights(0) == network.weights(0));  // loaded weights are kept, never redrawn
}

TEST_CASE("version 2 keeps the optimizer and the random source: training resumes bit for bit") {
  for (const akili::OptimizerKind kind : {akili::OptimizerKind::adam, akili::OptimizerKind::rprop,
                                          akili::OptimizerKind::rmsprop, akili::OptimizerKind::sgd}) {
    Network<double> network = sample_network<double>();
    auto settings = akili::OptimizerSettings::defaults(kind);
    if (kind == akili::OptimizerKind::rmsprop) settings.centered = true;
    if (kind == akili::OptimizerKind::sgd) settings.momentum = 0.9;
    network.set_optimizer(settings);
    akili::RowMatrix<double> x(12, 4), t = akili::RowMatrix<double>::Zero(12, 3);
    for (Eigen::Index i = 0; i < 12; ++i) {
      x.row(i) << 0.1 * static_cast<double>(i), -0.2, 0.05 * static_cast<double>(i % 5), 1.0;
      t(i, i % 3) = 1.0;
    }
    network.train_epoch(x, t, 5, true);
    const std::vector<std::uint8_t> bytes = akili::to_bytes(network);
    auto loaded = std::get<akili::Model<double>>(akili::load_from_bytes(bytes.data(), bytes.size()));
    CHECK(loaded.info.format == 2);
    CHECK(loaded.network.optimizer_settings().kind == kind);
    for (int epoch = 0; epoch < 3; ++epoch) {
      network.train_epoch(x, t, 5, true);
      loaded.network.train_epoch(x, t, 5, true);
    }
    check_same(network, loaded.network);
    CHECK(akili::to_bytes(network) == akili::to_bytes(loaded.network));
  }
}

TEST_CASE("version 1 is still written on request and read: plain SGD, random source from the seed") {
  Network<float> network = sample_network<float>();
  network.set_optimizer(akili::OptimizerSettings::defaults(akili::OptimizerKind::adam));
  const std::vector<std::uint8_t> bytes = akili::to_bytes(network, akili::ModelInfo{9, akili::Init::xavier, 1});
  CHECK(bytes[8] == 1);
  auto loaded = std::get<akili::Model<float>>(akili::load_from_bytes(bytes.data(), bytes.size()));
  CHECK(loaded.info.format == 1);
  CHECK(loaded.network.uses_fast_paths());
  check_same(network, loaded.network);
  CHECK(loaded.network.random_source().state() == akili::Random(9).state());
  CHECK_THROWS_AS(akili::to_bytes(network, akili::ModelInfo{9, akili::Init::xavier, 3}), std::invalid_argument);
}

TEST_CASE("a version 2 file with a damaged optimizer section says what is wrong") {
  Network<double> network = sample_network<double>();
  network.set_optimizer(akili::OptimizerSettings::defaults(akili::OptimizerKind::adam));
  std::vector<std::uint8_t> bytes = akili::to_bytes(network);
  // The optimizer code is the first byte after the layers: the end minus the random
  // state (48), the state, the settings and the code. Rewrite it and the checksum.
  std::size_t state_bytes = 0;
  const akili::Optimizer<double> optimizer = network.optimizer();
  for (const auto& state : optimizer.states()) {
    state_bytes += 8;
    for (const auto& slot : state.slots) state_bytes += 8 + static_cast<std::size_t>(slot.size()) * sizeof(double);
  }
  const std::size_t code_at = bytes.size() - 4 - 48 - state_bytes - 4 - 13 * 8 - 2;
  CHECK(bytes[code_at] == 3);  // adam
  auto rewritten = [&](std::size_t at, std::uint8_t value) {
    std::vector<std::uint8_t> copy = bytes;
    copy[at] = value;
    const std::uint32_t crc = akili::detail::crc32(copy.data(), copy.size() - 4);
    for (int i = 0; i < 4; ++i)
      copy[copy.size() - 4 + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(crc >> (8 * i));
    return copy;
  };
  CHECK_THROWS_WITH_AS(parse(rewritten(code_at, 9)), doctest::Contains("unknown optimizer code 9"), ModelFormatError);
  CHECK_THROWS_WITH_AS(parse(rewritten(code_at + 1, 4)), doctest::Contains("unknown flag bits"), ModelFormatError);
}
