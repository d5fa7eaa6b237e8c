// Op: one lowered layer. Built once from its layer message (parameters parsed,
// weights decoded), then asked for output shapes whenever a new input shape
// is planned, and run many times, possibly from several threads at once.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "NeuralNetwork.pb.h"
#include "morel/shape.h"

namespace morel::graph {

// What lowering a layer may need to know about the network around it.
struct LowerContext {
  // Legacy networks (RANK5_ARRAY_MAPPING) carry every blob as rank 5
  // [Seq, Batch, C, H, W]; N-d networks (EXACT_ARRAY_MAPPING) carry exact ranks.
  bool rank5 = true;
  int spec_version = 1;
};

// What run() gets besides its tensors.
struct RunContext {
  int threads = 1;             // threads the op may use (kernels::parallel_for)
  float* workspace = nullptr;  // scratch of workspace_size() floats, not preserved between runs
  bool reference = false;      // run the plain reference kernels only
};

class Op {
 public:
  virtual ~Op() = default;

  // Output shapes for these input shapes. Throws Error naming what does not
  // fit ("input 0 has 3 channels; the weights expect 4"); the caller adds the
  // layer's name and kind.
  virtual std::vector<Shape> infer_shapes(std::span<const Shape> inputs) const = 0;

  // Scratch floats run() needs for these shapes.
  virtual int64_t workspace_size(std::span<const Shape> inputs,
                                 std::span<const Shape> outputs) const {
    (void)inputs;
    (void)outputs;
    return 0;
  }

  // Compute. Inputs and outputs are contiguous float32 with the shapes
  // infer_shapes() gave; outputs never alias inputs unless in_place() is true.
  // Must not modify the Op (it is shared by concurrent predictions). May throw
  // Error(kInvalidInput) for bad input values found only now (an index out of
  // range); the runtime names the layer and the Model stays usable.
  virtual void run(const RunContext& ctx, std::span<const ConstTensorView> inputs,
                   std::span<const TensorView> outputs) const = 0;

  // True when output 0 may share input 0's memory (elementwise maps that
  // read each element before writing it).
  virtual bool in_place() const { return false; }

  // For batched prediction in rank-5 networks: true when items along the
  // Batch axis (axis 1) never influence each other, so predictions can be
  // stacked along it. Layers that reshape across it or read it must say false.
  virtual bool batch_independent() const { return true; }
};

// Builds the Op for one layer; throws Error(kInvalidModel) on bad parameters
// (message naming the field), Error(kUnsupported) for a variant not run.
using LayerLowering = std::unique_ptr<Op> (*)(const spec::NeuralNetworkLayer& layer,
                                              const LowerContext& ctx);

}  // namespace morel::graph
