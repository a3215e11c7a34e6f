// The thread pool's contracts: every task runs once, run_alongside runs both
// parts (on two threads when it can), and an exception from its main part is
// rethrown only after the side part has finished.
#include <doctest/doctest.h>

#include "akili/threads.hpp"

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>
#include <vector>

namespace {

// Restores the thread count after a test changes it.
struct ThreadCount {
  explicit ThreadCount(int count) : before(akili::num_threads()) { akili::set_num_threads(count); }
  ~ThreadCount() { akili::set_num_threads(before); }
  int before;
};

}  // namespace

TEST_CASE("parallel_for runs every task exactly once") {
  for (int threads : {1, 2, 3}) {
    ThreadCount scope(threads);
    std::vector<std::atomic<int>> runs(1000);
    akili::parallel_for(runs.size(), [&](std::size_t task) { runs[task].fetch_add(1); });
    for (const auto& count : runs) CHECK(count.load() == 1);
  }
}

TEST_CASE("run_alongside runs both parts once, the side on another thread when there is one") {
  for (int threads : {1, 2}) {
    ThreadCount scope(threads);
    for (int round = 0; round < 50; ++round) {
      int main_runs = 0;
      std::atomic<int> side_runs{0};
      std::thread::id main_thread;
      std::thread::id side_thread;
      bool nested_ran_alone = false;
      akili::run_alongside(
          [&] {
            ++main_runs;
            main_thread = std::this_thread::get_id();
            // A parallel loop inside the main part runs alone: the pool is taken.
            std::vector<std::thread::id> ids(4);
            akili::parallel_for(ids.size(), [&](std::size_t task) { ids[task] = std::this_thread::get_id(); });
            nested_ran_alone = ids[0] == ids[1] && ids[1] == ids[2] && ids[2] == ids[3] && ids[0] == main_thread;
            // Long enough that a spinning worker picks the side part up.
            std::this_thread::sleep_for(std::chrono::microseconds(200));
          },
          [&] {
            side_runs.fetch_add(1);
            side_thread = std::this_thread::get_id();
          });
      CHECK(main_runs == 1);
      CHECK(side_runs.load() == 1);
      CHECK(nested_ran_alone);
      const bool main_on_caller = main_thread == std::this_thread::get_id();
      CHECK(main_on_caller);  // the caller runs the main part (progress hooks call back into Python)
      const bool side_on_caller = side_thread == main_thread;
      if (threads == 1) CHECK(side_on_caller);
      CHECK_FALSE(akili::inside_parallel_task());
    }
  }
}

TEST_CASE("run_alongside rethrows the main part's exception after the side part has finished") {
  ThreadCount scope(2);
  for (int round = 0; round < 20; ++round) {
    std::atomic<bool> side_finished{false};
    CHECK_THROWS_WITH_AS(akili::run_alongside([&] { throw std::runtime_error("main failed"); },
                                              [&] {
                                                std::this_thread::sleep_for(std::chrono::microseconds(300));
                                                side_finished.store(true);
                                              }),
                         "main failed", std::runtime_error);
    CHECK(side_finished.load());
    CHECK_FALSE(akili::inside_parallel_task());
  }
  // The pool still works afterwards.
  std::atomic<int> total{0};
  akili::parallel_for(64, [&](std::size_t task) { total.fetch_add(static_cast<int>(task)); });
  CHECK(total.load() == 64 * 63 / 2);
}
