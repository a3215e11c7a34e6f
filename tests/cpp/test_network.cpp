// Network: gradient-descent steps against the worked numbers of the lessons
// (docs of the source material: Grokking ch. 5, the book's sigmoid rule).
#include <doctest/doctest.h>

#include "akili/network.hpp"

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

using akili::Activation;
using akili::Dense;
using akili::Loss;
using akili::Network;
using akili::Rule;
using Matrix = akili::RowMatrix<double>;

namespace {

Network<double> single_layer(Eigen::Index inputs, Eigen::Index outputs, const Matrix& weights, double rate) {
  std::vector<Dense<double>> layers;
  layers.emplace_back(inputs, outputs, Activation::identity);
  Network<double> network(std::move(layers), Loss::squared_error, Rule::transpose, rate);
  network.set_weights(0, weights);
  return network;
}

}  // namespace

TEST_CASE("many inputs, one output: w -= alpha · input · delta") {
  Matrix w(1, 3), x(1, 3), t(1, 1);
  w << 0.1, 0.2, -0.1;
  x << 8.5, 0.65, 1.2;
  t << 1.0;
  Network<double> network = single_layer(3, 1, w, 0.01);
  // pred = 0.86, delta = pred - true = -0.14, weight_deltas = (-1.19, -0.091, -0.168)
  CHECK(network.predict(x)(0, 0) == doctest::Approx(0.86).epsilon(1e-14));
  network.train_step(x, t);
  const Matrix updated = network.weights(0);
  CHECK(updated(0, 0) == doctest::Approx(0.1119).epsilon(1e-14));
  CHECK(updated(0, 1) == doctest::Approx(0.20091).epsilon(1e-14));
  CHECK(updated(0, 2) == doctest::Approx(-0.09832).epsilon(1e-14));
}

TEST_CASE("a frozen weight keeps its value while the others learn") {
  Matrix w(1, 3), x(1, 3), t(1, 1), mask(1, 3);
  w << 0.1, 0.2, -0.1;
  x << 8.5, 0.65, 1.2;
  t << 1.0;
  mask << 0.0, 1.0, 1.0;
  Network<double> network = single_layer(3, 1, w, 0.01);
  network.set_trainable_mask(0, mask);
  network.train_step(x, t);
  const Matrix updated = network.weights(0);
  CHECK(updated(0, 0) == 0.1);
  CHECK(updated(0, 1) == doctest::Approx(0.20091).epsilon(1e-14));
  CHECK(updated(0, 2) == doctest::Approx(-0.09832).epsilon(1e-14));

  network.set_frozen(0, true);  // a frozen layer never changes
  network.train_step(x, t);
  CHECK(network.weights(0) == updated);
}

TEST_CASE("many inputs, many outputs: W -= alpha · outer(delta, input)") {
  Matrix w(3, 3), x(1, 3), t(1, 3);
  w << 0.1, 0.1, -0.3, 0.1, 0.2, 0.0, 0.0, 1.3, 0.1;
  x << 8.5, 0.65, 1.2;
  t << 0.1, 1.0, 0.1;
  Network<double> network = single_layer(3, 3, w, 0.01);
  const Matrix prediction = network.predict(x);  // (0.555, 0.98, 0.965)
  CHECK(prediction(0, 0) == doctest::Approx(0.555).epsilon(1e-14));
  CHECK(prediction(0, 1) == doctest::Approx(0.98).epsilon(1e-14));
  CHECK(prediction(0, 2) == doctest::Approx(0.965).epsilon(1e-14));
  network.train_step(x, t);
  const Matrix updated = network.weights(0);
  CHECK(updated(0, 0) == doctest::Approx(0.061325).epsilon(1e-14));
  CHECK(updated(0, 1) == doctest::Approx(0.0970425).epsilon(1e-14));
  CHECK(updated(0, 2) == doctest::Approx(-0.30546).epsilon(1e-14));
}

