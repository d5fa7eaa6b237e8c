// Op: one lowered layer. Built once from its layer message (parameters parsed,
// weights decoded), then asked for output shapes whenever a new input shape
// is planned, and run many times, possibly from several threads at once.
//
// Beyond infer_shapes() and run(), an op may offer optional hooks, each with
// a default that means "not capable", so ops without them keep working:
//  - prepare(): build a kernel (library primitive, reordered weights) once
//    per plan instead of on every run;
//  - fusion hooks, used by the optimization passes (graph/passes/): what a
//    consumer op is (a per-channel affine, an activation, a two-input add or
//    multiply), and what an op can absorb from the layers next to it;
//  - layout hooks: whether the op can work on channels-last data (see
//    graph/layout.h).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "NeuralNetwork.pb.h"
#include "graph/fusion.h"
#include "graph/layout.h"
#include "morel/shape.h"

namespace morel::graph {

// What lowering a layer may need to know about the network around it.
struct LowerContext {
  // Legacy networks (RANK5_ARRAY_MAPPING) carry every blob as rank 5
  // [Seq, Batch, C, H, W]; N-d networks (EXACT_ARRAY_MAPPING) carry exact ranks.
  bool rank5 = true;
  int spec_version = 1;
  // The spec outlives the graph: ops may read float32 weights where they are
  // instead of copying them (graph/weight_data.h).
  bool borrow_weights = false;
};

// A kernel an op built for one plan (one set of input shapes): shared by every
// execution of that plan, read-only while they run.
class OpPlan;
// What one execution binds of an OpPlan to its own tensor addresses (library
// memory handles, argument lists), made once when the execution is created so
// that running allocates nothing.
class OpBinding {
 public:
  virtual ~OpBinding() = default;
};

class OpPlan {
 public:
  virtual ~OpPlan() = default;
  // Scratch floats run() needs with this plan (replaces workspace_size()).
  int64_t workspace_floats = 0;
  // Called once per execution with the addresses the op will always see.
  virtual std::unique_ptr<OpBinding> bind(std::span<const ConstTensorView> inputs,
                                          std::span<const TensorView> outputs,
                                          float* workspace) const {
    (void)inputs;
    (void)outputs;
    (void)workspace;
    return nullptr;
  }
};

struct PrepareContext {
  int threads = 1;  // threads the kernel will run on
};

// What run() gets besides its tensors.
struct RunContext {
  int threads = 1;             // threads the op may use (kernels::parallel_for)
  float* workspace = nullptr;  // scratch (see workspace_size / OpPlan), not preserved between runs
  bool reference = false;      // run the plain reference kernels only
  const OpPlan* plan = nullptr;  // what prepare() returned for these shapes, if anything
  OpBinding* binding = nullptr;  // plan->bind() for this execution, if anything
};

class Op {
 public:
  virtual ~Op() = default;

  // Output shapes for these input shapes. Throws Error naming what does not
  // fit ("input 0 has 3 channels; the weights expect 4"); the caller adds the
  // layer's name and kind.
  virtual std::vector<Shape> infer_shapes(std::span<const Shape> inputs) const = 0;

  // Scratch floats run() needs for these shapes when it runs without a plan.
  virtual int64_t workspace_size(std::span<const Shape> inputs,
                                 std::span<const Shape> outputs) const {
    (void)inputs;
    (void)outputs;
    return 0;
  }

  // Compute. Inputs and outputs are contiguous float32 with the shapes
  // infer_shapes() gave; outputs never alias inputs unless reuse_input() said
  // so. Must not modify the Op (it is shared by concurrent predictions). May
  // throw Error(kInvalidInput) for bad input values found only now (an index
  // out of range); the runtime names the layer and the Model stays usable.
  // With ctx.plan set, it is what prepare() returned for these shapes.
  virtual void run(const RunContext& ctx, std::span<const ConstTensorView> inputs,
                   std::span<const TensorView> outputs) const = 0;

