// Optimizers: each step against its torch.optim formula written out by hand on
// a few values, and the network's reference path against the fused paths.
#include <doctest/doctest.h>

#include "akili/network.hpp"
#include "akili/optimizer.hpp"

#include <cmath>
#include <stdexcept>
#include <vector>

using akili::Activation;
using akili::Dense;
using akili::Loss;
using akili::Network;
using akili::Optimizer;
using akili::OptimizerKind;
using akili::OptimizerSettings;
using akili::Rule;
using Matrix = akili::RowMatrix<double>;

namespace {

// Steps a two-value tensor θ with the same gradient sequence and returns θ.
std::vector<double> run(const OptimizerSettings& settings, std::vector<double> theta,
                        const std::vector<std::vector<double>>& gradients, double rate, const double* mask = nullptr) {
  Optimizer<double> optimizer(settings);
  optimizer.allocate({static_cast<Eigen::Index>(theta.size())});
  for (auto gradient : gradients) optimizer.step(0, theta.data(), gradient.data(), mask, 2, rate);
  return theta;
}

Network<double> small_network(Rule rule) {
  std::vector<Dense<double>> layers;
  layers.emplace_back(3, 4, Activation::tanh, true);
  layers.emplace_back(4, 2, Activation::sigmoid, true);
  return Network<double>(std::move(layers), Loss::squared_error, rule, 0.05, 7);
}

}  // namespace

TEST_CASE("SGD with momentum, dampening and Nesterov follows torch.optim.SGD") {
  auto settings = OptimizerSettings::defaults(OptimizerKind::sgd);
  settings.momentum = 0.9;
  settings.dampening = 0.5;
  // b1 = g1 = 1; θ = 1 - 0.1·1 = 0.9. b2 = 0.9·1 + 0.5·2 = 1.9; θ = 0.9 - 0.1·1.9 = 0.71.
  auto theta = run(settings, {1.0, 0.0}, {{1.0, 0.0}, {2.0, 0.0}}, 0.1);
  CHECK(theta[0] == doctest::Approx(0.71).epsilon(1e-15));
  settings.dampening = 0.0;
  settings.nesterov = true;
  settings.weight_decay = 0.5;
  // g1 = 1 + 0.5·1 = 1.5, b1 = 1.5, step g = 1.5 + 0.9·1.5 = 2.85, θ = 1 - 0.285 = 0.715.
  theta = run(settings, {1.0, 0.0}, {{1.0, 0.0}}, 0.1);
  CHECK(theta[0] == doctest::Approx(0.715).epsilon(1e-15));
}

TEST_CASE("Adam's first step moves every value by lr against its gradient's sign") {
  // m̂ = g, v̂ = g²: θ ← θ - lr·g/(|g| + ε).
  const auto theta = run(OptimizerSettings::defaults(OptimizerKind::adam), {0.5, -0.5}, {{2.0, -0.25}}, 0.01);
  CHECK(theta[0] == doctest::Approx(0.5 - 0.01 * 2.0 / (2.0 + 1e-8)).epsilon(1e-15));
  CHECK(theta[1] == doctest::Approx(-0.5 + 0.01 * 0.25 / (0.25 + 1e-8)).epsilon(1e-15));
}

TEST_CASE("AdamW decays the weights apart from the gradient, Adam through it") {
  auto settings = OptimizerSettings::defaults(OptimizerKind::adamw);
  CHECK(settings.weight_decay == 1e-2);
  // Zero gradient: Adam's step is 0/(0 + ε) = 0, so only the decay θ·(1 - lr·λ) acts.
  auto theta = run(settings, {2.0, -4.0}, {{0.0, 0.0}}, 0.1);
  CHECK(theta[0] == doctest::Approx(2.0 * (1 - 0.1 * 1e-2)).epsilon(1e-15));
  const double mask[2] = {0.0, 1.0};
  theta = run(settings, {2.0, -4.0}, {{1.0, 1.0}}, 0.1, mask);
  CHECK(theta[0] == 2.0);  // a fixed weight neither decays nor steps
  CHECK(theta[1] != -4.0);
}

