// Brute force over a grid of weight values (see brute_force.hpp).
#include "akili/brute_force.hpp"

#include "akili/loss.hpp"
#include "number_text.hpp"
#include "shape_text.hpp"

#include <chrono>
#include <cmath>
#include <limits>
#include <sstream>
#include <stdexcept>

namespace akili {

using detail::shape_text;

namespace {

// The clock is read once per this many combinations, and the hook is called when
// kHookInterval has passed: Ctrl-C is answered within milliseconds.
constexpr std::uint64_t kClockEvery = 1024;
constexpr std::chrono::milliseconds kHookInterval{5};

/// Where one searched parameter lives: W(row, col) or b(row) of layer `layer`.
struct Slot {
  std::size_t layer;
  bool is_bias;
  Eigen::Index row;
  Eigen::Index col;
};

/// G^P exactly, or false when it does not fit in 64 bits.
bool exact_power(std::uint64_t base, std::size_t exponent, std::uint64_t& result) {
  result = 1;
  for (std::size_t i = 0; i < exponent; ++i) {
    if (base != 0 && result > std::numeric_limits<std::uint64_t>::max() / base) return false;
    result *= base;
  }
  return true;
}

template <typename Scalar>
std::vector<Slot> searched_slots(const Network<Scalar>& network) {
  std::vector<Slot> slots;
  for (std::size_t k = 0; k < network.layer_count(); ++k) {
    const Dense<Scalar>& layer = network.layer(k);
    if (layer.frozen()) continue;
    const auto& mask = layer.trainable_mask();
    for (Eigen::Index i = 0; i < layer.outputs(); ++i) {
      for (Eigen::Index j = 0; j < layer.inputs(); ++j) {
        if (mask.size() == 0 || mask(i, j) != Scalar(0)) slots.push_back({k, false, i, j});
      }
    }
    if (layer.has_bias()) {
      for (Eigen::Index i = 0; i < layer.outputs(); ++i) slots.push_back({k, true, i, 0});
    }
  }
  return slots;
}

}  // namespace

std::string combination_text(std::size_t grid_size, std::size_t parameters) {
  std::ostringstream text;
  text << grid_size << "^" << parameters << " = ";
  std::uint64_t exact = 0;
  if (exact_power(grid_size, parameters, exact) && exact < 1000000000000000ULL) {
    text << exact;
  } else {
    // log10(G^P) = P·log10(G): the count as mantissa·10^exponent without overflow.
    const double log_count = static_cast<double>(parameters) * std::log10(static_cast<double>(grid_size));
    double exponent = std::floor(log_count);
    double mantissa = std::pow(10.0, log_count - exponent);
    if (mantissa >= 9.995) {  // 53.99999… rounds up to 1e54, not "10e53"
      mantissa = 1.0;
      exponent += 1.0;
    }
    std::ostringstream digits;
    digits.precision(3);
    digits << mantissa;  // "1" or e.g. "3.5": three significant digits at most
    text << digits.str() << "e" << static_cast<long long>(exponent);
  }
  text << " combinations";
  return text.str();
}

template <typename Scalar>
std::size_t searchable_parameters(const Network<Scalar>& network) {
  const Network<Scalar> snapshot(network);  // a consistent copy, taken under the network's lock
  return searched_slots(snapshot).size();
}

template <typename Scalar>
BruteForceResult<Scalar> brute_force(const Network<Scalar>& network, const Eigen::Ref<const RowMatrix<Scalar>>& inputs,
                                     const Eigen::Ref<const RowMatrix<Scalar>>& targets,
                                     const std::vector<Scalar>& grid, std::uint64_t limit, const SearchHook& hook) {
  using Matrix = RowMatrix<Scalar>;
  const Network<Scalar> snapshot(network);
  const std::size_t count = snapshot.layer_count();
  if (inputs.rows() == 0) throw std::invalid_argument("[brute_force] expected at least one sample, got 0 rows");
  if (inputs.cols() != snapshot.inputs() || targets.rows() != inputs.rows() || targets.cols() != snapshot.outputs()) {
    throw std::invalid_argument("[brute_force] expected inputs (n, " + std::to_string(snapshot.inputs()) +
                                ") and targets (n, " + std::to_string(snapshot.outputs()) + "), got " +
                                shape_text(inputs.rows(), inputs.cols()) + " and " +
                                shape_text(targets.rows(), targets.cols()));
  }
  if (!inputs.allFinite() || !targets.allFinite()) {
    throw std::invalid_argument("[brute_force] inputs or targets contain NaN or infinity");
  }
  if (grid.empty()) throw std::invalid_argument("[brute_force] expected at least one grid value, got none");
  for (const Scalar value : grid) {
    if (!std::isfinite(static_cast<double>(value))) {
      throw std::invalid_argument("[brute_force] grid values must be finite, got " +
                                  detail::number_text(static_cast<double>(value)));
    }
  }
  const std::vector<Slot> slots = searched_slots(snapshot);
  if (slots.empty()) {
    throw std::invalid_argument("[brute_force] nothing to search: every layer is frozen or masked");
  }
  // The search space: G^P combinations, refused before any work when too large.
  std::uint64_t combinations = 0;
  if (!exact_power(grid.size(), slots.size(), combinations) || combinations > limit) {
    throw std::invalid_argument("[brute_force] " + combination_text(grid.size(), slots.size()) + " (" +
                                std::to_string(grid.size()) + " grid values for each of " +
                                std::to_string(slots.size()) + " weights and biases) exceed the limit of " +
                                std::to_string(limit) + "; use a coarser grid or a smaller network");
  }

  // Working copies: the searched parameters all start at grid[0].
  std::vector<Dense<Scalar>> layers;
  std::vector<Matrix> weights(count);
  std::vector<Vector<Scalar>> biases(count);
  std::vector<Matrix> outputs(count);
  for (std::size_t k = 0; k < count; ++k) {
    layers.push_back(snapshot.layer(k));
    weights[k] = layers[k].weights();
    biases[k] = layers[k].bias();
    outputs[k].resize(inputs.rows(), layers[k].outputs());
  }
  std::vector<bool> dirty(count, true);
  auto assign = [&](const Slot& slot, Scalar value) {
    if (slot.is_bias) {
      biases[slot.layer](slot.row) = value;
    } else {
      weights[slot.layer](slot.row, slot.col) = value;
    }
    dirty[slot.layer] = true;
  };
  for (const Slot& slot : slots) assign(slot, grid[0]);

  BruteForceResult<Scalar> result;
  result.combinations = combinations;
  result.parameters = slots.size();
  result.loss = std::numeric_limits<double>::infinity();
  result.weights = weights;
  result.biases = biases;
  const Activation output_activation = layers.back().activation();
  const double samples = static_cast<double>(inputs.rows());
  std::vector<std::size_t> index(slots.size(), 0);
  auto last_hook = std::chrono::steady_clock::now();

  for (;;) {
    for (std::size_t k = 0; k < count; ++k) {
      if (!dirty[k]) continue;
      layers[k].set_weights(weights[k]);
      if (layers[k].has_bias()) layers[k].set_bias(biases[k]);
      dirty[k] = false;
    }
    // The network's forward pass, O_k = f(W_k·O_{k-1} + b_k), then L = 1/n Σ_samples loss.
    for (std::size_t k = 0; k < count; ++k) {
      if (k == 0) {
        layers[k].forward(inputs, outputs[k]);
      } else {
        layers[k].forward(outputs[k - 1], outputs[k]);
      }
    }
    const double loss = loss_sum<Scalar>(snapshot.loss(), output_activation, outputs.back(), targets) / samples;
    ++result.tried;
    if (loss < result.loss) {  // strict: the first of equal losses stays; NaN never wins
      result.loss = loss;
      result.weights = weights;
      result.biases = biases;
    }
    if (hook && result.tried % kClockEvery == 0) {
      const auto now = std::chrono::steady_clock::now();
      if (now - last_hook >= kHookInterval) {
        last_hook = now;
        if (!hook(result.tried)) {
          result.stopped = true;
          break;
        }
      }
    }
    // Next combination, odometer style: the first parameter turns fastest.
    std::size_t p = 0;
    for (; p < slots.size(); ++p) {
      if (++index[p] < grid.size()) {
        assign(slots[p], grid[index[p]]);
        break;
      }
      index[p] = 0;
      assign(slots[p], grid[0]);
    }
    if (p == slots.size()) break;  // every combination tried
  }
  return result;
}

template std::size_t searchable_parameters<float>(const Network<float>&);
template std::size_t searchable_parameters<double>(const Network<double>&);
template BruteForceResult<float> brute_force<float>(const Network<float>&, const Eigen::Ref<const RowMatrix<float>>&,
                                                    const Eigen::Ref<const RowMatrix<float>>&,
                                                    const std::vector<float>&, std::uint64_t, const SearchHook&);
template BruteForceResult<double> brute_force<double>(const Network<double>&,
                                                      const Eigen::Ref<const RowMatrix<double>>&,
                                                      const Eigen::Ref<const RowMatrix<double>>&,
                                                      const std::vector<double>&, std::uint64_t, const SearchHook&);

}  // namespace akili
