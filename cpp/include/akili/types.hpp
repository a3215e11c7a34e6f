#pragma once
// Shared matrix types, the enumerations that name a network's parts, and
// their string names (used by the bindings and the model file).

#include <Eigen/Core>

#include <string>
#include <vector>

namespace akili {

/// Row-major dynamic matrix: samples are rows, so a batch X has shape (n, inputs)
/// and each weight row W.row(i) (the links into node i) is contiguous in memory.
template <typename Scalar>
using RowMatrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

/// Column vector (one sample, or a bias).
template <typename Scalar>
using Vector = Eigen::Matrix<Scalar, Eigen::Dynamic, 1>;

/// Non-linear transformation applied after the weighted sum X = W·I.
enum class Activation { identity, sigmoid, tanh, relu, softmax };

/// Error measure minimised by training (formulas in loss.hpp).
enum class Loss { squared_error, mse, cross_entropy };

/// How the error reaching a hidden layer is computed (see network.hpp).
enum class Rule { transpose, gradient, normalized };

/// How initial weights are drawn.
enum class Init { book, xavier, he };

/// Name <-> value conversions; the parsers throw std::invalid_argument that lists
/// the accepted names, e.g. `[parse_activation] unknown activation "sigmod"; expected one of ...`.
std::string to_string(Activation activation);
std::string to_string(Loss loss);
std::string to_string(Rule rule);
std::string to_string(Init init);
Activation parse_activation(const std::string& name);
Loss parse_loss(const std::string& name);
Rule parse_rule(const std::string& name);
Init parse_init(const std::string& name);

/// Every accepted name, in the order the parsers' messages list them: the one
/// table the Python layer and the command line read their choices from.
std::vector<std::string> activation_names();
std::vector<std::string> loss_names();
std::vector<std::string> rule_names();
std::vector<std::string> init_names();

}  // namespace akili
