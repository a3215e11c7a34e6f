// The public C++ API has no call that compiles and then silently does the wrong
// thing: each call below either does what its name says or throws a clear
// std::invalid_argument, with the network left as it was.
#include <doctest/doctest.h>

#include "akili/model_file.hpp"
#include "akili/network.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>
#include <variant>
#include <vector>

using akili::Activation;
using akili::Dense;
using akili::Loss;
using akili::Network;
using akili::Rule;
using Matrix = akili::RowMatrix<double>;

namespace {

Network<double> book_network(std::uint64_t seed) {
  std::vector<Dense<double>> layers;
  layers.emplace_back(4, 3, Activation::sigmoid);
  layers.emplace_back(3, 2, Activation::sigmoid);
  return Network<double>(std::move(layers), Loss::squared_error, Rule::transpose, 0.1, seed);
}

}  // namespace

TEST_CASE("a seeded network starts with drawn weights and records its seed") {
  const Network<double> network = book_network(7);
  CHECK(network.seed() == 7u);
  CHECK(network.weights(0).cwiseAbs().maxCoeff() > 0.0);
  CHECK(network.weights(1).cwiseAbs().maxCoeff() > 0.0);
  // The same seed draws the same weights; another seed others.
  CHECK(network.weights(0) == book_network(7).weights(0));
  CHECK(network.weights(0) != book_network(8).weights(0));
}

TEST_CASE("empty data, a zero batch and bad settings are refused, the network unchanged") {
  Network<double> network = book_network(1);
  const Matrix before = network.weights(0);
  const Matrix none_in(0, 4), none_out(0, 2);
  CHECK_THROWS_AS(network.train_step(none_in, none_out), std::invalid_argument);
  CHECK_THROWS_AS(network.train_epoch(Matrix::Ones(3, 4), Matrix::Ones(3, 2), 0, false), std::invalid_argument);
  CHECK_THROWS_AS(network.train_epoch(Matrix::Ones(3, 4), Matrix::Ones(2, 2), 1, false), std::invalid_argument);
  CHECK_THROWS_AS(network.train_step(Matrix::Ones(1, 5), Matrix::Ones(1, 2)), std::invalid_argument);
  CHECK_THROWS_AS(network.set_learning_rate(-0.1), std::invalid_argument);
  CHECK_THROWS_AS(network.set_learning_rate(std::numeric_limits<double>::quiet_NaN()), std::invalid_argument);
  CHECK_THROWS_AS(network.set_learning_rate(0.0), std::invalid_argument);
  CHECK_THROWS_AS(network.set_weights(0, Matrix::Ones(4, 3)), std::invalid_argument);
  CHECK_THROWS_AS(network.set_trainable_mask(0, Matrix::Constant(3, 4, 0.5)), std::invalid_argument);
  CHECK_THROWS_AS(network.weights(2), std::out_of_range);
  CHECK_THROWS_AS(network.predict(Matrix::Ones(2, 3)), std::invalid_argument);
  Matrix nan_row = Matrix::Ones(1, 4);
  nan_row(0, 2) = std::numeric_limits<double>::quiet_NaN();
  CHECK_THROWS_AS(network.train_example(nan_row, Matrix::Ones(1, 2)), std::invalid_argument);
  CHECK(network.weights(0) == before);
  CHECK(network.learning_rate() == 0.1);
}

TEST_CASE("a network without layers, sizes that do not chain, or a layer of no nodes is refused") {
  CHECK_THROWS_AS(Network<double>({}, Loss::squared_error, Rule::transpose, 0.1), std::invalid_argument);
  std::vector<Dense<double>> unchained;
  unchained.emplace_back(4, 3);
  unchained.emplace_back(2, 1);
  CHECK_THROWS_AS(Network<double>(std::move(unchained), Loss::squared_error, Rule::transpose, 0.1),
                  std::invalid_argument);
  CHECK_THROWS_AS(Dense<double>(0, 3), std::invalid_argument);
  CHECK_THROWS_AS(Dense<double>(3, -1), std::invalid_argument);
}

TEST_CASE("predicting no rows is refused by name, not answered with an empty matrix") {
  const Network<double> network = book_network(2);
  const Matrix none(0, 4);
  CHECK_THROWS_WITH_AS(network.predict(none), doctest::Contains("expected at least one sample"), std::invalid_argument);
}

TEST_CASE("a saved and loaded network predicts and trains on as the original") {
  Network<double> network = book_network(3);
  const std::vector<std::uint8_t> bytes = akili::to_bytes(network);
  akili::AnyModel loaded = akili::load_from_bytes(bytes.data(), bytes.size());
  auto* copy = std::get_if<akili::Model<double>>(&loaded);
  REQUIRE(copy != nullptr);
  CHECK(copy->network.seed() == 3u);
  const Matrix x = Matrix::Constant(2, 4, 0.5), t = Matrix::Constant(2, 2, 0.99);
  network.train_step(x, t);
  copy->network.train_step(x, t);
  CHECK(copy->network.weights(0) == network.weights(0));
}
