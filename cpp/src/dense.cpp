// Dense layer: initialisation, forward pass and weight updates.
#include "akili/dense.hpp"

#include "akili/activation.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

namespace akili {
namespace {

std::string shape_text(Eigen::Index rows, Eigen::Index cols) {
  return "(" + std::to_string(rows) + ", " + std::to_string(cols) + ")";
}

}  // namespace

template <typename Scalar>
Dense<Scalar>::Dense(Eigen::Index inputs, Eigen::Index outputs, Activation activation, bool bias)
    : activation_(activation), has_bias_(bias) {
  if (inputs <= 0 || outputs <= 0) {
    throw std::invalid_argument("[Dense] expected positive inputs and outputs, got inputs=" +
                                std::to_string(inputs) + ", outputs=" + std::to_string(outputs));
  }
  weights_ = Matrix::Zero(outputs, inputs);
  bias_ = Vec::Zero(outputs);
}

template <typename Scalar>
void Dense<Scalar>::set_weights(const Eigen::Ref<const Matrix>& weights) {
  if (weights.rows() != outputs() || weights.cols() != inputs()) {
    throw std::invalid_argument("[Dense::set_weights] expected weights of shape " +
                                shape_text(outputs(), inputs()) + " (outputs, inputs), got " +
                                shape_text(weights.rows(), weights.cols()));
  }
  if (!weights.allFinite()) {
    throw std::invalid_argument("[Dense::set_weights] weights contain NaN or infinity");
  }
  weights_ = weights;
}

template <typename Scalar>
void Dense<Scalar>::set_bias(const Eigen::Ref<const Vec>& bias) {
  if (!has_bias_) {
    throw std::invalid_argument("[Dense::set_bias] this layer was built without a bias (bias=false)");
  }
  if (bias.size() != outputs()) {
    throw std::invalid_argument("[Dense::set_bias] expected a bias of length " + std::to_string(outputs()) +
                                ", got " + std::to_string(bias.size()));
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
                                shape_text(outputs(), inputs()) + ", got " +
                                shape_text(mask.rows(), mask.cols()));
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
    case Init::book: deviation = 1.0 / std::sqrt(fan_in); break;               // σ = n_in^-½
    case Init::xavier: deviation = std::sqrt(2.0 / (fan_in + fan_out)); break;  // σ = √(2/(n_in+n_out))
    case Init::he: deviation = std::sqrt(2.0 / fan_in); break;                  // σ = √(2/n_in)
  }
  for (Eigen::Index row = 0; row < weights_.rows(); ++row) {
    for (Eigen::Index col = 0; col < weights_.cols(); ++col) {
      weights_(row, col) = static_cast<Scalar>(deviation * random.normal());
    }
  }
  bias_.setZero();
}

template <typename Scalar>
void Dense<Scalar>::forward(const Eigen::Ref<const Matrix>& input, Eigen::Ref<Matrix> output) const {
  if (input.rows() == 1) {
    // One sample: X = W·I as a matrix-vector product over W's contiguous rows.
    output.row(0).transpose().noalias() = weights_ * input.row(0).transpose();
  } else {
    output.noalias() = input * weights_.transpose();  // X = I·Wᵀ (samples as rows)
  }
  if (has_bias_) output.rowwise() += bias_.transpose();  // X += 1·bᵀ
  activate<Scalar>(activation_, output, output);          // O = f(X)
}

template <typename Scalar>
void Dense<Scalar>::apply_update(const Eigen::Ref<const Matrix>& delta, const Eigen::Ref<const Matrix>& input,
                                 Scalar step) {
  if (frozen_) return;
  if (mask_.size() == 0) {
    weights_.noalias() += step * delta.transpose() * input;  // W += step·Dᵀ·I
  } else {
    const Matrix update = step * delta.transpose() * input;
    weights_.array() += update.array() * mask_.array();  // W += step·(Dᵀ·I) ∘ mask
  }
  if (has_bias_) bias_.noalias() += step * delta.colwise().sum().transpose();  // b += step·Σ_rows D
}

template <typename Scalar>
void Dense<Scalar>::fused_online_update(const Scalar* coefficient, const Scalar* delta, const Scalar* input,
                                        Scalar* back, Scalar step) {
  using RowVec = Eigen::Matrix<Scalar, 1, Eigen::Dynamic>;
  const Eigen::Index n_in = inputs();
  const Eigen::Map<const RowVec> input_row(input, n_in);
  Eigen::Map<RowVec> back_row(back, back ? n_in : 0);
  const bool trains = !frozen_;
  const bool masked = mask_.size() != 0;
  for (Eigen::Index i = 0; i < outputs(); ++i) {
    auto weight_row = weights_.row(i);
    // back += c_i · W_i  (before W_i changes: the error travels along the old weights)
    if (back) back_row.noalias() += coefficient[i] * weight_row;
    if (!trains) continue;
    const Scalar gain = step * delta[i];
    if (masked) {
      weight_row.array() += gain * input_row.array() * mask_.row(i).array();  // W_i += lr·δ_i·I ∘ mask_i
    } else {
      weight_row.noalias() += gain * input_row;  // W_i += lr·δ_i·I
    }
  }
  if (trains && has_bias_) {
    bias_ += step * Eigen::Map<const Vec>(delta, outputs());  // b += lr·δ
  }
}

template class Dense<float>;
template class Dense<double>;

}  // namespace akili
