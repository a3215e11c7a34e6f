#pragma once
// The core's own small thread pool: the training and prediction loops split
// their large passes over a weight matrix (or a large batch) into tasks and run
// them on both cores. Small networks never touch it (each caller chooses by size).
//
// How many threads: set_num_threads(n), else the environment variable
// OMP_NUM_THREADS (the usual knob), else every core the machine has.
// The split of a computation into tasks is fixed by the caller, never by which
// thread runs a task, so results depend only on the task split.

#include <cstddef>
#include <exception>
#include <type_traits>
#include <utility>

namespace akili {

/// Threads the core's parallel loops use, >= 1 (the calling thread included).
int num_threads();

/// Sets the thread count for later calls; n <= 0 restores the default
/// (OMP_NUM_THREADS when set to a positive integer, else the number of cores).
void set_num_threads(int n);

/// While an instance lives, parallel_for called on this thread runs every task on
/// this thread. For code that already runs one job per thread (restarts), so its
/// threads do not also contend for the pool.
class SerialScope {
 public:
  SerialScope();
  ~SerialScope();
  SerialScope(const SerialScope&) = delete;
  SerialScope& operator=(const SerialScope&) = delete;

 private:
  bool previous_;
};

/// True while the calling thread runs a parallel_for task (nested loops run alone).
bool inside_parallel_task();

namespace detail {
using TaskFunction = void (*)(const void* context, std::size_t task);
void run_tasks(std::size_t tasks, TaskFunction function, const void* context);
void run_alongside(TaskFunction main, const void* main_context, TaskFunction side, const void* side_context);
}  // namespace detail

/// Runs body(task) for every task in [0, tasks), spread over num_threads()
/// threads; the calling thread takes part and the call returns when all are done.
/// Tasks must not throw and must write disjoint memory. When the pool is busy
/// with another caller (or called from inside a task) the tasks run one after
/// another on the calling thread, with identical results.
template <typename Body>
void parallel_for(std::size_t tasks, const Body& body) {
  if (tasks == 0) return;
  detail::run_tasks(
      tasks, [](const void* context, std::size_t task) { (*static_cast<const Body*>(context))(task); },
      static_cast<const void*>(&body));
}

/// Runs main() on the calling thread while another thread of the pool runs
/// side(), and returns when both are done: for work that does not depend on
/// main() (preparing the next block of examples while this one trains). Without
/// a free worker (one thread, the pool busy, inside a task) main() runs, then
/// side(). side() must not throw and must not touch what main() writes; an
/// exception from main() is rethrown once side() has finished. Parallel loops
/// called inside either run alone, as inside a parallel_for task.
template <typename Main, typename Side>
void run_alongside(const Main& main, const Side& side) {
  std::exception_ptr failure;
  auto guarded = [&] {
    try {
      main();
    } catch (...) {
      failure = std::current_exception();
    }
  };
  detail::run_alongside([](const void* context, std::size_t) { (*static_cast<const decltype(guarded)*>(context))(); },
                        static_cast<const void*>(&guarded),
                        [](const void* context, std::size_t) { (*static_cast<const Side*>(context))(); },
                        static_cast<const void*>(&side));
  if (failure) std::rethrow_exception(failure);
}

/// The half-open range [begin, end) of part `part` when `count` items are cut into
/// `parts` nearly equal contiguous parts, each boundary a multiple of `align`
/// (except the end) so vector loops start on whole packets.
inline std::pair<std::size_t, std::size_t> split_range(std::size_t count, std::size_t parts, std::size_t part,
                                                       std::size_t align = 1) {
  const std::size_t units = (count + align - 1) / align;
  auto edge = [&](std::size_t p) {
    const std::size_t at = (units * p / parts) * align;
    return at < count ? at : count;
  };
  return {edge(part), edge(part + 1)};
}

}  // namespace akili
