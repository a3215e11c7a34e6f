// Restarts: several seeded networks trained at once on worker threads, while
// the calling thread waits and polls the stop hook (it alone may answer Ctrl-C).
#include "akili/restarts.hpp"

#include "akili/threads.hpp"
#include "shape_text.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <exception>
#include <limits>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>

namespace akili {

using detail::shape_text;

namespace {

// How often the waiting thread calls the stop hook.
constexpr std::chrono::milliseconds kPollInterval{10};

template <typename Scalar>
void check_arguments(const std::vector<Network<Scalar>*>& networks, const Eigen::Ref<const RowMatrix<Scalar>>& inputs,
                     const Eigen::Ref<const RowMatrix<Scalar>>& targets,
                     const Eigen::Ref<const RowMatrix<Scalar>>& score_inputs,
                     const Eigen::Ref<const RowMatrix<Scalar>>& score_targets, const RestartOptions& options) {
  const std::string at = "[train_restarts] ";
  if (networks.empty()) throw std::invalid_argument(at + "expected at least one network, got none");
  if (options.epochs == 0) throw std::invalid_argument(at + "expected epochs >= 1, got 0");
  if (options.batch_size == 0) throw std::invalid_argument(at + "expected batch_size >= 1, got 0");
  std::set<const Network<Scalar>*> seen;
  for (std::size_t i = 0; i < networks.size(); ++i) {
    const Network<Scalar>* network = networks[i];
    if (network == nullptr) throw std::invalid_argument(at + "network " + std::to_string(i) + " is missing");
    // Two runs on one network would train it twice, one after the other, under its lock.
    if (!seen.insert(network).second) {
      throw std::invalid_argument(at + "network " + std::to_string(i) +
                                  " appears twice; each run needs its own network");
    }
    const auto check_pair = [&](const char* what, const Eigen::Ref<const RowMatrix<Scalar>>& x,
                                const Eigen::Ref<const RowMatrix<Scalar>>& t) {
      if (x.rows() == 0) throw std::invalid_argument(at + what + " inputs have no rows");
      if (x.cols() != network->inputs() || t.rows() != x.rows() || t.cols() != network->outputs()) {
        throw std::invalid_argument(at + "network " + std::to_string(i) + " expects " + what + " inputs (n, " +
                                    std::to_string(network->inputs()) + ") and targets (n, " +
                                    std::to_string(network->outputs()) + "), got " + shape_text(x.rows(), x.cols()) +
                                    " and " + shape_text(t.rows(), t.cols()));
      }
    };
    check_pair("training", inputs, targets);
    check_pair("score", score_inputs, score_targets);
  }
  if (!inputs.allFinite() || !targets.allFinite()) {
    throw std::invalid_argument(at + "training inputs or targets contain NaN or infinity");
  }
  if (!score_inputs.allFinite() || !score_targets.allFinite()) {
    throw std::invalid_argument(at + "score inputs or targets contain NaN or infinity");
  }
}

// One run: `epochs` passes, stopping early when `stop` is raised; a failure
// (divergence) is recorded, not thrown, so the other runs carry on.
template <typename Scalar>
void train_one(Network<Scalar>& network, const Eigen::Ref<const RowMatrix<Scalar>>& inputs,
               const Eigen::Ref<const RowMatrix<Scalar>>& targets,
               const Eigen::Ref<const RowMatrix<Scalar>>& score_inputs,
               const Eigen::Ref<const RowMatrix<Scalar>>& score_targets, const RestartOptions& options,
               const std::atomic<bool>& stop, RestartRun& run) {
  const ProgressHook keep_going = [&stop](const EpochResult&) { return !stop.load(std::memory_order_relaxed); };
  try {
    for (std::size_t epoch = 0; epoch < options.epochs; ++epoch) {
      if (stop.load(std::memory_order_relaxed)) {
        run.stopped = true;
        break;
      }
      const auto started = std::chrono::steady_clock::now();
      const EpochResult result =
          network.train_epoch(inputs, targets, options.batch_size, options.shuffle, keep_going, 0);
      const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - started;
      run.epoch_seconds.push_back(elapsed.count());
      run.samples.push_back(result.samples);
      run.correct.push_back(result.correct);
      // Mean loss of the epoch: Σ per-sample loss / samples trained.
      run.loss.push_back(result.samples ? result.loss_sum / static_cast<double>(result.samples)
                                        : std::numeric_limits<double>::quiet_NaN());
      if (result.stopped) {
        run.stopped = true;
        break;
      }
    }
    run.score = network.loss_value(score_inputs, score_targets);
  } catch (const std::exception& error) {
    run.error = error.what();
    run.score = std::numeric_limits<double>::quiet_NaN();
  }
}

}  // namespace

template <typename Scalar>
std::vector<RestartRun> train_restarts(const std::vector<Network<Scalar>*>& networks,
                                       const Eigen::Ref<const RowMatrix<Scalar>>& inputs,
                                       const Eigen::Ref<const RowMatrix<Scalar>>& targets,
                                       const Eigen::Ref<const RowMatrix<Scalar>>& score_inputs,
                                       const Eigen::Ref<const RowMatrix<Scalar>>& score_targets,
                                       const RestartOptions& options, const StopHook& should_stop) {
  check_arguments(networks, inputs, targets, score_inputs, score_targets, options);
  const std::size_t runs = networks.size();
  std::size_t threads = options.threads;
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  threads = std::min(threads, runs);

  std::vector<RestartRun> results(runs);
  std::atomic<std::size_t> next{0};  // the next run a free worker takes
  std::atomic<bool> stop{false};
  std::mutex mutex;
  std::condition_variable finished;
  std::size_t workers_done = 0;

  const auto worker = [&]() {
    // The runs are the parallelism: each trains on its own thread, never on the pool.
    const SerialScope serial;
    for (std::size_t i = next.fetch_add(1); i < runs; i = next.fetch_add(1)) {
      train_one(*networks[i], inputs, targets, score_inputs, score_targets, options, stop, results[i]);
    }
    std::lock_guard<std::mutex> lock(mutex);
    ++workers_done;
    finished.notify_one();
  };

  std::vector<std::thread> pool;
  pool.reserve(threads);
  std::exception_ptr failure;
  try {
    for (std::size_t t = 0; t < threads; ++t) pool.emplace_back(worker);
  } catch (...) {
    // A thread could not start: stop the ones that did, then report it.
    failure = std::current_exception();
    stop = true;
  }

  // Wait for the workers, asking the hook every kPollInterval whether to stop.
  std::unique_lock<std::mutex> lock(mutex);
  while (workers_done < pool.size()) {
    if (finished.wait_for(lock, kPollInterval, [&] { return workers_done == pool.size(); })) break;
    if (!should_stop || stop) continue;
    lock.unlock();
    try {
      if (should_stop()) stop = true;
    } catch (...) {
      failure = std::current_exception();
      stop = true;
    }
    lock.lock();
  }
  lock.unlock();
  for (auto& thread : pool) thread.join();
  if (failure) std::rethrow_exception(failure);
  return results;
}

std::size_t best_restart(const std::vector<RestartRun>& runs) {
  std::size_t best = runs.size();
  for (std::size_t i = 0; i < runs.size(); ++i) {
    if (!runs[i].error.empty() || !std::isfinite(runs[i].score)) continue;
    // Ties keep the earlier run, so the choice does not depend on timing.
    if (best == runs.size() || runs[i].score < runs[best].score) best = i;
  }
  if (best == runs.size()) {
    throw std::invalid_argument("[best_restart] no run finished with a finite score (" + std::to_string(runs.size()) +
                                " runs)");
  }
  return best;
}

template std::vector<RestartRun> train_restarts<float>(const std::vector<Network<float>*>&,
                                                       const Eigen::Ref<const RowMatrix<float>>&,
                                                       const Eigen::Ref<const RowMatrix<float>>&,
                                                       const Eigen::Ref<const RowMatrix<float>>&,
                                                       const Eigen::Ref<const RowMatrix<float>>&, const RestartOptions&,
                                                       const StopHook&);
template std::vector<RestartRun> train_restarts<double>(const std::vector<Network<double>*>&,
                                                        const Eigen::Ref<const RowMatrix<double>>&,
                                                        const Eigen::Ref<const RowMatrix<double>>&,
                                                        const Eigen::Ref<const RowMatrix<double>>&,
                                                        const Eigen::Ref<const RowMatrix<double>>&,
                                                        const RestartOptions&, const StopHook&);

}  // namespace akili