  // Build the optimized kernel for these shapes, once per plan; nullptr when
  // the op has none for them (run() then uses its reference kernel). Not
  // called when the model runs reference kernels only.
  virtual std::unique_ptr<OpPlan> prepare(std::span<const Shape> inputs,
                                          std::span<const Shape> outputs,
                                          const PrepareContext& ctx) const {
    (void)inputs;
    (void)outputs;
    (void)ctx;
    return nullptr;
  }

  // True when output 0 may share input 0's memory (elementwise maps that
  // read each element before writing it).
  virtual bool in_place() const { return false; }
  // Which input output 0 may share memory with for these input shapes, or -1.
  // Default: input 0 when in_place().
  virtual int reuse_input(std::span<const Shape> inputs) const {
    (void)inputs;
    return in_place() ? 0 : -1;
  }

  // For batched prediction in rank-5 networks: true when items along the
  // Batch axis (axis 1) never influence each other, so predictions can be
  // stacked along it. Layers that reshape across it or read it must say false.
  virtual bool batch_independent() const { return true; }

  // --- What this op is, for the fusion passes (as the consumer) -----------

  // A per-channel affine map over axis -3 with constant parameters.
  virtual std::optional<ChannelAffine> as_channel_affine() const { return std::nullopt; }
  // An element-wise activation with scalar parameters.
  virtual std::optional<ActivationFn> as_activation() const { return std::nullopt; }
  // A map of exactly two inputs with NumPy-style broadcasting.
  virtual BinaryKind as_binary() const { return BinaryKind::kNone; }
  // Output equals input 0 (a no-op the passes may remove).
  virtual bool is_identity() const { return false; }
  // Output 0 holds input 0's values in the same row-major order under another
  // shape (the reshape family): a relabeling that moves no data.
  virtual bool is_reshape() const { return false; }
  // A transpose: output axis i is input axis (*as_transpose())[i].
  virtual std::optional<std::vector<int>> as_transpose() const { return std::nullopt; }
  // A plain concatenation of all inputs along this axis (negative: counted
  // from the end).
  virtual std::optional<int64_t> as_concat() const { return std::nullopt; }

  // --- What this op can absorb ----------------------------------------------
  // The passes call these before the graph is shared; each returns false
  // (and changes nothing) when the op cannot take the step on.

  // Apply `affine` to output 0 (over its axis -3) after what the op computes.
  virtual bool fuse_channel_affine(const ChannelAffine& affine) {
    (void)affine;
    return false;
  }
  // Apply `fn` to output 0 after everything fused so far.
  virtual bool fuse_activation(const ActivationFn& fn) {
    (void)fn;
    return false;
  }
  // Add one more input (the caller appends it as the op's last input) to
  // output 0, with broadcasting, after everything fused so far.
  virtual bool fuse_add() { return false; }
  // Read input 0 as the concatenation along `axis` (as as_concat() gives it)
  // of `parts` inputs, which the caller puts in its place, so the
  // concatenated tensor is never stored.
  virtual bool fuse_input_concat(int64_t axis, int parts) {
    (void)axis;
    (void)parts;
    return false;
  }

  // --- Channels-last layout (graph/layout.h) --------------------------------

  virtual LayoutSupport layout_support() const { return LayoutSupport::kNone; }
  // True for ops that are much faster on channels-last data (convolution,
  // pooling): the layout pass builds its channels-last regions from them.
  virtual bool prefers_channels_last() const { return false; }
  // From now on every tensor input and output is channels-last. Called once,
  // by the layout pass; kPermutable ops need it only to prepare() kernels for
  // the stored shapes.
  virtual void set_channels_last() {}
};

// Builds the Op for one layer; throws Error(kInvalidModel) on bad parameters
// (message naming the field), Error(kUnsupported) for a variant not run.
using LayerLowering = std::unique_ptr<Op> (*)(const spec::NeuralNetworkLayer& layer,
                                              const LowerContext& ctx);

}  // namespace morel::graph
