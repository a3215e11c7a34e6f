// The whole data set's loss and gradient in one call (formulas in full_batch.hpp).
#include "akili/full_batch.hpp"

#include "akili/activation.hpp"
#include "akili/loss.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

namespace akili {

namespace {

// Rows per chunk: a chunk's activations (rows × widest layer per layer) stay small
// whatever the data set's size.
constexpr Eigen::Index kChunkRows = 512;

template <typename Scalar>
Eigen::Index parameter_count(const Network<Scalar>& network) {
  Eigen::Index count = 0;
  for (Eigen::Index size : network.parameter_sizes()) count += size;
  return count;
}

}  // namespace

template <typename Scalar>
double loss_and_gradient(const Network<Scalar>& network,
                         const Eigen::Ref<const typename Network<Scalar>::Matrix>& inputs,
                         const Eigen::Ref<const typename Network<Scalar>::Matrix>& targets,
                         const Eigen::Ref<const typename Network<Scalar>::Vec>& sample_weights, double l2,
                         Eigen::Ref<typename Network<Scalar>::Vec> gradient, const char* where) {
  using Matrix = RowMatrix<Scalar>;
  using Vec = Vector<Scalar>;
  const std::string at = std::string("[") + where + "] ";
  const Eigen::Index n = inputs.rows();
  if (n == 0) throw std::invalid_argument(at + "expected at least one sample, got none");
  if (inputs.cols() != network.inputs() || targets.cols() != network.outputs() || targets.rows() != n) {
    throw std::invalid_argument(at + "expected inputs (n, " + std::to_string(network.inputs()) + ") and targets (n, " +
                                std::to_string(network.outputs()) + "), got (" + std::to_string(n) + ", " +
                                std::to_string(inputs.cols()) + ") and (" + std::to_string(targets.rows()) + ", " +
                                std::to_string(targets.cols()) + ")");
  }
  if (!inputs.allFinite()) throw std::invalid_argument(at + "the inputs hold NaN or infinity");
  if (!targets.allFinite()) throw std::invalid_argument(at + "the targets hold NaN or infinity");
  const bool weighted = sample_weights.size() != 0;
  if (weighted) {
    if (sample_weights.size() != n) {
      throw std::invalid_argument(at + "expected " + std::to_string(n) + " sample weights, got " +
                                  std::to_string(sample_weights.size()));
    }
    if (!sample_weights.allFinite() || (sample_weights.array() < Scalar(0)).any()) {
      throw std::invalid_argument(at + "sample weights must be finite and non-negative");
    }
  }
  const double weight_sum = weighted ? static_cast<double>(sample_weights.template cast<double>().sum()) : double(n);
  if (!(weight_sum > 0.0)) throw std::invalid_argument(at + "the sample weights sum to 0: nothing to fit");
  if (!(l2 >= 0.0) || !std::isfinite(l2)) {
    throw std::invalid_argument(at + "expected an L2 coefficient >= 0, got " + std::to_string(l2));
  }
  if (gradient.size() != parameter_count(network)) {
    throw std::invalid_argument(at + "expected room for " + std::to_string(parameter_count(network)) +
                                " gradient values, got " + std::to_string(gradient.size()));
  }

  const std::size_t count = network.layer_count();
  const std::size_t last = count - 1;
  std::vector<Matrix> outputs(count);
  std::vector<Matrix> deltas(count);
  std::vector<Matrix> weight_sums(count);  // Σ_i w_i·δ_k,iᵀ·I_k,i
  std::vector<Vec> bias_sums(count);       // Σ_i w_i·δ_k,i
  for (std::size_t k = 0; k < count; ++k) {
    weight_sums[k] = Matrix::Zero(network.layer(k).outputs(), network.layer(k).inputs());
    bias_sums[k] = Vec::Zero(network.layer(k).outputs());
  }
  const Activation output_activation = network.layer(last).activation();
  double loss_sum_weighted = 0.0;  // Σ_i w_i·L_i
  Matrix error;
  for (Eigen::Index start = 0; start < n; start += kChunkRows) {
    const Eigen::Index rows = std::min(kChunkRows, n - start);
    const auto chunk_inputs = inputs.middleRows(start, rows);
    const auto chunk_targets = targets.middleRows(start, rows);
    // Forward: O_k = f(O_{k-1}·W_kᵀ + b_k).
    // The input of layer k: the chunk's rows for the first, the layer below's output above it.
    auto input_of = [&](std::size_t k) -> Eigen::Ref<const Matrix> {
      if (k == 0) return chunk_inputs;
      return outputs[k - 1];
    };
    for (std::size_t k = 0; k < count; ++k) {
      outputs[k].resize(rows, network.layer(k).outputs());
      network.layer(k).forward(input_of(k), outputs[k]);
    }
    if (weighted) {
      for (Eigen::Index row = 0; row < rows; ++row) {
        const Scalar w = sample_weights(start + row);
        if (w == Scalar(0)) continue;  // 0·L_i = 0 even where L_i is large
        loss_sum_weighted += static_cast<double>(w) * loss_sum<Scalar>(network.loss(), output_activation,
                                                                       outputs[last].row(row), chunk_targets.row(row));
      }
    } else {
      loss_sum_weighted += loss_sum<Scalar>(network.loss(), output_activation, outputs[last], chunk_targets);
    }
    // Output: E = -dL/dO, δ = -dL/dZ; then δ_{k-1} = (δ_k·W_k) ∘ f'(O_{k-1}).
    error.resize(rows, network.outputs());
    output_error<Scalar>(network.loss(), outputs[last], chunk_targets, error);
    deltas[last].resize(rows, network.outputs());
    output_delta<Scalar>(network.loss(), output_activation, outputs[last], error, deltas[last]);
    for (std::size_t k = last; k > 0; --k) {
      deltas[k - 1].noalias() = deltas[k] * network.layer(k).weights();  // E_{k-1} = δ_k·W_k
      multiply_by_derivative<Scalar>(network.layer(k - 1).activation(), outputs[k - 1], deltas[k - 1]);
    }
    for (std::size_t k = 0; k < count; ++k) {
      if (weighted) deltas[k].array().colwise() *= sample_weights.segment(start, rows).array();  // w_i·δ_k,i
      weight_sums[k].noalias() += deltas[k].transpose() * input_of(k);  // Σ w_i·δ_k,iᵀ·I_k,i
      bias_sums[k] += deltas[k].colwise().sum().transpose();            // Σ w_i·δ_k,i
    }
  }

  // ∂J/∂W = -Σ w·δᵀ·I / Σw + λ·W (∘ mask, 0 when frozen); ∂J/∂b = -Σ w·δ / Σw.
  const auto inverse_sum = static_cast<Scalar>(1.0 / weight_sum);
  const auto lambda = static_cast<Scalar>(l2);
  double penalty = 0.0;  // Σ_k ‖W_k‖²
  Eigen::Index offset = 0;
  for (std::size_t k = 0; k < count; ++k) {
    const Dense<Scalar>& layer = network.layer(k);
    const Eigen::Index size = layer.weights().size();
    Eigen::Map<Matrix> weight_gradient(gradient.data() + offset, layer.outputs(), layer.inputs());
    penalty += static_cast<double>(layer.weights().squaredNorm());
    if (layer.frozen()) {
      weight_gradient.setZero();
    } else {
      weight_gradient = -inverse_sum * weight_sums[k] + lambda * layer.weights();
      if (layer.trainable_mask().size() != 0) weight_gradient.array() *= layer.trainable_mask().array();
    }
    offset += size;
    if (layer.has_bias()) {
      auto bias_gradient = gradient.segment(offset, layer.outputs());
      if (layer.frozen()) {
        bias_gradient.setZero();
      } else {
        bias_gradient = -inverse_sum * bias_sums[k];
      }
      offset += layer.outputs();
    }
  }
  return loss_sum_weighted / weight_sum + 0.5 * l2 * penalty;  // J = Σ w·L / Σw + (λ/2)·Σ‖W‖²
}

template <typename Scalar>
Vector<Scalar> flat_parameters(const Network<Scalar>& network) {
  Vector<Scalar> values(parameter_count(network));
  Eigen::Index offset = 0;
  for (std::size_t k = 0; k < network.layer_count(); ++k) {
    const Dense<Scalar>& layer = network.layer(k);
    values.segment(offset, layer.weights().size()) = layer.weights().template reshaped<Eigen::RowMajor>();
    offset += layer.weights().size();
    if (layer.has_bias()) {
      values.segment(offset, layer.outputs()) = layer.bias();
      offset += layer.outputs();
    }
  }
  return values;
}

template <typename Scalar>
void set_flat_parameters(Network<Scalar>& network, const Eigen::Ref<const typename Network<Scalar>::Vec>& values,
                         const char* where) {
  const Eigen::Index expected = parameter_count(network);
  if (values.size() != expected) {
    throw std::invalid_argument(std::string("[") + where + "] expected " + std::to_string(expected) +
                                " parameter values, got " + std::to_string(values.size()));
  }
  if (!values.allFinite()) throw std::invalid_argument(std::string("[") + where + "] a parameter value is not finite");
  Eigen::Index offset = 0;
  for (std::size_t k = 0; k < network.layer_count(); ++k) {
    const Eigen::Index rows = network.layer(k).outputs();
    const Eigen::Index cols = network.layer(k).inputs();
    network.set_weights(k, Eigen::Map<const RowMatrix<Scalar>>(values.data() + offset, rows, cols));
    offset += rows * cols;
    if (network.layer(k).has_bias()) {
      network.set_bias(k, values.segment(offset, rows));
      offset += rows;
    }
  }
}

#define AKILI_INSTANTIATE_FULL_BATCH(Scalar)                                                                          \
  template double loss_and_gradient<Scalar>(const Network<Scalar>&, const Eigen::Ref<const Network<Scalar>::Matrix>&, \
                                            const Eigen::Ref<const Network<Scalar>::Matrix>&,                         \
                                            const Eigen::Ref<const Network<Scalar>::Vec>&, double,                    \
                                            Eigen::Ref<Network<Scalar>::Vec>, const char*);                           \
  template Vector<Scalar> flat_parameters<Scalar>(const Network<Scalar>&);                                            \
  template void set_flat_parameters<Scalar>(Network<Scalar>&, const Eigen::Ref<const Network<Scalar>::Vec>&,          \
                                            const char*);
AKILI_INSTANTIATE_FULL_BATCH(float)
AKILI_INSTANTIATE_FULL_BATCH(double)
#undef AKILI_INSTANTIATE_FULL_BATCH

}  // namespace akili