TEST_CASE("Adagrad divides by the root of the summed squares, with lr decay") {
  auto settings = OptimizerSettings::defaults(OptimizerKind::adagrad);
  settings.lr_decay = 1.0;
  settings.initial_accumulator_value = 1.0;
  // t=1: s = 1 + 9 = 10, θ = -lr·3/(√10 + ε); t=2: lr_2 = lr/2, s = 10 + 9 = 19.
  const auto theta = run(settings, {0.0, 0.0}, {{3.0, 0.0}, {3.0, 0.0}}, 0.1);
  const double expected = -0.1 * 3.0 / (std::sqrt(10.0) + 1e-10) - 0.05 * 3.0 / (std::sqrt(19.0) + 1e-10);
  CHECK(theta[0] == doctest::Approx(expected).epsilon(1e-15));
  CHECK(theta[1] == 0.0);
}

TEST_CASE("RMSprop, centered and with momentum") {
  auto settings = OptimizerSettings::defaults(OptimizerKind::rmsprop);
  settings.centered = true;
  settings.momentum = 0.5;
  // v = 0.01·4 = 0.04, g_avg = 0.01·2 = 0.02, ṽ = 0.04 - 0.0004, b = 2/(√ṽ + ε), θ = -lr·b.
  const auto theta = run(settings, {0.0, 0.0}, {{2.0, 0.0}}, 0.01);
  CHECK(theta[0] == doctest::Approx(-0.01 * 2.0 / (std::sqrt(0.0396) + 1e-8)).epsilon(1e-14));
}

TEST_CASE("Rprop grows the step while the sign holds and skips the step after a flip") {
  const auto settings = OptimizerSettings::defaults(OptimizerKind::rprop);
  // Steps: -0.1 (η = lr), -0.12 (η·1.2), then a flip: η = 0.06 and no move, then +0.06.
  const auto theta = run(settings, {0.0, 0.0}, {{1.0, 0.0}, {1.0, 0.0}, {-1.0, 0.0}, {-1.0, 0.0}}, 0.1);
  CHECK(theta[0] == doctest::Approx(-0.1 - 0.12 + 0.06).epsilon(1e-15));
  CHECK(theta[1] == 0.0);
}

TEST_CASE("settings out of torch.optim's range are refused, naming the setting") {
  auto settings = OptimizerSettings::defaults(OptimizerKind::adam);
  settings.beta1 = 1.0;
  CHECK_THROWS_WITH_AS(Optimizer<double>(settings, "here"), "[here] expected adam beta_1 in [0, 1), got 1",
                       std::invalid_argument);
  auto sgd = OptimizerSettings::defaults(OptimizerKind::sgd);
  sgd.nesterov = true;
  CHECK_THROWS_AS(Optimizer<double>(sgd, "here"), std::invalid_argument);
  auto rprop = OptimizerSettings::defaults(OptimizerKind::rprop);
  rprop.weight_decay = 0.1;
  CHECK_THROWS_AS(Optimizer<double>(rprop, "here"), std::invalid_argument);
  CHECK_THROWS_AS(akili::parse_optimizer("adamax"), std::invalid_argument);
  CHECK(akili::parse_optimizer("adamw") == OptimizerKind::adamw);
}

TEST_CASE("SGD through the optimizer seam equals the fused paths, online and in batches") {
  Matrix x(6, 3), t(6, 2);
  x.setRandom();
  t.setRandom();
  t = (t.array() + 1.0) / 2.0;
  for (const Rule rule : {Rule::transpose, Rule::gradient, Rule::normalized}) {
    for (std::size_t batch : {std::size_t{1}, std::size_t{3}}) {
      Network<double> fused = small_network(rule);
      Network<double> reference = small_network(rule);
      // A weight decay of 1e-300 rounds away in g + λ·θ for gradients of this size, but
      // makes the optimizer not plain SGD: the reference path, step for step the same.
      auto settings = OptimizerSettings::defaults(OptimizerKind::sgd);
      settings.weight_decay = 1e-300;
      reference.set_optimizer(settings);
      CHECK(fused.uses_fast_paths());
      CHECK_FALSE(reference.uses_fast_paths());
      for (int epoch = 0; epoch < 3; ++epoch) {
        fused.train_epoch(x, t, batch, true);
        reference.train_epoch(x, t, batch, true);
      }
      for (std::size_t k = 0; k < 2; ++k) {
        CHECK((fused.weights(k) - reference.weights(k)).cwiseAbs().maxCoeff() < 1e-13);
        CHECK((fused.bias(k) - reference.bias(k)).cwiseAbs().maxCoeff() < 1e-13);
      }
    }
  }
}

