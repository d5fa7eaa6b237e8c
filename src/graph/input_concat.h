// An op's input read as the concatenation of several inputs, after the
// fuse_input_concat pass removed the concat before it (Op::fuse_input_concat).
// The op holds one of these and asks it for the joined shape, for the
// parts' channel counts when they split the channel axis (the op's fast
// path: one kernel per part), and, on its reference path, for the joined
// values.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "morel/shape.h"

namespace morel::graph {

class InputConcat {
 public:
  int parts() const { return parts_; }  // inputs the op's input 0 is joined from
  bool fused() const { return parts_ > 1; }

  // Takes on a concatenation of `parts` inputs along `axis` (negative: from
  // the end); false when one was taken already or there is nothing to join.
  bool take(int64_t axis, int parts);

  // The op's input shape: inputs[0], or the first parts() inputs joined.
  // Errors say that the concatenation fused into the layer failed.
  Shape joined(std::span<const Shape> inputs) const;
  Shape joined(std::span<const ConstTensorView> inputs) const;

  // The parts' channel counts when they are joined along the channel axis
  // (-3) for these shapes; empty when not fused or joined along another axis.
  std::vector<int64_t> channel_parts(std::span<const Shape> inputs) const;

  // The op's input values: inputs[0].data, or the parts joined into
  // `scratch` (in the layout they are stored in), which then moves past them.
  const float* join(std::span<const ConstTensorView> inputs, bool channels_last, float*& scratch,
                    int threads) const;

 private:
  int parts_ = 1;
  int64_t axis_ = -3;
};

}  // namespace morel::graph
