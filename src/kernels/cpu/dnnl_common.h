// What every oneDNN-backed kernel shares: the CPU engine, a stream per
// thread, memory descriptors for our layouts, and the translation of an
// epilogue into oneDNN post-ops. Only files under kernels/cpu include oneDNN.
//
// Threads: Debian's oneDNN runs on OpenMP and uses omp_get_max_threads() of
// the calling thread, both when a primitive is created and when it runs; the
// runtime sets that to the model's `threads` before planning and predicting.
#pragma once

#include <oneapi/dnnl/dnnl.hpp>

#include <span>
#include <vector>

#include "graph/fusion.h"
#include "graph/op.h"
#include "kernels/large_buffer.h"

namespace morel::kernels::cpu {

const dnnl::engine& engine();
// The calling thread's stream (streams are not to be shared between threads).
dnnl::stream& thread_stream();

// [N, C, H, W] in the given layout.
dnnl::memory::desc activation_desc(int64_t n, int64_t c, int64_t h, int64_t w, bool channels_last);

// Appends `fn` as eltwise post-op(s); false when oneDNN has no equivalent.
bool append_activation(dnnl::post_ops& ops, const graph::ActivationFn& fn);

// Copies `weights` (in `user` layout) into the layout the primitive wants,
// in `storage` (kernels/large_buffer.h), which the memory handle does not own.
dnnl::memory reorder_weights(const dnnl::memory::desc& user, const float* weights,
                             const dnnl::memory::desc& wanted, LargeBuffer& storage);

// A primitive's arguments bound to one execution's addresses: the memory
// handles, and the C argument list made from them once (the C++ execute()
// would build that list, allocating, on every call).
class BoundArgs : public graph::OpBinding {
 public:
  void add(int arg, const dnnl::memory& m);
  void execute(const dnnl::primitive& p) const;

 private:
  std::vector<dnnl::memory> memories_;
  std::vector<dnnl_exec_arg_t> args_;
};

// Wraps an address we own as a oneDNN memory (no copy).
dnnl::memory wrap(const dnnl::memory::desc& md, const float* data);

// Scratch floats for a primitive descriptor's user-mode scratchpad.
int64_t scratch_floats(const dnnl::memory::desc& scratchpad);

}  // namespace morel::kernels::cpu
