// The thread pool behind parallel_for (see threads.hpp).
//
// Online training hands the pool one short job per example (tens of
// microseconds apart), so the workers spin on an atomic job counter for a while
// after each job instead of going to sleep: waking a sleeping thread costs more
// than the job itself. After kSpinTime without work they block on a condition
// variable and use no CPU.
#include "akili/threads.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <ctime>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#if defined(__unix__) || defined(__APPLE__)
#include <pthread.h>
#endif

#if defined(__x86_64__) || defined(_M_X64) || defined(__i386__)
#include <immintrin.h>
#define AKILI_CPU_RELAX() _mm_pause()
#else
#define AKILI_CPU_RELAX() std::this_thread::yield()
#endif

namespace akili {
namespace {

constexpr std::chrono::microseconds kSpinTime{300};

int default_threads() {
  if (const char* text = std::getenv("OMP_NUM_THREADS")) {
    // OMP_NUM_THREADS may be a list ("4,2") for nested levels: the first entry counts.
    char* end = nullptr;
    const long value = std::strtol(text, &end, 10);
    if (end != text && value > 0) return static_cast<int>(value < 1024 ? value : 1024);
  }
  const unsigned cores = std::thread::hardware_concurrency();
  return cores > 0 ? static_cast<int>(cores) : 1;
}

std::atomic<int>& requested_threads() {
  static std::atomic<int> count{default_threads()};
  return count;
}

// A spinning worker checks after this long whether it had the core to itself.
constexpr std::chrono::microseconds kContentionProbe{40};

// CPU time used by the calling thread (wall time where the platform has no such clock,
// which turns the contention test off).
std::chrono::nanoseconds thread_cpu_time() {
#if defined(CLOCK_THREAD_CPUTIME_ID)
  timespec now{};
  if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now) == 0) {
    return std::chrono::seconds(now.tv_sec) + std::chrono::nanoseconds(now.tv_nsec);
  }
#endif
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch());
}

thread_local bool inside_task = false;

class Pool {
 public:
  /// Runs the job if the pool is free, else returns false (the caller runs it alone).
  bool try_run(std::size_t tasks, detail::TaskFunction function, const void* context, int threads) {
    std::unique_lock<std::mutex> busy(busy_, std::try_to_lock);
    if (!busy.owns_lock()) return false;
    const std::uint64_t job = publish(tasks, function, context, threads);
    const auto started = std::chrono::steady_clock::now();
    work(job, false);
    finish(tasks, started);
    return true;
  }

  /// Publishes side as a one-task job, runs main on the calling thread, then takes
  /// side itself if no worker has; false (nothing run) if the pool is busy.
  bool try_alongside(detail::TaskFunction main, const void* main_context, detail::TaskFunction side,
                     const void* side_context, int threads) {
    std::unique_lock<std::mutex> busy(busy_, std::try_to_lock);
    if (!busy.owns_lock()) return false;
    const std::uint64_t job = publish(1, side, side_context, threads);
    const auto started = std::chrono::steady_clock::now();
    inside_task = true;  // main's own parallel loops run alone: the pool is taken
    main(main_context, 0);
    inside_task = false;
    work(job, false);
    finish(1, started);
    return true;
  }

  /// True while the pool stands aside (see judge()).
  bool standing_aside() const { return now_ticks() < aside_until_.load(std::memory_order_relaxed); }

 private:
  // Called with busy_ held: hands a job of `tasks` tasks to the workers.
  std::uint64_t publish(std::size_t tasks, detail::TaskFunction function, const void* context, int threads) {
    if (static_cast<int>(workers_.size()) != threads - 1) resize(static_cast<std::size_t>(threads - 1));
    function_ = function;
    context_ = context;
    done_.store(0, std::memory_order_relaxed);
    const std::uint64_t job = ++last_job_ & kJobMask;
    state_.store(pack(job, 0, tasks), std::memory_order_seq_cst);  // publishes the fields above
    if (sleepers_.load(std::memory_order_seq_cst) > 0) {
      std::lock_guard<std::mutex> lock(sleep_mutex_);
      wake_.notify_all();
    }
    return job;
  }

