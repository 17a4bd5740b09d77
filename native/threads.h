// A persistent pool of worker threads; the calling thread works too. Workers spin briefly after a
// job (kernels arrive microseconds apart in a training step) and then sleep on a condition variable.
#pragma once

namespace aekit {

using TaskFn = void (*)(void* ctx, int task, int thread);

// Run fn(ctx, task, thread) for task in [0, tasks) on up to threadCount() threads; returns when all are done.
void parallelFor(int tasks, TaskFn fn, void* ctx);

template <class F>
void parallelFor(int tasks, F& f) {
  parallelFor(tasks, [](void* c, int task, int thread) { (*static_cast<F*>(c))(task, thread); }, &f);
}

int threadCount();
// Resize the pool to n threads in total (1 = run everything on the calling thread).
void setThreadCount(int n);
constexpr int kMaxThreads = 64;

}  // namespace aekit
