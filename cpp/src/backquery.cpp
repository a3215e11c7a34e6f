// Back-query: the network run backwards (equations in backquery.hpp).
#include "akili/backquery.hpp"

#include <cmath>
#include <sstream>
#include <stdexcept>
#include <string>

namespace akili {
namespace {

std::string number_text(double value) {
  std::ostringstream text;
  text.precision(17);
  text << value;
  return text.str();
}

/// Throws unless every value of O lies in the open interval (low, high) that the
/// layer's inverse activation accepts.
template <typename Scalar>
void check_domain(const RowMatrix<Scalar>& outputs, std::size_t layer, const std::string& activation, double low,
                  double high, const char* range) {
  for (Eigen::Index row = 0; row < outputs.rows(); ++row) {
    for (Eigen::Index col = 0; col < outputs.cols(); ++col) {
      const double value = static_cast<double>(outputs(row, col));
      if (!(value > low && value < high)) {
        throw std::invalid_argument("[backquery] layer " + std::to_string(layer) + " (" + activation +
                                    ") can only be inverted for outputs in " + range + ", got " + number_text(value) +
                                    " at row " + std::to_string(row) + ", column " + std::to_string(col));
      }
    }
  }
}

/// X = f⁻¹(O) in place, for the activation of layer `layer`.
template <typename Scalar>
void invert_activation(Activation activation, std::size_t layer, RowMatrix<Scalar>& signal) {
  const Scalar one(1);
  const std::string name = to_string(activation);
  const double infinity = INFINITY;
  switch (activation) {
    case Activation::identity:
      return;  // X = O
    case Activation::sigmoid:
      check_domain(signal, layer, name, 0.0, 1.0, "(0, 1)");
      signal = (signal.array() / (one - signal.array())).log().matrix();  // X = logit(O) = ln(O / (1 - O))
      return;
    case Activation::tanh:
      check_domain(signal, layer, name, -1.0, 1.0, "(-1, 1)");
      // X = atanh(O) = ½ ln((1 + O) / (1 - O))
      signal = (Scalar(0.5) * ((one + signal.array()) / (one - signal.array())).log()).matrix();
      return;
    case Activation::softmax:
      check_domain(signal, layer, name, 0.0, infinity, "(0, inf)");
      signal = signal.array().log().matrix();  // X = ln(O): softmax(ln O) = O / Σ O
      return;
    case Activation::relu:
      throw std::invalid_argument("[backquery] layer " + std::to_string(layer) +
                                  " uses relu, which has no inverse (every negative input gives 0); "
                                  "backquery needs sigmoid, tanh, softmax or identity layers");
  }
  throw std::invalid_argument("[backquery] unknown activation code at layer " + std::to_string(layer));
}

/// Each row to 0.01..0.99, as the book does: I -= min; I /= max; I *= 0.98; I += 0.01.
template <typename Scalar>
void rescale_rows(RowMatrix<Scalar>& signal) {
  for (Eigen::Index row = 0; row < signal.rows(); ++row) {
    auto values = signal.row(row).array();
    values -= values.minCoeff();  // I -= min(I)
    const Scalar largest = values.maxCoeff();
    if (largest > Scalar(0)) {
      values /= largest;                              // I /= max(I)
      values = values * Scalar(0.98) + Scalar(0.01);  // I = I·0.98 + 0.01
    } else {
      values.setConstant(Scalar(0.5));  // all equal: no direction to show, the middle of 0.01..0.99
    }
  }
}

}  // namespace

template <typename Scalar>
RowMatrix<Scalar> backquery(const Network<Scalar>& network,
                            const Eigen::Ref<const typename Network<Scalar>::Matrix>& targets) {
  if (targets.rows() == 0) throw std::invalid_argument("[backquery] expected at least one target row, got 0");
  if (targets.cols() != network.outputs()) {
    throw std::invalid_argument("[backquery] expected targets with " + std::to_string(network.outputs()) +
                                " columns (one per output), got " + std::to_string(targets.cols()));
  }
  if (!targets.allFinite()) throw std::invalid_argument("[backquery] targets contain NaN or infinity");

  RowMatrix<Scalar> signal = targets;  // O of the output layer
  for (std::size_t layer = network.layer_count(); layer-- > 0;) {
    invert_activation(network.layer(layer).activation(), layer, signal);  // X = f⁻¹(O)
    if (network.layer(layer).has_bias()) {
      signal.rowwise() -= network.bias(layer).transpose();  // X - b = W·I
    }
    // I = Wᵀ·X for each sample; with samples as rows: I (n, inputs) = X (n, outputs) · W (outputs, inputs)
    signal = signal * network.weights(layer);
    rescale_rows(signal);
  }
  return signal;
}

template RowMatrix<float> backquery<float>(const Network<float>&, const Eigen::Ref<const Network<float>::Matrix>&);
template RowMatrix<double> backquery<double>(const Network<double>&, const Eigen::Ref<const Network<double>::Matrix>&);

}  // namespace akili
