// The whole data set's loss and gradient (akili/full_batch.hpp) from C++, sample
// weights in train_epoch and dropout: finite differences, repeated rows, seeds, refusals.
#include <doctest/doctest.h>

#include "akili/full_batch.hpp"
#include "akili/network.hpp"

#include <cmath>
#include <stdexcept>
#include <vector>

using akili::Activation;
using akili::Dense;
using akili::Loss;
using akili::Network;
using akili::Rule;
using Matrix = akili::RowMatrix<double>;
using Vec = akili::Vector<double>;

namespace {

Network<double> small_network() {
  std::vector<Dense<double>> layers;
  layers.emplace_back(3, 4, Activation::tanh, true);
  layers.emplace_back(4, 2, Activation::sigmoid, true);
  return Network<double>(std::move(layers), Loss::squared_error, Rule::gradient, 0.2, 5);
}

Matrix inputs() {
  Matrix x(5, 3);
  for (Eigen::Index i = 0; i < x.size(); ++i) x.data()[i] = std::sin(1.3 * static_cast<double>(i));
  return x;
}

Matrix targets() {
  Matrix t(5, 2);
  for (Eigen::Index i = 0; i < t.size(); ++i) t.data()[i] = 0.5 + 0.4 * std::cos(0.7 * static_cast<double>(i));
  return t;
}

}  // namespace

TEST_CASE("the full-batch gradient matches central differences of the full-batch loss") {
  auto network = small_network();
  const Matrix x = inputs();
  const Matrix t = targets();
  Vec weights(5);
  weights << 1.0, 0.0, 2.5, 0.5, 1.0;
  const Vec theta = akili::flat_parameters(network);
  Vec gradient(theta.size());
  akili::loss_and_gradient(network, x, t, weights, 0.05, gradient);
  for (Eigen::Index i = 0; i < theta.size(); ++i) {
    Vec moved = theta;
    Vec scratch(theta.size());
    moved(i) += 1e-6;
    akili::set_flat_parameters(network, moved);
    const double up = akili::loss_and_gradient(network, x, t, weights, 0.05, scratch);
    moved(i) -= 2e-6;
    akili::set_flat_parameters(network, moved);
    const double down = akili::loss_and_gradient(network, x, t, weights, 0.05, scratch);
    CHECK(gradient(i) == doctest::Approx((up - down) / 2e-6).epsilon(1e-6));
  }
  akili::set_flat_parameters(network, theta);
}

TEST_CASE("integer sample weights in a one-batch epoch equal repeated rows") {
  auto weighted = small_network();
  auto repeated = small_network();
  const Matrix x = inputs();
  const Matrix t = targets();
  Vec weights(5);
  weights << 2.0, 0.0, 1.0, 3.0, 1.0;
  Matrix x_repeated(7, 3);
  Matrix t_repeated(7, 2);
  Eigen::Index row = 0;
  for (Eigen::Index i = 0; i < 5; ++i) {
    for (int copy = 0; copy < static_cast<int>(weights(i)); ++copy, ++row) {
      x_repeated.row(row) = x.row(i);
      t_repeated.row(row) = t.row(i);
    }
  }
  const auto result = weighted.train_epoch(x, t, 5, false, {}, 0, weights);
  const auto plain = repeated.train_epoch(x_repeated, t_repeated, 7, false);
  CHECK(result.weight_sum == 7.0);
  CHECK(result.loss_sum / result.weight_sum == doctest::Approx(plain.loss_sum / plain.weight_sum).epsilon(1e-12));
  for (std::size_t k = 0; k < 2; ++k) {
    CHECK(weighted.weights(k).isApprox(repeated.weights(k), 1e-12));
    CHECK(weighted.bias(k).isApprox(repeated.bias(k), 1e-12));
  }
}

TEST_CASE("bad sample weights and shapes are refused with the network unchanged") {
  auto network = small_network();
  const Matrix before = network.weights(0);
  Vec negative = Vec::Ones(5);
  negative(3) = -1.0;
  CHECK_THROWS_AS(network.train_epoch(inputs(), targets(), 2, false, {}, 0, negative), std::invalid_argument);
  CHECK_THROWS_AS(network.train_epoch(inputs(), targets(), 2, false, {}, 0, Vec::Ones(4)), std::invalid_argument);
  Vec gradient(akili::flat_parameters(network).size());
  CHECK_THROWS_AS(akili::loss_and_gradient(network, inputs(), targets(), Vec::Zero(5), 0.0, gradient),
                  std::invalid_argument);
  CHECK_THROWS_AS(akili::set_flat_parameters(network, Vec::Ones(3)), std::invalid_argument);
  CHECK(network.weights(0) == before);
}

TEST_CASE("dropout from C++: masks follow the seed, prediction never drops, the output layer refuses it") {
  auto make = [] {
    std::vector<Dense<double>> layers;
    layers.emplace_back(3, 8, Activation::relu, true);
    layers.emplace_back(8, 2, Activation::sigmoid, true);
    Network<double> network(std::move(layers), Loss::squared_error, Rule::gradient, 0.2, 9);
    network.set_dropout(0, 0.5);
    return network;
  };
  auto first = make();
  auto second = make();
  const Matrix x = inputs();
  const Matrix t = targets();
  const Matrix before = first.predict(x);
  akili::StepTrace<double> trace_first;
  akili::StepTrace<double> trace_second;
  first.train_step(x, t, &trace_first);
  second.train_step(x, t, &trace_second);
  REQUIRE(trace_first.dropout_masks.size() == 2);
  CHECK(trace_first.dropout_masks[0] == trace_second.dropout_masks[0]);
  CHECK(trace_first.dropout_masks[1].size() == 0);
  CHECK(((trace_first.dropout_masks[0].array() == 0.0) || (trace_first.dropout_masks[0].array() == 2.0)).all());
  CHECK(first.predict(x) == first.predict(x));  // no randomness in prediction
  CHECK_FALSE(first.predict(x) == before);      // but the step trained
  CHECK_FALSE(first.uses_fast_paths());
  CHECK_THROWS_AS(first.set_dropout(1, 0.5), std::invalid_argument);
  CHECK_THROWS_AS(first.set_dropout(0, 1.0), std::invalid_argument);
  CHECK(first.layer(0).dropout() == 0.5);
}
