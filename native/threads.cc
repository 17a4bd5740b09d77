#include "threads.h"

#include <immintrin.h>
#include <sched.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace aekit {
namespace {

// Workers spin this long after a job before sleeping (a futex wake-up costs tens of microseconds),
// yielding now and then so other runnable threads on the core (V8's GC helpers) are not starved.
constexpr auto kSpin = std::chrono::microseconds(2000);
// Low half of a closed ticket: no task index reaches it, so nothing can be claimed.
constexpr unsigned long kClosed = 0xffffffffUL;

class Pool {
 public:
  ~Pool() { stop(); }

  int size() const { return (int)workers_.size() + 1; }

  void resize(int n) {
    std::lock_guard<std::mutex> busy(runMu_);
    stop();
    quit_ = false;
    const unsigned long start = epoch_.load();
    for (int t = 1; t < n; t++) workers_.emplace_back([this, t, start] { workerLoop(t, start); });
  }

  void run(int tasks, TaskFn fn, void* ctx) {
    if (tasks <= 0) return;
    // Another JS thread (worker_threads) or a nested call holds the pool: run inline instead.
    std::unique_lock<std::mutex> busy(runMu_, std::try_to_lock);
    if (!busy.owns_lock() || workers_.empty() || tasks == 1) {
      for (int i = 0; i < tasks; i++) fn(ctx, i, 0);
      return;
    }
    const unsigned long id = epoch_.load(std::memory_order_relaxed) + 1;
    // Close the ticket before the job's fields change (all sequentially consistent): a worker still
    // on the last job that reads a new field then finds the ticket closed or naming this job, so it
    // cannot claim a task of this job with a stale ticket before the job is published.
    ticket_.store(id << 32 | kClosed);
    fn_.store(fn);
    ctx_.store(ctx);
    tasks_.store(tasks);
    done_.store(0);
    ticket_.store(id << 32);
    bool wake;
    {
      std::lock_guard<std::mutex> lock(mu_);
      epoch_.store(id, std::memory_order_release);
      wake = sleepers_ > 0;
    }
    if (wake) cv_.notify_all();
    work(0, id);
    while (done_.load(std::memory_order_acquire) < tasks) _mm_pause();
  }

 private:
  // Claims tasks of job `id` through one atomic ticket (job id << 32 | next task), so a worker that
  // arrives late, after the job finished or a new one started, claims nothing.
  void work(int thread, unsigned long id) {
    unsigned long t = ticket_.load();  // before the fields, which are then this job's or a later one's
    const TaskFn fn = fn_.load();
    void* const ctx = ctx_.load();
    const unsigned long tasks = (unsigned long)tasks_.load();
    while ((t >> 32) == id && (t & 0xffffffffUL) < tasks) {
      if (!ticket_.compare_exchange_weak(t, t + 1, std::memory_order_acq_rel)) continue;
      fn(ctx, (int)(t & 0xffffffffUL), thread);
      done_.fetch_add(1, std::memory_order_acq_rel);
      t = ticket_.load(std::memory_order_acquire);
    }
  }

  // `seen` starts at the epoch when the worker was created, so a stop() that races its start is seen.
  void workerLoop(int thread, unsigned long seen) {
    while (true) {
      if (!waitForEpoch(seen)) return;
      seen = epoch_.load(std::memory_order_acquire);
      work(thread, seen);
    }
  }

  // Spin for kSpin, then sleep until the epoch moves; false when the pool is stopping.
  bool waitForEpoch(unsigned long seen) {
    const auto until = std::chrono::steady_clock::now() + kSpin;
    for (int i = 0;; i++) {
      if (epoch_.load(std::memory_order_acquire) != seen) return !quit_.load();
      _mm_pause();
      if ((i & 255) != 255) continue;
      if (std::chrono::steady_clock::now() > until) break;
      if ((i & 4095) == 4095) sched_yield();
    }
    std::unique_lock<std::mutex> lock(mu_);
    sleepers_++;
    cv_.wait(lock, [&] { return epoch_.load(std::memory_order_acquire) != seen; });
    sleepers_--;
    return !quit_.load();
  }

  void stop() {
    if (workers_.empty()) return;
    {
      std::lock_guard<std::mutex> lock(mu_);
      quit_ = true;
      epoch_.fetch_add(1, std::memory_order_release);
    }
    cv_.notify_all();
    for (auto& w : workers_) w.join();
    workers_.clear();
  }

  std::vector<std::thread> workers_;
  std::atomic<TaskFn> fn_{nullptr};
  std::atomic<void*> ctx_{nullptr};
  std::atomic<int> tasks_{0}, done_{0};
  std::atomic<unsigned long> ticket_{0};
  std::atomic<unsigned long> epoch_{0};
  std::atomic<bool> quit_{false};
  std::mutex mu_, runMu_;
  std::condition_variable cv_;
  int sleepers_ = 0;
};

Pool& pool() {
  static Pool* p = [] {
    auto* q = new Pool();  // never destroyed: worker threads must not be joined during process exit
    q->resize(1);
    return q;
  }();
  return *p;
}

}  // namespace

void parallelFor(int tasks, TaskFn fn, void* ctx) { pool().run(tasks, fn, ctx); }

int threadCount() { return pool().size(); }
void setThreadCount(int n) { pool().resize(n < 1 ? 1 : n > kMaxThreads ? kMaxThreads : n); }

}  // namespace aekit
