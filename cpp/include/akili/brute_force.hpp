#pragma once
// Brute force: the lecture's foil to gradient descent. Every trainable weight
// (and bias) takes every value of a grid, every combination is evaluated with the
// network's own forward pass, and the one with the smallest mean loss is kept.
// With G grid values and P parameters that is G^P forward passes over the data:
// fine for a line (P = 2), hopeless for the lecture's 3-3-3 net (1000^18 = 1e54).

#include "akili/network.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace akili {

/// Called every few thousand combinations (and at least every few milliseconds)
/// with the number tried so far; returning false stops the search, which then
/// reports the best combination found up to that point. It may also throw.
using SearchHook = std::function<bool(std::uint64_t tried)>;

/// The best grid point of a brute-force search.
template <typename Scalar>
struct BruteForceResult {
  std::vector<RowMatrix<Scalar>> weights;  ///< best W per layer (outputs, inputs)
  std::vector<Vector<Scalar>> biases;      ///< best b per layer (outputs); zero for layers without bias
  double loss = 0.0;                       ///< mean per-sample loss of the best combination
  std::uint64_t tried = 0;                 ///< combinations evaluated
  std::uint64_t combinations = 0;          ///< grid_size^parameters, the whole search space
  std::size_t parameters = 0;              ///< number of searched weights and biases
  bool stopped = false;                    ///< the hook stopped the search early
};

/// "G^P = N combinations", N exact below 10^15 and as "1e54"-style otherwise,
/// e.g. combination_text(1000, 18) == "1000^18 = 1e54 combinations".
std::string combination_text(std::size_t grid_size, std::size_t parameters);

/// Number of parameters brute force would search in `network`: every weight that
/// trains (not in a frozen layer, mask entry 1) and every bias of a layer with a
/// bias that is not frozen. Frozen weights keep their current values.
template <typename Scalar>
std::size_t searchable_parameters(const Network<Scalar>& network);

/// Evaluates every combination of `grid` values for the searchable parameters of
/// `network` (which is not changed) on inputs X (n, inputs) and targets
/// T (n, outputs), and returns the combination with the smallest mean loss
/// (the first one on ties; non-finite losses never win).
/// Throws std::invalid_argument when the data do not fit the network, the grid
/// is empty or not finite, nothing is searchable, or grid_size^parameters exceeds
/// `limit`; that message carries the count, e.g. "1000^18 = 1e54 combinations".
template <typename Scalar>
BruteForceResult<Scalar> brute_force(const Network<Scalar>& network, const Eigen::Ref<const RowMatrix<Scalar>>& inputs,
                                     const Eigen::Ref<const RowMatrix<Scalar>>& targets,
                                     const std::vector<Scalar>& grid, std::uint64_t limit, const SearchHook& hook = {});

extern template std::size_t searchable_parameters<float>(const Network<float>&);
extern template std::size_t searchable_parameters<double>(const Network<double>&);
extern template BruteForceResult<float> brute_force<float>(const Network<float>&,
                                                           const Eigen::Ref<const RowMatrix<float>>&,
                                                           const Eigen::Ref<const RowMatrix<float>>&,
                                                           const std::vector<float>&, std::uint64_t, const SearchHook&);
extern template BruteForceResult<double> brute_force<double>(const Network<double>&,
                                                             const Eigen::Ref<const RowMatrix<double>>&,
                                                             const Eigen::Ref<const RowMatrix<double>>&,
                                                             const std::vector<double>&, std::uint64_t,
                                                             const SearchHook&);

}  // namespace akili