TEST_CASE("a copy carries the optimizer state; initialize resets it; a diverging step restores it") {
  Network<double> network = small_network(Rule::gradient);
  network.set_optimizer(OptimizerSettings::defaults(OptimizerKind::adam));
  Matrix x(2, 3), t(2, 2);
  x << 0.1, 0.2, 0.3, -0.3, 0.2, 0.5;
  t << 0.9, 0.1, 0.1, 0.9;
  network.train_step(x, t);
  Network<double> copy(network);
  network.train_step(x, t);
  copy.train_step(x, t);
  CHECK(network.weights(0) == copy.weights(0));
  CHECK(network.optimizer().states()[0].steps == 2);
  network.initialize(akili::Init::book, 3);
  CHECK(network.optimizer().states()[0].steps == 0);
  CHECK(network.optimizer().states()[0].slots[0].isZero());

  // Steps of one example, through train_example, take the reference path at once.
  network.train_example(x.topRows(1), t.topRows(1));
  CHECK(network.optimizer().states()[0].steps == 1);
  // Adam's steps are about lr whatever the gradient: SGD with momentum overflows.
  auto momentum = OptimizerSettings::defaults(OptimizerKind::sgd);
  momentum.momentum = 0.9;
  network.set_optimizer(momentum);
  network.train_step(x, t);
  const Matrix far = Matrix::Constant(1, 2, 100.0);  // an error of about 100 at the output
  const auto before = network.optimizer();
  const Matrix weights = network.weights(1);
  network.set_learning_rate(1.7e308);
  CHECK_THROWS_AS(network.train_step(x.topRows(1), far), akili::DivergenceError);
  CHECK(network.weights(1) == weights);
  CHECK(network.optimizer().states()[0].steps == 1);
  CHECK((network.optimizer().states()[0].slots[0] == before.states()[0].slots[0]).all());
}

TEST_CASE("a step applied in ranges, as threads apply their bands, equals one whole step") {
  // Every optimizer, with coupled or decoupled decay, momentum and a mask: the
  // ranges [0, 3) and [3, 7) stepped separately give step()'s values exactly.
  std::vector<OptimizerSettings> all;
  for (auto kind : {OptimizerKind::sgd, OptimizerKind::adagrad, OptimizerKind::rmsprop, OptimizerKind::adam,
                    OptimizerKind::adamw, OptimizerKind::rprop}) {
    auto settings = OptimizerSettings::defaults(kind);
    if (kind != OptimizerKind::rprop) settings.weight_decay = 0.01;
    if (kind == OptimizerKind::sgd) settings.momentum = 0.9;
    if (kind == OptimizerKind::rmsprop) {
      settings.momentum = 0.5;
      settings.centered = true;
    }
    all.push_back(settings);
  }
  const std::vector<double> mask = {1, 1, 0, 1, 1, 1, 0};
  for (const auto& settings : all) {
    Optimizer<double> whole(settings);
    Optimizer<double> parts(settings);
    whole.allocate({7});
    parts.allocate({7});
    std::vector<double> theta_whole = {0.5, -0.25, 1.0, 2.0, -1.5, 0.125, 3.0};
    std::vector<double> theta_parts = theta_whole;
    for (int t = 1; t <= 5; ++t) {
      std::vector<double> gradient(7);
      for (int i = 0; i < 7; ++i) gradient[i] = std::sin(1.7 * t + 0.9 * i);  // sign changes for Rprop
      std::vector<double> gradient_parts = gradient;
      whole.step(0, theta_whole.data(), gradient.data(), mask.data(), 7, 0.05);
      parts.begin_step(0, 7);
      parts.apply(0, 3, 4, theta_parts.data() + 3, gradient_parts.data() + 3, mask.data() + 3, 0.05);
      parts.apply(0, 0, 3, theta_parts.data(), gradient_parts.data(), mask.data(), 0.05);
    }
    CHECK(theta_parts == theta_whole);
    CHECK(parts.states()[0].steps == whole.states()[0].steps);
    for (std::size_t slot = 0; slot < 3; ++slot) {
      CHECK((parts.states()[0].slots[slot] == whole.states()[0].slots[slot]).all());
    }
  }
}

