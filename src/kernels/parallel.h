// parallel_for: split [0, n) over up to `threads` OpenMP threads. OpenMP is
// the one threading runtime of the predict path (oneDNN runs on it too, and a
// second pool in the same process would fight it).
#pragma once

#include <cstdint>

// The body must not throw: an exception cannot leave an OpenMP region (it
// would terminate the process). Check data first, in a serial pass.

#if defined(MOREL_WITH_OPENMP)
#include <omp.h>
#endif

namespace morel::kernels {

// The team size oneDNN and OpenMP code without num_threads use on the calling
// thread from now on (a per-thread setting; nothing without OpenMP).
inline void set_default_threads(int threads) {
#if defined(MOREL_WITH_OPENMP)
  omp_set_num_threads(threads);
#else
  (void)threads;
#endif
}

// set_default_threads(threads) for one scope, then back to `after`.
class ScopedDefaultThreads {
 public:
  ScopedDefaultThreads(int threads, int after) : after_(after) { set_default_threads(threads); }
  ~ScopedDefaultThreads() { set_default_threads(after_); }
  ScopedDefaultThreads(const ScopedDefaultThreads&) = delete;
  ScopedDefaultThreads& operator=(const ScopedDefaultThreads&) = delete;

 private:
  int after_;
};

template <class F>
void parallel_for(int threads, int64_t n, F&& body) {
#if defined(MOREL_WITH_OPENMP)
  if (threads > 1 && n > 1) {
#pragma omp parallel for num_threads(threads) schedule(static)
    for (int64_t i = 0; i < n; ++i) body(i);
    return;
  }
#else
  (void)threads;
#endif
  for (int64_t i = 0; i < n; ++i) body(i);
}

}  // namespace morel::kernels