TEST_CASE("the book's rule: E_hidden = W^T · E, dW = lr · ((E * O * (1 - O)) · I^T)") {
  Matrix w1(2, 2), w2(1, 2), x(1, 2), t(1, 1);
  w1 << 0.9, 0.3, 0.2, 0.8;
  w2 << 0.3, 0.7;
  x << 1.0, 0.5;
  t << 0.99;
  const double lr = 0.3;
  std::vector<Dense<double>> layers;
  layers.emplace_back(2, 2, Activation::sigmoid);
  layers.emplace_back(2, 1, Activation::sigmoid);
  Network<double> network(std::move(layers), Loss::squared_error, Rule::transpose, lr);
  network.set_weights(0, w1);
  network.set_weights(1, w2);

  // The same step written out with the book's formulas.
  const auto sigmoid = [](double z) { return 1.0 / (1.0 + std::exp(-z)); };
  double hidden[2];
  for (int i = 0; i < 2; ++i) hidden[i] = sigmoid(w1(i, 0) * x(0, 0) + w1(i, 1) * x(0, 1));  // O1 = σ(W1·I)
  const double out = sigmoid(w2(0, 0) * hidden[0] + w2(0, 1) * hidden[1]);                   // O2 = σ(W2·O1)
  const double error_out = t(0, 0) - out;                                                    // E = T - O
  double error_hidden[2];
  for (int i = 0; i < 2; ++i) error_hidden[i] = w2(0, i) * error_out;  // E_h = W2ᵀ·E
  Matrix expected_w2 = w2, expected_w1 = w1;
  for (int i = 0; i < 2; ++i) expected_w2(0, i) += lr * error_out * out * (1 - out) * hidden[i];
  for (int i = 0; i < 2; ++i) {
    for (int j = 0; j < 2; ++j) expected_w1(i, j) += lr * error_hidden[i] * hidden[i] * (1 - hidden[i]) * x(0, j);
  }

  network.train_step(x, t);
  for (int i = 0; i < 2; ++i) {
    CHECK(network.weights(1)(0, i) == doctest::Approx(expected_w2(0, i)).epsilon(1e-14));
    for (int j = 0; j < 2; ++j) CHECK(network.weights(0)(i, j) == doctest::Approx(expected_w1(i, j)).epsilon(1e-14));
  }
}

TEST_CASE("training XOR with back-propagation reaches every target") {
  Matrix x(4, 2), t(4, 1);
  x << 0, 0, 0, 1, 1, 0, 1, 1;
  t << 0, 1, 1, 0;
  std::vector<Dense<double>> layers;
  layers.emplace_back(2, 4, Activation::tanh, true);
  layers.emplace_back(4, 1, Activation::sigmoid, true);
  Network<double> network(std::move(layers), Loss::cross_entropy, Rule::gradient, 0.5, 3);
  network.initialize(akili::Init::xavier, 3);
  for (int epoch = 0; epoch < 2000; ++epoch) network.train_epoch(x, t, 1, true);
  const Matrix out = network.predict(x);
  for (Eigen::Index i = 0; i < 4; ++i) CHECK(std::abs(out(i, 0) - t(i, 0)) < 0.1);
}

TEST_CASE("bad shapes and settings are refused with std::invalid_argument") {
  std::vector<Dense<double>> unchained;
  unchained.emplace_back(2, 3);
  unchained.emplace_back(4, 1);
  CHECK_THROWS_AS(Network<double>(std::move(unchained), Loss::squared_error, Rule::transpose, 0.1),
                  std::invalid_argument);

  std::vector<Dense<double>> layers;
  layers.emplace_back(2, 1);
  CHECK_THROWS_AS(Network<double>(layers, Loss::squared_error, Rule::transpose, -1.0), std::invalid_argument);
  CHECK_THROWS_AS(Network<double>(layers, Loss::squared_error, Rule::transpose, NAN), std::invalid_argument);
  Network<double> network(layers, Loss::squared_error, Rule::transpose, 0.1);
  CHECK_THROWS_AS(network.predict(Matrix::Zero(1, 3)), std::invalid_argument);
  Matrix bad(1, 2);
  bad << 1.0, INFINITY;
  CHECK_THROWS_AS(network.set_weights(0, bad), std::invalid_argument);
  CHECK_THROWS_AS(Dense<double>(0, 1), std::invalid_argument);
}

namespace {

// A book network 784-40-10 (a first layer of 31,360 weights... too small for the
// online blocks) or 900-40-10 (36,000: blocks), weights from its seed.
Network<double> book_network(Eigen::Index inputs, double rate) {
  std::vector<Dense<double>> layers;
  layers.emplace_back(inputs, 40, Activation::sigmoid);
  layers.emplace_back(40, 10, Activation::sigmoid);
  Network<double> network(std::move(layers), Loss::squared_error, Rule::transpose, rate, 3);
  network.initialize(akili::Init::book, 3);
  return network;
}

// Uniform 0.01..1 inputs and 0.01/0.99 targets, from a fixed formula.
void book_rows(Eigen::Index rows, Eigen::Index inputs, Matrix& x, Matrix& t) {
  x.resize(rows, inputs);
  t = Matrix::Constant(rows, 10, 0.01);
  for (Eigen::Index r = 0; r < rows; ++r) {
    for (Eigen::Index c = 0; c < inputs; ++c) x(r, c) = 0.01 + 0.99 * std::fmod(0.618034 * double(r * inputs + c), 1.0);
    t(r, r % 10) = 0.99;
  }
}

double largest_difference(const Matrix& a, const Matrix& b) {
  return (a - b).cwiseAbs().maxCoeff() / b.cwiseAbs().maxCoeff();
}

}  // namespace

