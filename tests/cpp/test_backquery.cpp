// backquery: the network run backwards ("Make Your Own Neural Network", ch. 3).
#include <doctest/doctest.h>

#include "akili/backquery.hpp"

#include <stdexcept>
#include <vector>

using akili::Activation;
using akili::Dense;
using akili::Loss;
using akili::Network;
using akili::Rule;
using Matrix = akili::RowMatrix<double>;

namespace {

Network<double> two_layers(Activation hidden, Activation output) {
  std::vector<Dense<double>> layers;
  layers.emplace_back(3, 2, hidden);
  layers.emplace_back(2, 2, output);
  Network<double> network(std::move(layers), Loss::squared_error, Rule::transpose, 0.1);
  Matrix w0(2, 3), w1(2, 2);
  w0 << 0.5, -0.2, 0.1, 0.3, 0.8, -0.4;
  w1 << 0.9, -0.5, 0.2, 0.7;
  network.set_weights(0, w0);
  network.set_weights(1, w1);
  return network;
}

}  // namespace

TEST_CASE("backquery follows the book: logit, transposed weights, rescale to 0.01..0.99") {
  const Network<double> network = two_layers(Activation::sigmoid, Activation::sigmoid);
  Matrix target(1, 2);
  target << 0.8, 0.3;
  // X = logit(T) = (ln 4, ln 3/7); H = W1ᵀ·X = (1.078, -1.286), rescaled to (0.99, 0.01).
  // Then X = (ln 99, -ln 99), I = W0ᵀ·X = ln 99 · (0.2, -1.0, 0.5), rescaled: (0.8, 0, 1)·0.98 + 0.01.
  const Matrix image = akili::backquery(network, target);
  REQUIRE(image.rows() == 1);
  REQUIRE(image.cols() == 3);
  CHECK(image(0, 0) == doctest::Approx(0.794).epsilon(1e-14));
  CHECK(image(0, 1) == doctest::Approx(0.01).epsilon(1e-14));
  CHECK(image(0, 2) == doctest::Approx(0.99).epsilon(1e-14));
}

TEST_CASE("backquery refuses what cannot be inverted") {
  Matrix target(1, 2);
  target << 0.5, 1.0;  // sigmoid never reaches 1
  CHECK_THROWS_AS(akili::backquery(two_layers(Activation::sigmoid, Activation::sigmoid), target),
                  std::invalid_argument);
  target << 0.5, 0.5;
  CHECK_THROWS_AS(akili::backquery(two_layers(Activation::relu, Activation::sigmoid), target), std::invalid_argument);
  CHECK_THROWS_AS(akili::backquery(two_layers(Activation::sigmoid, Activation::sigmoid), Matrix(1, 3)),
                  std::invalid_argument);
}
