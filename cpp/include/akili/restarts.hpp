#pragma once
// Restarts: "train from several different random starting points and keep the
// best" (gradient descent only finds a local minimum). Several networks, each
// seeded differently, train on the same data at once, one std::thread per run
// at a time; each network keeps its own lock, so the runs share nothing but the
// read-only data. A run's result depends on its own seed alone, never on the
// number of threads or on which thread trained it.

#include "akili/network.hpp"

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace akili {

/// How every run trains; the same for all runs.
struct RestartOptions {
  std::size_t epochs = 1;      ///< passes over the training data per run
  std::size_t batch_size = 1;  ///< samples per SGD step (1 = online, the book's way)
  bool shuffle = true;         ///< shuffle each epoch from the run's own random source
  std::size_t threads = 0;     ///< worker threads; 0 = one per hardware thread (at most one per run)
};

/// What one run measured.
struct RestartRun {
  std::vector<double> loss;           ///< mean training loss of each epoch (forward pass before each step)
  std::vector<std::size_t> correct;   ///< samples classified correctly in each epoch
  std::vector<std::size_t> samples;   ///< samples trained in each epoch
  std::vector<double> epoch_seconds;  ///< wall-clock time of each epoch
  double score = 0.0;                 ///< mean loss after training on the score data (lower is better)
  bool stopped = false;               ///< the run was interrupted before its last epoch
  std::string error;                  ///< why the run failed (e.g. it diverged); empty when it did not
};

/// Called by the waiting (calling) thread about every 10 ms while the runs train;
/// returning true, or throwing, stops every run after its current step. An
/// exception is rethrown once all threads have joined.
using StopHook = std::function<bool()>;

/// Trains every network in `networks` (not owned; distinct objects that outlive
/// the call) on inputs X (n, inputs) and targets T (n, outputs), then scores each
/// by its mean loss on (score_inputs, score_targets) — pass the training data
/// again when there is no validation set. Returns one RestartRun per network, in
/// order. Throws std::invalid_argument when the list is empty, a network appears
/// twice, or a shape does not fit a network; a run that diverges only records its
/// error (its weights are restored to the start of the failing epoch).
template <typename Scalar>
std::vector<RestartRun> train_restarts(const std::vector<Network<Scalar>*>& networks,
                                       const Eigen::Ref<const RowMatrix<Scalar>>& inputs,
                                       const Eigen::Ref<const RowMatrix<Scalar>>& targets,
                                       const Eigen::Ref<const RowMatrix<Scalar>>& score_inputs,
                                       const Eigen::Ref<const RowMatrix<Scalar>>& score_targets,
                                       const RestartOptions& options, const StopHook& should_stop = {});

/// Index of the best run: the lowest finite score among runs without an error;
/// throws std::invalid_argument when no run qualifies.
std::size_t best_restart(const std::vector<RestartRun>& runs);

extern template std::vector<RestartRun> train_restarts<float>(const std::vector<Network<float>*>&,
                                                              const Eigen::Ref<const RowMatrix<float>>&,
                                                              const Eigen::Ref<const RowMatrix<float>>&,
                                                              const Eigen::Ref<const RowMatrix<float>>&,
                                                              const Eigen::Ref<const RowMatrix<float>>&,
                                                              const RestartOptions&, const StopHook&);
extern template std::vector<RestartRun> train_restarts<double>(const std::vector<Network<double>*>&,
                                                               const Eigen::Ref<const RowMatrix<double>>&,
                                                               const Eigen::Ref<const RowMatrix<double>>&,
                                                               const Eigen::Ref<const RowMatrix<double>>&,
                                                               const Eigen::Ref<const RowMatrix<double>>&,
                                                               const RestartOptions&, const StopHook&);

}  // namespace akili