TEST_CASE("train_example one call per example equals an online epoch, read at any point") {
  for (const Eigen::Index inputs : {Eigen::Index{784}, Eigen::Index{900}}) {
    Matrix x, t;
    book_rows(150, inputs, x, t);
    Network<double> queued = book_network(inputs, 0.1);
    for (const Eigen::Index stop : {Eigen::Index{10}, Eigen::Index{64}, Eigen::Index{150}}) {
      for (Eigen::Index r = queued.single_steps(); r < stop; ++r) queued.train_example(x.row(r), t.row(r));
      Network<double> epoch = book_network(inputs, 0.1);
      epoch.train_epoch(x.topRows(stop), t.topRows(stop), 1, false);
      CHECK(largest_difference(queued.weights(0), epoch.weights(0)) < 1e-12);
      CHECK(largest_difference(queued.weights(1), epoch.weights(1)) < 1e-12);
    }
  }
}

TEST_CASE("train_example refuses a bad example at once and keeps the good ones") {
  Matrix x, t;
  book_rows(20, 900, x, t);
  Network<double> network = book_network(900, 0.1);
  for (Eigen::Index r = 0; r < 5; ++r) network.train_example(x.row(r), t.row(r));
  Matrix bad = x.row(5);
  bad(0, 7) = std::nan("");
  CHECK_THROWS_AS(network.train_example(bad, t.row(5)), std::invalid_argument);
  CHECK_THROWS_AS(network.train_example(x.row(5).leftCols(899), t.row(5)), std::invalid_argument);
  CHECK(network.single_steps() == 5);
  Network<double> epoch = book_network(900, 0.1);
  epoch.train_epoch(x.topRows(5), t.topRows(5), 1, false);
  CHECK(largest_difference(network.weights(0), epoch.weights(0)) < 1e-12);
}

TEST_CASE("a diverging queued or deferred step is undone exactly and named by the next observer") {
  Matrix x, t;
  book_rows(30, 900, x, t);
  x *= 1000.0;
  Network<double> queued = book_network(900, 1e300);
  Network<double> immediate = book_network(900, 1e300);
  std::size_t diverged_at = 0;
  for (Eigen::Index r = 0; r < 30 && diverged_at == 0; ++r) {
    try {
      akili::StepTrace<double> trace;  // with a trace, every step is immediate
      immediate.train_step(x.row(r), t.row(r), &trace);
    } catch (const akili::DivergenceError&) {
      diverged_at = static_cast<std::size_t>(r) + 1;
    }
  }
  REQUIRE(diverged_at > 0);
  // One-row train_step without a trace defers the first layer's update: the error
  // comes from the step itself or, at the latest, from the next observer.
  Network<double> deferred = book_network(900, 1e300);
  std::string deferred_error;
  for (Eigen::Index r = 0; r < 30 && deferred_error.empty(); ++r) {
    try {
      deferred.train_step(x.row(r), t.row(r));
    } catch (const akili::DivergenceError& error) {
      deferred_error = error.what();
    }
  }
  if (deferred_error.empty()) {
    try {
      deferred.weights(0);
    } catch (const akili::DivergenceError& error) {
      deferred_error = error.what();
    }
  }
  CHECK(deferred_error.find("at step " + std::to_string(diverged_at) + ":") != std::string::npos);
  CHECK(deferred.single_steps() == diverged_at - 1);
  CHECK(deferred.weights(0) == immediate.weights(0));
  CHECK(deferred.weights(1) == immediate.weights(1));
  for (Eigen::Index r = 0; r < 30; ++r) queued.train_example(x.row(r), t.row(r));
  try {
    queued.weights(0);
    FAIL("expected a DivergenceError");
  } catch (const akili::DivergenceError& error) {
    CHECK(std::string(error.what()).find("at step " + std::to_string(diverged_at) + ":") != std::string::npos);
  }
  CHECK(queued.single_steps() == diverged_at - 1);
  CHECK(queued.weights(0) == immediate.weights(0));  // the same steps, the same bits
  CHECK(queued.weights(1) == immediate.weights(1));
  CHECK(queued.weights(0).allFinite());
}