TEST_CASE("a range outside the tensor is a logic error, not a write past its end") {
  Optimizer<double> optimizer(OptimizerSettings::defaults(OptimizerKind::adam));
  optimizer.allocate({4});
  std::vector<double> theta(4, 1.0);
  std::vector<double> gradient(4, 1.0);
  optimizer.begin_step(0, 4);
  CHECK_THROWS_AS(optimizer.apply(0, 2, 3, theta.data() + 2, gradient.data() + 2, nullptr, 0.1), std::logic_error);
  CHECK_THROWS_AS(optimizer.begin_step(0, 5), std::logic_error);
}

TEST_CASE("float optimizers take the square root itself, correctly rounded, as torch.optim does") {
  // One step from zero state on gradients of every size: each value must equal the
  // formula computed one float operation at a time with std::sqrt, bit for bit.
  // (Eigen's own float square root is approximate in the last bit in 4 values of
  // 10, and differently so on different CPUs.)
  std::vector<float> gradient;
  for (int i = 0; i < 1001; ++i) {
    const float magnitude = std::pow(10.0f, static_cast<float>(i % 9) - 4.0f);
    gradient.push_back((i % 2 ? -1.0f : 1.0f) * magnitude * (1.0f + 0.37f * static_cast<float>(i % 7)));
  }
  const auto n = static_cast<Eigen::Index>(gradient.size());
  const float lr = 0.01f;
  for (const OptimizerKind kind : {OptimizerKind::adam, OptimizerKind::rmsprop, OptimizerKind::adagrad}) {
    CAPTURE(akili::to_string(kind));
    const auto settings = OptimizerSettings::defaults(kind);
    akili::Optimizer<float> optimizer(settings);
    optimizer.allocate({n});
    std::vector<float> theta(gradient.size(), 0.0f), g = gradient;  // θ = 0: the step itself, unrounded by θ
    optimizer.step(0, theta.data(), g.data(), nullptr, n, lr);
    int differing = 0;
    const auto epsilon = static_cast<float>(settings.epsilon);
    for (std::size_t i = 0; i < gradient.size(); ++i) {
      const float gi = gradient[i];
      float expected = 0.0f;
      if (kind == OptimizerKind::adam) {
        const auto beta1 = static_cast<float>(settings.beta1), beta2 = static_cast<float>(settings.beta2);
        const float m = beta1 * 0.0f + (1.0f - beta1) * gi;         // m ← β₁·m + (1-β₁)·g
        const float v = beta2 * 0.0f + (1.0f - beta2) * (gi * gi);  // v ← β₂·v + (1-β₂)·g²
        const auto step_size = static_cast<float>(lr / (1.0 - settings.beta1));
        const auto root = static_cast<float>(std::sqrt(1.0 - settings.beta2));
        expected -= (step_size * m) / (std::sqrt(v) / root + epsilon);  // θ ← θ - s·m/(√v/√c₂ + ε)
      } else if (kind == OptimizerKind::rmsprop) {
        const auto alpha = static_cast<float>(settings.alpha);
        const float v = alpha * 0.0f + (1.0f - alpha) * (gi * gi);  // v ← α·v + (1-α)·g²
        expected -= lr * gi / (std::sqrt(v) + epsilon);             // θ ← θ - lr·g/(√v + ε)
      } else {
        const float s = 0.0f + gi * gi;                  // s ← s + g²
        expected -= lr * gi / (std::sqrt(s) + epsilon);  // θ ← θ - lr·g/(√s + ε)
      }
      differing += theta[i] != expected;
    }
    CHECK(differing == 0);
  }
}