  // Waits for the job's claimed tasks; `started` is when the caller began its own share.
  void finish(std::size_t tasks, std::chrono::steady_clock::time_point started) {
    // Only tasks someone claimed are waited for: a worker that wakes late finds
    // the job's tasks all taken and never touches it.
    if (done_.load(std::memory_order_acquire) != tasks) {
      const auto waiting = std::chrono::steady_clock::now();
      // A stall is a wait well beyond the caller's own share of the work: a worker
      // descheduled mid-task, not a large job whose bands simply take a while.
      const auto expected = waiting - started;
      for (unsigned spins = 0; done_.load(std::memory_order_acquire) != tasks; ++spins) {
        if (spins < 4096) {
          AKILI_CPU_RELAX();
        } else {
          std::this_thread::yield();
        }
      }
      if (std::chrono::steady_clock::now() - waiting > expected + kStall) ++stalls_;
    }
    judge();
  }

  // state_ packs the job number and the range [front, back) of unclaimed tasks,
  // so a task of a job that has since finished can never be claimed. The caller
  // claims from the front and workers from the back: with two threads each
  // always gets the same task (the same band of weight rows) and so keeps it in
  // its own core's cache from job to job.
  static constexpr unsigned kTaskBits = 20;
  static constexpr std::uint64_t kTaskMask = (std::uint64_t{1} << kTaskBits) - 1;
  static constexpr std::uint64_t kJobMask = (std::uint64_t{1} << (64 - 2 * kTaskBits)) - 1;

 public:
  /// Most tasks one job can have (more run alone).
  static constexpr std::size_t kMaxTasks = kTaskMask;

 private:
  static std::uint64_t pack(std::uint64_t job, std::uint64_t front, std::uint64_t back) {
    return (job << (2 * kTaskBits)) | (front << kTaskBits) | back;
  }

  void work(std::uint64_t job, bool from_back) {
    inside_task = true;
    std::uint64_t state = state_.load(std::memory_order_acquire);
    for (;;) {
      if ((state >> (2 * kTaskBits)) != job) break;
      const std::uint64_t front = (state >> kTaskBits) & kTaskMask;
      const std::uint64_t back = state & kTaskMask;
      if (front >= back) break;
      const std::uint64_t task = from_back ? back - 1 : front;
      const std::uint64_t next = from_back ? pack(job, front, back - 1) : pack(job, front + 1, back);
      if (!state_.compare_exchange_weak(state, next, std::memory_order_acq_rel, std::memory_order_acquire)) {
        continue;  // `state` now holds the current value
      }
      function_(context_, static_cast<std::size_t>(task));
      done_.fetch_add(1, std::memory_order_release);
      state = state_.load(std::memory_order_acquire);
    }
    inside_task = false;
  }

  // On a machine with more runnable threads than cores, a worker is often
  // descheduled in the middle of its task and the caller waits a whole time
  // slice for it: fine-grained jobs (one per training example) then run slower
  // than on one thread. When more than one job in kStallShare of a window
  // stalls so, the pool stands aside for kAsideTime (callers run their
  // tasks alone, with identical results) and then tries again.
  void judge() {
    if (++judged_ < kWindow) return;
    if (stalls_ * kStallShare > judged_) stand_aside();
    judged_ = 0;
    stalls_ = 0;
  }

  // Standing aside lasts a fixed time, not a number of jobs, so that it costs
  // large jobs (a few per millisecond) as little as fine-grained ones.
  static std::int64_t now_ticks() {
    return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }
  void stand_aside() { aside_until_.store(now_ticks() + kAsideTime.count(), std::memory_order_relaxed); }

  std::uint64_t current_job() const { return state_.load(std::memory_order_seq_cst) >> (2 * kTaskBits); }

