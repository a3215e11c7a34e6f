// Dense layer: initialisation, forward pass and weight updates.
#include "akili/dense.hpp"

#include "number_text.hpp"

#include "akili/activation.hpp"
#include "akili/build_info.hpp"
#include "akili/threads.hpp"
#include "parallel_policy.hpp"
#include "products.hpp"
#include "row_kernels.hpp"
#include "shape_text.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <stdexcept>
#include <string>

namespace akili {

using detail::shape_text;

template <typename Scalar>
Dense<Scalar>::Dense(Eigen::Index inputs, Eigen::Index outputs, Activation activation, bool bias)
    : activation_(activation), has_bias_(bias) {
  if (inputs <= 0 || outputs <= 0) {
    throw std::invalid_argument("[Dense] expected positive inputs and outputs, got inputs=" + std::to_string(inputs) +
                                ", outputs=" + std::to_string(outputs));
  }
  // The product kernels are chosen here, on the caller's thread, so that a bad
  // AKILI_ISA is reported where the network is built, not inside a worker thread.
  active_isa();
  weights_ = Matrix::Zero(outputs, inputs);
  bias_ = Vec::Zero(outputs);
}

template <typename Scalar>
void Dense<Scalar>::set_weights(const Eigen::Ref<const Matrix>& weights) {
  if (weights.rows() != outputs() || weights.cols() != inputs()) {
    throw std::invalid_argument("[Dense::set_weights] expected weights of shape " + shape_text(outputs(), inputs()) +
                                " (outputs, inputs), got " + shape_text(weights.rows(), weights.cols()));
  }
  if (!weights.allFinite()) {
    throw std::invalid_argument("[Dense::set_weights] weights contain NaN or infinity");
  }
  weights_ = weights;
  has_weights_ = true;
}

template <typename Scalar>
void Dense<Scalar>::set_bias(const Eigen::Ref<const Vec>& bias) {
  if (!has_bias_) {
    throw std::invalid_argument("[Dense::set_bias] this layer was built without a bias (bias=false)");
  }
  if (bias.size() != outputs()) {
    throw std::invalid_argument("[Dense::set_bias] expected a bias of length " + std::to_string(outputs()) + ", got " +
                                std::to_string(bias.size()));
  }
  if (!bias.allFinite()) throw std::invalid_argument("[Dense::set_bias] bias contains NaN or infinity");
  bias_ = bias;
}

template <typename Scalar>
void Dense<Scalar>::set_trainable_mask(const Eigen::Ref<const Matrix>& mask) {
  if (mask.size() == 0) {
    mask_.resize(0, 0);
    return;
  }
  if (mask.rows() != outputs() || mask.cols() != inputs()) {
    throw std::invalid_argument("[Dense::set_trainable_mask] expected a mask of shape " +
                                shape_text(outputs(), inputs()) + ", got " + shape_text(mask.rows(), mask.cols()));
  }
  if (!(mask.array() == Scalar(0) || mask.array() == Scalar(1)).all()) {
    throw std::invalid_argument("[Dense::set_trainable_mask] mask entries must be 0 (frozen) or 1 (trains)");
  }
  mask_ = mask;
}

template <typename Scalar>
void Dense<Scalar>::initialize(Init init, Random& random) {
  const double fan_in = static_cast<double>(inputs());
  const double fan_out = static_cast<double>(outputs());
  double deviation = 0.0;
  switch (init) {
    case Init::book:
      deviation = 1.0 / std::sqrt(fan_in);
      break;  // σ = n_in^-½
    case Init::xavier:
      deviation = std::sqrt(2.0 / (fan_in + fan_out));
      break;  // σ = √(2/(n_in+n_out))
    case Init::he:
      deviation = std::sqrt(2.0 / fan_in);
      break;  // σ = √(2/n_in)
  }
  for (Eigen::Index row = 0; row < weights_.rows(); ++row) {
    for (Eigen::Index col = 0; col < weights_.cols(); ++col) {
      weights_(row, col) = static_cast<Scalar>(deviation * random.normal());
    }
  }
  bias_.setZero();
  has_weights_ = true;
}

template <typename Scalar>
void Dense<Scalar>::forward(const Eigen::Ref<const Matrix>& input, Eigen::Ref<Matrix> output) const {
  const Eigen::Index rows = input.rows();
  // X = I·Wᵀ + 1·bᵀ, then O = f(X), on the block of sample rows [r0, r0 + h) and
  // weight rows (output columns) [c0, c0 + w).
  auto block = [&](Eigen::Index r0, Eigen::Index h, Eigen::Index c0, Eigen::Index w, bool activate_now) {
    if (h > 1) {
      combine_band(input.middleRows(r0, h), output.middleRows(r0, h), c0, w, activate_now);  // O = f(I·Wᵀ + 1·bᵀ)
      return;
    }
    // One sample: X = W·I + b as a matrix-vector product over W's contiguous rows.
    auto out = output.block(r0, c0, h, w);
    out.row(0).transpose().noalias() = weights_.middleRows(c0, w) * input.row(r0).transpose();
    if (has_bias_) out.rowwise() += bias_.segment(c0, w).transpose();
    if (activate_now) activate<Scalar>(activation_, out, out);  // O = f(X)
  };
  const Eigen::Index chunk = parallel::kChunkRows;
  if (rows >= 2 * chunk) {
    // Large batches: fixed chunks of samples, so the result does not depend on the thread count.
    const std::size_t tasks = static_cast<std::size_t>((rows + chunk - 1) / chunk);
    parallel_for(tasks, [&](std::size_t task) {
      const Eigen::Index r0 = static_cast<Eigen::Index>(task) * chunk;
      block(r0, std::min(chunk, rows - r0), 0, outputs(), true);
    });
    return;
  }
  // Small batches of a large layer: each thread takes a band of weight rows
  // (output columns), which then stays in its core's cache from step to step.
  const bool split = parallel::split_weight_rows(rows, inputs(), outputs());
  const bool elementwise = is_elementwise(activation_) || !split;
  parallel::for_bands(outputs(), split,
                      [&](Eigen::Index c0, Eigen::Index c1) { block(0, rows, c0, c1 - c0, elementwise); });
  if (!elementwise) activate<Scalar>(activation_, output, output);  // softmax needs whole rows
}

template <typename Scalar>
void Dense<Scalar>::combine(const Eigen::Ref<const Matrix>& input, Eigen::Ref<Matrix> output) const {
  // Bands of weight rows (output columns) per thread, as in forward().
  const Eigen::Index rows = input.rows();
  const bool split = parallel::split_weight_rows(rows, inputs(), outputs());
  parallel::for_bands(outputs(), split,
                      [&](Eigen::Index c0, Eigen::Index c1) { combine_band(input, output, c0, c1 - c0, false); });
}

template <typename Scalar>
void Dense<Scalar>::combine_band(const Eigen::Ref<const Matrix>& input, Eigen::Ref<Matrix> output, Eigen::Index c0,
                                 Eigen::Index width, bool activate_now) const {
  auto combined = [&](auto&& out) {
    detail::multiply_by_transpose<Scalar>(input, weights_.middleRows(c0, width), out);  // X = I·Wᵀ
    if (has_bias_) out.rowwise() += bias_.segment(c0, width).transpose();               // X += 1·bᵀ
    if (activate_now) activate<Scalar>(activation_, out, out);                          // O = f(X)
  };
  if (width == output.cols()) {
    combined(output);
    return;
  }
  // A band of a wider output is computed in this thread's own buffer and copied
  // out once: the product stores its tiles once per depth block, and two
  // threads' bands would otherwise keep trading the cache line they share at
  // their edge. Row by row, the activation runs on the same widths either way.
  thread_local Matrix band;
  band.resize(input.rows(), width);
  combined(band);
  output.middleCols(c0, width) = band;
}

template <typename Scalar>
bool Dense<Scalar>::forward_serial(const Eigen::Ref<const Matrix>& input, Eigen::Ref<Matrix> output,
                                   bool check_input) const {
  if (input.rows() == 1) {
    output.row(0).transpose().noalias() = weights_ * input.row(0).transpose();  // X = W·I
  } else {
    detail::multiply_by_transpose<Scalar>(input, weights_, output);  // X = I·Wᵀ
  }
  if (has_bias_) output.rowwise() += bias_.transpose();  // X += 1·bᵀ
  if (check_input) {
    for (Eigen::Index row = 0; row < output.rows(); ++row) {
      const bool combined_finite = kernels::all_finite(output.row(row).data(), output.cols());
      if (!combined_finite && !kernels::all_finite(input.row(row).data(), input.cols())) return false;
    }
  }
  activate<Scalar>(activation_, output, output);  // O = f(X)
  return true;
}

template <typename Scalar>
void Dense<Scalar>::apply_update(const Eigen::Ref<const Matrix>& delta, const Eigen::Ref<const Matrix>& input,
                                 Scalar step) {
  if (frozen_) return;
  // The same bands as the forward pass, so each thread updates the rows it just read.
  const bool split = parallel::split_weight_rows(delta.rows(), inputs(), outputs());
  parallel::for_bands(outputs(), split,
                      [&](Eigen::Index r0, Eigen::Index r1) { update_band(delta, input, step, r0, r1 - r0); });
}

template <typename Scalar>
bool Dense<Scalar>::apply_update_checked(const Eigen::Ref<const Matrix>& delta, const Eigen::Ref<const Matrix>& input,
                                         Scalar step) {
  auto band_finite = [&](Eigen::Index r0, Eigen::Index height) {
    return kernels::all_finite(weights_.row(r0).data(), height * inputs()) &&
           (!has_bias_ || kernels::all_finite(bias_.data() + r0, height));
  };
  if (frozen_) return band_finite(0, outputs());
  std::atomic<bool> finite{true};
  const bool split = parallel::split_weight_rows(delta.rows(), inputs(), outputs());
  parallel::for_bands(outputs(), split, [&](Eigen::Index r0, Eigen::Index r1) {
    update_band(delta, input, step, r0, r1 - r0);  // W += step·Dᵀ·I, b += step·Σ D
    if (!band_finite(r0, r1 - r0)) finite.store(false, std::memory_order_relaxed);
  });
  return finite.load(std::memory_order_relaxed);
}

template <typename Scalar>
void Dense<Scalar>::update_band(const Eigen::Ref<const Matrix>& delta, const Eigen::Ref<const Matrix>& input,
                                Scalar step, Eigen::Index r0, Eigen::Index height) {
  auto weights = weights_.middleRows(r0, height);
  if (mask_.size() == 0) {
    detail::add_transposed_product<Scalar>(step, delta.middleCols(r0, height), input, weights);  // W += step·Dᵀ·I
  } else {
    const Matrix update = step * delta.middleCols(r0, height).transpose() * input;
    weights.array() += update.array() * mask_.middleRows(r0, height).array();  // W += step·(Dᵀ·I) ∘ mask
  }
  if (has_bias_) {
    // b += step·Σ_rows D, summed one row after another: every column in the same
    // order whichever band it falls in (Eigen's column sums vectorise whole
    // packets of columns with another order than the rest), so threads do not
    // change the result.
    thread_local Vec column_sums;
    column_sums.setZero(height);
    for (Eigen::Index row = 0; row < delta.rows(); ++row) {
      column_sums += delta.row(row).segment(r0, height).transpose();
    }
    bias_.segment(r0, height) += step * column_sums;
  }
}

template <typename Scalar>
void Dense<Scalar>::set_dropout(double rate, const char* where) {
  if (!(rate >= 0.0 && rate < 1.0)) {  // also refuses NaN
    throw std::invalid_argument(std::string("[") + where + "] expected a dropout rate in [0, 1), got " +
                                detail::number_text(rate));
  }
  dropout_ = rate;
}

template <typename Scalar>
void Dense<Scalar>::optimizer_band(const Eigen::Ref<const Matrix>& delta, const Eigen::Ref<const Matrix>& input,
                                   Scalar scale, Optimizer<Scalar>& optimizer, std::size_t index,
                                   Matrix& weight_gradient, Scalar learning_rate, Eigen::Index first_row,
                                   Eigen::Index row_count) {
  auto band = weight_gradient.middleRows(first_row, row_count);
  band.setZero();
  detail::add_transposed_product<Scalar>(-scale, delta.middleCols(first_row, row_count), input,
                                         band);  // G = -scale·Dᵀ·I
  const Eigen::Index offset = first_row * inputs();
  optimizer.apply(2 * index, offset, band.size(), weights_.data() + offset, band.data(),
                  mask_.size() ? mask_.data() + offset : nullptr, learning_rate);
}

template <typename Scalar>
void Dense<Scalar>::optimizer_bias_step(const Eigen::Ref<const Matrix>& delta, Scalar scale,
                                        Optimizer<Scalar>& optimizer, std::size_t index, Vec& bias_gradient,
                                        Scalar learning_rate) {
  if (!has_bias_) return;
  // g = -scale·Σ_rows D, summed one row after another as update_band does.
  bias_gradient.setZero();
  for (Eigen::Index row = 0; row < delta.rows(); ++row) bias_gradient += delta.row(row).transpose();
  bias_gradient *= -scale;
  optimizer.step(2 * index + 1, bias_.data(), bias_gradient.data(), nullptr, bias_.size(), learning_rate);
}

template <typename Scalar>
void Dense<Scalar>::optimizer_update(const Eigen::Ref<const Matrix>& delta, const Eigen::Ref<const Matrix>& input,
                                     Scalar scale, Optimizer<Scalar>& optimizer, std::size_t index,
                                     Matrix& weight_gradient, Vec& bias_gradient, Scalar learning_rate) {
  if (frozen_) return;
  // G = -scale·Dᵀ·I, in the bands of weight rows apply_update uses; each thread
  // then steps its band of W while the band's gradient is still in its cache (the
  // optimizers update element by element: the same values as one whole step).
  const bool split = parallel::split_weight_rows(delta.rows(), inputs(), outputs());
  optimizer.begin_step(2 * index, weights_.size());
  parallel::for_bands(outputs(), split, [&](Eigen::Index r0, Eigen::Index r1) {
    optimizer_band(delta, input, scale, optimizer, index, weight_gradient, learning_rate, r0, r1 - r0);
  });
  optimizer_bias_step(delta, scale, optimizer, index, bias_gradient, learning_rate);
}

template <typename Scalar>
void Dense<Scalar>::optimizer_update_then_forward(const Eigen::Ref<const Matrix>& delta,
                                                  const Eigen::Ref<const Matrix>& input, Scalar scale,
                                                  Optimizer<Scalar>& optimizer, std::size_t index,
                                                  Matrix& weight_gradient, Vec& bias_gradient, Scalar learning_rate,
                                                  const Eigen::Ref<const Matrix>& next_input,
                                                  Eigen::Ref<Matrix> next_output, bool activate_output) {
  // Bands and activation blocks as update_then_forward chooses them (see there).
  const bool split_next = parallel::split_weight_rows(next_input.rows(), inputs(), outputs());
  const bool split = split_next || parallel::split_weight_rows(delta.rows(), inputs(), outputs());
  const bool activate_in_band = activate_output && split_next && is_elementwise(activation_);
  if (!frozen_) {
    // The bias first: every band's forward pass adds the updated b. (W and b are
    // separate tensors of the optimizer, so the order of their steps is free.)
    optimizer_bias_step(delta, scale, optimizer, index, bias_gradient, learning_rate);
    optimizer.begin_step(2 * index, weights_.size());
  }
  parallel::for_bands(outputs(), split, [&](Eigen::Index r0, Eigen::Index r1) {
    if (!frozen_) optimizer_band(delta, input, scale, optimizer, index, weight_gradient, learning_rate, r0, r1 - r0);
    combine_band(next_input, next_output, r0, r1 - r0, activate_in_band);  // O = f(I_next·Wᵀ + 1·bᵀ)
  });
  if (activate_output && !activate_in_band) activate<Scalar>(activation_, next_output, next_output);
}

template <typename Scalar>
void Dense<Scalar>::update_then_forward(const Eigen::Ref<const Matrix>& delta, const Eigen::Ref<const Matrix>& input,
                                        Scalar step, const Eigen::Ref<const Matrix>& next_input,
                                        Eigen::Ref<Matrix> next_output, bool activate_output) {
  // forward() on next_input splits its bands when split_next; the job splits when either product would.
  const bool split_next = parallel::split_weight_rows(next_input.rows(), inputs(), outputs());
  const bool split = split_next || parallel::split_weight_rows(delta.rows(), inputs(), outputs());
  // The activation on exactly the blocks forward() uses (vector and scalar code
  // paths may differ in the last bit): its bands when it splits and the
  // activation is elementwise, else whole rows after the products.
  const bool activate_in_band = activate_output && split_next && is_elementwise(activation_);
  parallel::for_bands(outputs(), split, [&](Eigen::Index r0, Eigen::Index r1) {
    if (!frozen_) update_band(delta, input, step, r0, r1 - r0);            // W += step·Dᵀ·I, b += step·Σ D
    combine_band(next_input, next_output, r0, r1 - r0, activate_in_band);  // O = f(I_next·Wᵀ + 1·bᵀ)
  });
  if (activate_output && !activate_in_band) activate<Scalar>(activation_, next_output, next_output);
}

template <typename Scalar>
void Dense<Scalar>::fused_online_update(const Scalar* coefficient, const Scalar* delta, const Scalar* input,
                                        Scalar* back, Scalar step) {
  const bool trains = !frozen_;
  if (!trains && !back) return;
  const bool masked = mask_.size() != 0;
  const Eigen::Index n_in = inputs();
  // The slice of columns [c0, c1) of every row: a column's back-sum runs over the
  // rows in row order whichever slice it falls in, so threads do not change it.
  auto columns = [&](Eigen::Index c0, Eigen::Index c1) {
    const Eigen::Index width = c1 - c0;
    for (Eigen::Index i = 0; i < outputs(); ++i) {
      Scalar* w = weights_.data() + i * n_in + c0;
      const Scalar* m = masked ? mask_.data() + i * n_in + c0 : nullptr;
      const Scalar gain = step * delta[i];  // lr·δ_i
      if (back) {
        // back += c_i·W_i (the old weights: the error travels back first), then W_i += lr·δ_i·I (∘ mask_i)
        if (!trains) {
          kernels::back_update<Scalar, false, false>(w, width, coefficient[i], back + c0, gain, nullptr, nullptr);
        } else if (masked) {
          kernels::back_update<Scalar, true, true>(w, width, coefficient[i], back + c0, gain, input + c0, m);
        } else {
          kernels::back_update<Scalar, true, false>(w, width, coefficient[i], back + c0, gain, input + c0, nullptr);
        }
      } else if (masked) {
        kernels::update_dot<Scalar, true, true, false>(w, width, gain, input + c0, m,
                                                       nullptr);  // W_i += lr·δ_i·I ∘ mask_i
      } else {
        kernels::update_dot<Scalar, true, false, false>(w, width, gain, input + c0, nullptr,
                                                        nullptr);  // W_i += lr·δ_i·I
      }
    }
  };
  parallel::for_bands(n_in, parallel::worth_splitting_online(n_in * outputs()), columns,
                      kernels::packet_size<Scalar>());
  if (trains && has_bias_) {
    for (Eigen::Index i = 0; i < outputs(); ++i) bias_[i] += step * delta[i];  // b += lr·δ
  }
}

template <typename Scalar>
void Dense<Scalar>::forward_row(const Scalar* input, Scalar* output) const {
  combine_row(input, output);
  Eigen::Map<Matrix> row(output, 1, outputs());
  activate<Scalar>(activation_, row, row);  // o = f(x)
}

template <typename Scalar>
void Dense<Scalar>::combine_row(const Scalar* input, Scalar* output) const {
  const Eigen::Index n_in = inputs();
  auto rows = [&](Eigen::Index r0, Eigen::Index r1) {
    kernels::row_dots(weights_.data() + r0 * n_in, n_in, r1 - r0, input, output + r0);  // x_i = W_i·I
    if (has_bias_) {
      for (Eigen::Index i = r0; i < r1; ++i) output[i] += bias_[i];  // x_i += b_i
    }
  };
  parallel::for_bands(outputs(), parallel::worth_splitting_online(n_in * outputs()), rows);
}

template <typename Scalar>
bool Dense<Scalar>::online_update_forward(const Scalar* delta, const Scalar* input, Scalar step,
                                          const Scalar* next_input, Scalar* next_output) {
  const bool trains = !frozen_;
  const bool masked = mask_.size() != 0;
  const Eigen::Index n_in = inputs();
  auto rows = [&](Eigen::Index r0, Eigen::Index r1) {
    for (Eigen::Index i = r0; i < r1; ++i) {
      Scalar* w = weights_.data() + i * n_in;
      const Scalar* m = masked ? mask_.data() + i * n_in : nullptr;
      const Scalar gain = step * delta[i];        // lr·δ_i
      if (trains && has_bias_) bias_[i] += gain;  // b_i += lr·δ_i
      if (!next_input) {
        if (!trains) continue;
        if (masked) {
          kernels::update_dot<Scalar, true, true, false>(w, n_in, gain, input, m, nullptr);  // W_i += lr·δ_i·I ∘ mask_i
        } else {
          kernels::update_dot<Scalar, true, false, false>(w, n_in, gain, input, nullptr, nullptr);  // W_i += lr·δ_i·I
        }
        continue;
      }
      // W_i += lr·δ_i·I (∘ mask_i), and while the row is in registers, x_i = W_i·I_next.
      Scalar dot;
      if (!trains) {
        dot = kernels::update_dot<Scalar, false, false, true>(w, n_in, gain, nullptr, nullptr, next_input);
      } else if (masked) {
        dot = kernels::update_dot<Scalar, true, true, true>(w, n_in, gain, input, m, next_input);
      } else {
        dot = kernels::update_dot<Scalar, true, false, true>(w, n_in, gain, input, nullptr, next_input);
      }
      next_output[i] = has_bias_ ? dot + bias_[i] : dot;  // x_i = W_i·I_next + b_i
    }
  };
  // Each thread owns a band of rows: they stay in its core's cache from example to example.
  parallel::for_bands(outputs(), parallel::worth_splitting_online(n_in * outputs()), rows);
  if (!next_input) return true;
  Eigen::Map<Matrix> row(next_output, 1, outputs());
  const bool finite = kernels::all_finite(next_output, outputs());
  activate<Scalar>(activation_, row, row);  // o = f(x)
  return finite;
}

template class Dense<float>;
template class Dense<double>;

}  // namespace akili
