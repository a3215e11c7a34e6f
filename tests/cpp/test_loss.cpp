// Losses: values and the output errors that start back-propagation.
#include <doctest/doctest.h>

#include "akili/loss.hpp"

#include <cmath>
#include <stdexcept>

using akili::Activation;
using akili::Loss;
using Matrix = akili::RowMatrix<double>;

TEST_CASE("squared error and mse on hand numbers") {
  Matrix o(2, 2), t(2, 2);
  o << 0.5, 0.25, 1.0, 0.0;
  t << 1.0, 0.0, 1.0, 1.0;
  // Σ_samples ½ Σ_k (t - o)² = ½ (0.25 + 0.0625) + ½ (0 + 1) = 0.65625
  CHECK(akili::loss_sum<double>(Loss::squared_error, Activation::sigmoid, o, t) == 0.65625);
  // Σ_samples 1/k Σ_k (t - o)² = (0.3125 + 1) / 2 = 0.65625
  CHECK(akili::loss_sum<double>(Loss::mse, Activation::sigmoid, o, t) == 0.65625);

  Matrix error(2, 2);
  akili::output_error<double>(Loss::squared_error, o, t, error);
  CHECK(error == t - o);  // E = T - O
  akili::output_error<double>(Loss::mse, o, t, error);
  CHECK(error == (t - o));  // E = 2/k (T - O) with k = 2
}

TEST_CASE("cross-entropy stays finite when an output is exactly 0") {
  Matrix o(1, 3), t(1, 3);
  o << 0.0, 0.25, 0.75;
  t << 0.0, 0.0, 1.0;
  // -Σ t log o = -log 0.75
  CHECK(akili::loss_sum<double>(Loss::cross_entropy, Activation::softmax, o, t) ==
        doctest::Approx(-std::log(0.75)).epsilon(1e-15));
  t << 1.0, 0.0, 0.0;  // the target class got probability 0: log(tiny), not -inf
  const double loss = akili::loss_sum<double>(Loss::cross_entropy, Activation::softmax, o, t);
  CHECK(std::isfinite(loss));
  CHECK(loss > 700.0);

  // Binary: -[t log o + (1 - t) log(1 - o)] with o = 0.25, t = 1 -> -log 0.25
  Matrix ob(1, 1), tb(1, 1);
  ob << 0.25;
  tb << 1.0;
  CHECK(akili::loss_sum<double>(Loss::cross_entropy, Activation::sigmoid, ob, tb) ==
        doctest::Approx(-std::log(0.25)).epsilon(1e-15));

  // After softmax the delta is T - O exactly: the derivative cancels.
  Matrix error(1, 3), delta(1, 3);
  akili::output_error<double>(Loss::cross_entropy, o, t, error);
  akili::output_delta<double>(Loss::cross_entropy, Activation::softmax, o, error, delta);
  CHECK(delta == t - o);
}

TEST_CASE("cross-entropy refuses an output that is not a probability") {
  CHECK_THROWS_AS(akili::check_loss_pairing(Loss::cross_entropy, Activation::relu), std::invalid_argument);
  CHECK_NOTHROW(akili::check_loss_pairing(Loss::cross_entropy, Activation::softmax));
  CHECK_NOTHROW(akili::check_loss_pairing(Loss::squared_error, Activation::relu));
}