  // `seen`: the job number when the worker was created (a job published before
  // the thread gets to run must still be picked up).
  void worker_loop(std::uint64_t seen) {
    for (;;) {
      // Spin for the next job, then sleep: after kSpinTime, or sooner when the
      // spin is not getting the core to itself (other programs want it: spinning
      // would take time from this process's own computing thread).
      auto spin_start = std::chrono::steady_clock::now();
      auto cpu_start = thread_cpu_time();
      std::uint64_t job = seen;
      for (unsigned spins = 0;; ++spins) {
        job = current_job();
        if (job != seen || stop_.load(std::memory_order_relaxed)) break;
        AKILI_CPU_RELAX();
        if ((spins & 255u) != 255u) continue;
        const auto spun = std::chrono::steady_clock::now() - spin_start;
        // Contended: the worker sleeps at once instead of spinning on a core that
        // another program wants. (Whether callers should stop handing out work is
        // judged from their stalls, in judge(): one descheduled moment, common on
        // a virtual machine, is not a reason to give up the second core.)
        const bool contended = spun > kContentionProbe && (thread_cpu_time() - cpu_start) * 4 < spun * 3;
        if (spun > kSpinTime || contended) {
          std::unique_lock<std::mutex> lock(sleep_mutex_);
          sleepers_.fetch_add(1, std::memory_order_seq_cst);
          wake_.wait(lock, [&] { return current_job() != seen || stop_.load(std::memory_order_relaxed); });
          sleepers_.fetch_sub(1, std::memory_order_seq_cst);
          spin_start = std::chrono::steady_clock::now();
          cpu_start = thread_cpu_time();
        }
      }
      if (stop_.load(std::memory_order_relaxed)) return;
      seen = job;
      work(job, true);
    }
  }

  // Called with busy_ held: no job is running.
  void resize(std::size_t count) {
    {
      std::lock_guard<std::mutex> lock(sleep_mutex_);
      stop_.store(true);
      wake_.notify_all();
    }
    for (auto& worker : workers_) worker.join();
    workers_.clear();
    stop_.store(false);
    const std::uint64_t seen = current_job();
    for (std::size_t i = 0; i < count; ++i) workers_.emplace_back([this, seen] { worker_loop(seen); });
  }

  std::mutex busy_;
  std::vector<std::thread> workers_;
  std::uint64_t last_job_ = 0;
  static constexpr std::chrono::microseconds kStall{200};
  static constexpr unsigned kWindow = 256;
  static constexpr unsigned kStallShare = 16;
  static constexpr std::chrono::microseconds kAsideTime{20000};
  unsigned judged_ = 0;
  unsigned stalls_ = 0;
  std::atomic<std::int64_t> aside_until_{0};
  std::atomic<std::uint64_t> state_{0};
  std::atomic<std::size_t> done_{0};
  std::atomic<int> sleepers_{0};
  std::atomic<bool> stop_{false};
  std::mutex sleep_mutex_;
  std::condition_variable wake_;
  detail::TaskFunction function_ = nullptr;
  const void* context_ = nullptr;
};

// A fork()ed child has none of its parent's workers: it starts a pool of its own.
std::atomic<bool> forked{false};

// The pool lives until the process ends and is never destroyed, so its workers
// never touch freed memory during interpreter shutdown (they sleep until exit).
Pool& pool() {
  static Pool* instance = [] {
#if defined(__unix__) || defined(__APPLE__)
    pthread_atfork(nullptr, nullptr, [] { forked.store(true); });
#endif
    return new Pool();
  }();
  if (forked.load(std::memory_order_relaxed)) {
    forked.store(false);
    instance = new Pool();  // the parent's pool (threads that do not exist here) is abandoned
  }
  return *instance;
}

}  // namespace

int num_threads() { return requested_threads().load(std::memory_order_relaxed); }

void set_num_threads(int n) { requested_threads().store(n > 0 ? n : default_threads()); }

SerialScope::SerialScope() : previous_(inside_task) { inside_task = true; }
SerialScope::~SerialScope() { inside_task = previous_; }

namespace detail {

void run_tasks(std::size_t tasks, TaskFunction function, const void* context) {
  const int threads = num_threads();
  if (threads > 1 && !inside_task && tasks <= Pool::kMaxTasks) {
    Pool& shared = pool();
    if (!shared.standing_aside() && shared.try_run(tasks, function, context, threads)) return;
  }
  // Alone: the same tasks in order, marked as inside a task like the pool's.
  const bool outer = inside_task;
  inside_task = true;
  for (std::size_t task = 0; task < tasks; ++task) function(context, task);
  inside_task = outer;
}

void run_alongside(TaskFunction main, const void* main_context, TaskFunction side, const void* side_context) {
  const int threads = num_threads();
  if (threads > 1 && !inside_task) {
    Pool& shared = pool();
    if (!shared.standing_aside() && shared.try_alongside(main, main_context, side, side_context, threads)) return;
  }
  const bool outer = inside_task;
  inside_task = true;
  main(main_context, 0);
  side(side_context, 0);
  inside_task = outer;
}

}  // namespace detail

bool inside_parallel_task() { return inside_task; }

}  // namespace akili
