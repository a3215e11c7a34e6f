// The book's loop from C++: one call per example against one online epoch.
//
//   single_steps [examples=6400] [rounds=5]
//
// Trains the book's 784-200-10 sigmoid network (squared error, the transpose
// rule, learning rate 0.1, float64) on the same examples, from the same
// weights, three ways, in interleaved rounds (the best round counts):
//   train_epoch(batch 1)       fit's online epoch
//   train_example per example  the per-call path: checked, queued, applied a block at a time
//   train_step per example     one immediate step per call (returns each loss)
// and prints examples per second and the per-call paths' cost per example
// relative to the epoch's. It also checks that the three leave the same weights
// (to 1e-12, relative) and exits non-zero if they do not.
#include <akili/akili.hpp>
#include <akili/threads.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <string>
#include <vector>

namespace {

using Matrix = akili::RowMatrix<double>;
using Clock = std::chrono::steady_clock;

akili::Network<double> book_network() {
  std::vector<akili::Dense<double>> layers;
  layers.emplace_back(784, 200, akili::Activation::sigmoid);
  layers.emplace_back(200, 10, akili::Activation::sigmoid);
  akili::Network<double> network(std::move(layers), akili::Loss::squared_error, akili::Rule::transpose, 0.1, 1);
  network.initialize(akili::Init::book, 1);
  return network;
}

double relative_difference(const akili::Network<double>& a, const akili::Network<double>& b) {
  double worst = 0.0;
  for (std::size_t k = 0; k < a.layer_count(); ++k) {
    const Matrix wa = a.weights(k);
    const Matrix wb = b.weights(k);
    worst = std::max(worst, (wa - wb).cwiseAbs().maxCoeff() / wb.cwiseAbs().maxCoeff());
  }
  return worst;
}

}  // namespace

int main(int argc, char** argv) {
  const long examples = argc > 1 ? std::atol(argv[1]) : 6400;
  const int rounds = argc > 2 ? std::atoi(argv[2]) : 5;
  if (examples < 1 || rounds < 1) {
    std::fprintf(stderr, "usage: single_steps [examples >= 1] [rounds >= 1]\n");
    return 2;
  }
  // Inputs scaled as the book scales pixels (0.01..1.0) and targets 0.01/0.99,
  // from a fixed pseudo-random sequence (no data files needed).
  Matrix x(examples, 784);
  Matrix t = Matrix::Constant(examples, 10, 0.01);
  std::uint64_t state = 88172645463325252ULL;
  for (Eigen::Index r = 0; r < x.rows(); ++r) {
    for (Eigen::Index c = 0; c < x.cols(); ++c) {
      state ^= state << 13, state ^= state >> 7, state ^= state << 17;  // xorshift64
      x(r, c) = 0.01 + 0.99 * static_cast<double>(state >> 11) / 9007199254740992.0;
    }
    t(r, static_cast<Eigen::Index>(state % 10)) = 0.99;
  }

  double best_epoch = std::numeric_limits<double>::infinity();
  double best_queued = best_epoch;
  double best_immediate = best_epoch;
  double difference = 0.0;
  for (int round = 0; round < rounds; ++round) {
    akili::Network<double> epoch = book_network();
    akili::Network<double> queued = book_network();
    akili::Network<double> immediate = book_network();
    auto started = Clock::now();
    epoch.train_epoch(x, t, 1, false);
    best_epoch = std::min(best_epoch, std::chrono::duration<double>(Clock::now() - started).count());

    started = Clock::now();
    for (Eigen::Index r = 0; r < x.rows(); ++r) queued.train_example(x.row(r), t.row(r));
    queued.weights(0);  // applies the steps still queued: they are timed too
    best_queued = std::min(best_queued, std::chrono::duration<double>(Clock::now() - started).count());

    started = Clock::now();
    double loss_sum = 0.0;
    for (Eigen::Index r = 0; r < x.rows(); ++r) loss_sum += immediate.train_step(x.row(r), t.row(r));
    best_immediate = std::min(best_immediate, std::chrono::duration<double>(Clock::now() - started).count());
    if (!std::isfinite(loss_sum)) return 1;
    difference = std::max({difference, relative_difference(queued, epoch), relative_difference(immediate, epoch)});
  }
  const double n = static_cast<double>(examples);
  std::printf("784-200-10 float64, %ld examples, best of %d interleaved rounds, threads %d\n", examples, rounds,
              akili::num_threads());
  std::printf("| path | examples/s | cost per example vs train_epoch |\n|---|---|---|\n");
  std::printf("| train_epoch (batch 1) | %.0f | 1.00x |\n", n / best_epoch);
  std::printf("| train_example per call | %.0f | %.2fx |\n", n / best_queued, best_queued / best_epoch);
  std::printf("| train_step per call | %.0f | %.2fx |\n", n / best_immediate, best_immediate / best_epoch);
  std::printf("largest relative weight difference between the three: %.1e\n", difference);
  return difference <= 1e-12 ? 0 : 1;
}