TEST_CASE("a network built with a seed has the book's weights from that seed, and saves that seed") {
  auto layers = [] {
    std::vector<Dense<double>> list;
    list.emplace_back(4, 3);
    list.emplace_back(3, 2);
    return list;
  };
  const Network<double> seeded(layers(), Loss::squared_error, Rule::transpose, 0.1, 7);
  Network<double> drawn(layers(), Loss::squared_error, Rule::transpose, 0.1, 99);
  drawn.initialize(akili::Init::book, 7);
  for (std::size_t k = 0; k < 2; ++k) {
    CHECK(seeded.weights(k).cwiseAbs().maxCoeff() > 0.0);
    CHECK(seeded.weights(k) == drawn.weights(k));
  }
  CHECK(seeded.seed() == 7);
  CHECK(seeded.init() == akili::Init::book);
  const Network<double> xavier(layers(), Loss::squared_error, Rule::transpose, 0.1, 7, akili::Init::xavier);
  drawn.initialize(akili::Init::xavier, 7);
  CHECK(xavier.weights(0) == drawn.weights(0));
  CHECK(xavier.init() == akili::Init::xavier);
  // Copies keep the seed and init; initialize() replaces them.
  Network<double> copy(xavier);
  CHECK((copy.seed() == 7 && copy.init() == akili::Init::xavier));
  copy.initialize(akili::Init::he, 12);
  CHECK((copy.seed() == 12 && copy.init() == akili::Init::he));
}

TEST_CASE("layers that bring their weights keep them; a mix of both is refused") {
  std::vector<Dense<double>> given;
  given.emplace_back(2, 1, Activation::identity);
  Matrix w(1, 2);
  w << 0.5, -0.25;
  given.front().set_weights(w);
  const Network<double> kept(std::move(given), Loss::squared_error, Rule::transpose, 0.1, 3);
  CHECK(kept.weights(0) == w);

  std::vector<Dense<double>> mixed;
  mixed.emplace_back(2, 2);
  mixed.emplace_back(2, 1);
  mixed.back().set_weights(Matrix::Constant(1, 2, 0.5));
  CHECK_THROWS_WITH_AS(Network<double>(std::move(mixed), Loss::squared_error, Rule::transpose, 0.1),
                       "[Network] expected every layer to have weights (set_weights or initialize) or none (the "
                       "network initialises them), got weights in layers 1 but not in layers 0",
                       std::invalid_argument);
}

TEST_CASE("the progress hook sees the epoch's running totals: samples, loss sum and correct count") {
  // 200 samples, one at a time: the online blocks of 64 apply, and the totals the
  // hook sees are those of the same steps taken one by one with train_step.
  const Eigen::Index n = 200;
  Matrix x(n, 3), t(n, 2);
  for (Eigen::Index r = 0; r < n; ++r) {
    const double a = static_cast<double>(r % 17) / 17.0, b = static_cast<double>(r % 5) / 5.0;
    x.row(r) << a, b, 1.0 - a;
    t.row(r) << (a > b ? 0.99 : 0.01), (a > b ? 0.01 : 0.99);
  }
  std::vector<Dense<double>> layers;
  layers.emplace_back(3, 4, Activation::sigmoid);
  layers.emplace_back(4, 2, Activation::sigmoid);
  Network<double> network(std::move(layers), Loss::squared_error, Rule::transpose, 0.3, 5);
  Network<double> by_steps = network;
  std::vector<akili::EpochResult> seen;
  const akili::ProgressHook record = [&seen](const akili::EpochResult& so_far) {
    seen.push_back(so_far);
    return true;
  };
  const akili::EpochResult result = network.train_epoch(x, t, 1, false, record, 50);

  std::vector<double> losses;
  for (Eigen::Index r = 0; r < n; ++r) losses.push_back(by_steps.train_step(x.row(r), t.row(r)));
  std::size_t checked = 0;
  for (const akili::EpochResult& so_far : seen) {
    if (so_far.samples % 50 != 0) continue;  // the calls made every few milliseconds as well
    double expected = 0.0;
    for (std::size_t r = 0; r < so_far.samples; ++r) expected += losses[r];
    CHECK(so_far.loss_sum == doctest::Approx(expected).epsilon(1e-12));  // Σ loss of the samples so far
    CHECK(so_far.correct <= so_far.samples);
    ++checked;
  }
  CHECK(checked == 4);  // after 50, 100, 150 and 200 samples
  CHECK(seen.back().samples == result.samples);
  CHECK(seen.back().loss_sum == result.loss_sum);
  CHECK(seen.back().correct == result.correct);
}
