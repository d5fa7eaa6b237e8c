// Layer family: sequence. Repeating and reversing along axes:
//   legacy: sequenceRepeat (tiles axis -5);
//   N-d (spec >= 4): tile, reverse, reverseSeq.
#include <cmath>
#include <string>
#include <vector>

#include "graph/layer_registry.h"
#include "graph/layer_util.h"
#include "kernels/reference/sequence.h"

namespace morel::graph {
namespace {

namespace ref = kernels::reference;
using spec::NeuralNetworkLayer;

// Element counts a layer parameter may produce: far above any real tensor,
// far below int64 overflow.
constexpr int64_t kMaxElements = int64_t{1} << 40;

// a * b for sizes a, b >= 0, or -1 when it would exceed kMaxElements.
int64_t mul_sizes(int64_t a, int64_t b) {
  if (a < 0 || b < 0) return -1;
  if (a != 0 && b > kMaxElements / a) return -1;
  return a * b;
}

void require_nd(const LowerContext& ctx, const std::string& kind) {
  require(!ctx.rank5, kind +
                          " is an N-d layer (spec >= 4) and needs EXACT_ARRAY_MAPPING; this "
                          "network maps arrays to rank 5");
}

// `in` with each dimension multiplied by reps (same rank), checking the size.
Shape tiled_shape(const Shape& in, const Shape& reps, const std::string& what) {
  Shape out = in;
  int64_t count = 1;
  for (int a = 0; a < in.rank(); ++a) {
    out[a] = mul_sizes(in[a], reps[a]);
    count = mul_sizes(count, out[a]);
    require_shape(out[a] >= 0 && count >= 0,
                  "input " + in.str() + " repeated by " + what + " has too many elements");
  }
  return out;
}

// ---------------------------------------------------------------------------
// sequenceRepeat (legacy): rank >= 5; the whole sequence axis (-5) is
// repeated nRepetitions times (0 means 1). The format only gives the output
// shape; we read "repeats a sequence" as tiling (s0 s1 s0 s1 ...), like
// np.tile, rather than repeating each step in place (s0 s0 s1 s1 ...).
class SequenceRepeatOp : public Op {
 public:
  explicit SequenceRepeatOp(const spec::SequenceRepeatLayerParams& p)
      : repeats_(p.nrepetitions() == 0 ? 1 : static_cast<int64_t>(p.nrepetitions())) {
    require(p.nrepetitions() <= static_cast<uint64_t>(kMaxElements),
            "nRepetitions = " + std::to_string(p.nrepetitions()) + " is too large");
  }

  std::vector<Shape> infer_shapes(std::span<const Shape> inputs) const override {
    require_inputs(inputs, 1, 1);
    const Shape& in = inputs[0];
    require_shape(in.rank() >= 5, "input has shape " + in.str() +
                                      "; sequenceRepeat needs rank >= 5 (sequence axis -5)");
    return {tiled_shape(in, reps(in.rank()), "nRepetitions = " + str(repeats_))};
  }

  void run(const RunContext& ctx, std::span<const ConstTensorView> inputs,
           std::span<const TensorView> outputs) const override {
    ref::tile(inputs[0].data, inputs[0].shape, outputs[0].shape, outputs[0].data, ctx.threads);
  }

  // Repeats along Seq only; each Batch item keeps to itself.

 private:
  Shape reps(int rank) const {
    Shape r;
    r.resize(rank, 1);
    r.dim(-5) = repeats_;
    return r;
  }
  int64_t repeats_;
};

// ---------------------------------------------------------------------------
// tile: the input repeated reps[i] times along each axis (np.tile with equal
// ranks). reps may be shorter than the rank; it is then padded with leading
// 1s. The two-input form (reps from a second input's values) is not run.
class TileOp : public Op {
 public:
  TileOp(const spec::TileLayerParams& p, int layer_inputs) {
    if (layer_inputs > 1)
      unsupported(
          "tile with reps from a second input (its values would be needed when the shapes are "
          "planned)");
    require(p.reps_size() >= 1, "reps is empty; expected one value per axis");
    require(p.reps_size() <= kMaxRank, "reps has " + str(p.reps_size()) + " values; at most " +
                                           str(kMaxRank) + " are supported");
    for (int i = 0; i < p.reps_size(); ++i) {
      const uint64_t r = p.reps(i);
      require(r >= 1 && r <= static_cast<uint64_t>(kMaxElements),
              "reps[" + str(i) + "] = " + std::to_string(r) + "; expected a positive count");
      reps_.push_back(static_cast<int64_t>(r));
    }
  }

  std::vector<Shape> infer_shapes(std::span<const Shape> inputs) const override {
    require_inputs(inputs, 1, 1);
    const Shape& in = inputs[0];
    require_shape(reps_.rank() <= in.rank(), "reps has " + str(reps_.rank()) +
                                                 " values; the input (" + in.str() + ") has rank " +
                                                 str(in.rank()));
    return {tiled_shape(in, padded_reps(in.rank()), "reps")};
  }

  void run(const RunContext& ctx, std::span<const ConstTensorView> inputs,
           std::span<const TensorView> outputs) const override {
    ref::tile(inputs[0].data, inputs[0].shape, outputs[0].shape, outputs[0].data, ctx.threads);
  }

  bool batch_independent() const override { return false; }  // N-d: no known batch axis

 private:
  Shape padded_reps(int rank) const {
    Shape r;
    r.resize(rank - reps_.rank(), 1);
    for (int64_t v : reps_) r.push_back(v);
    return r;
  }
  Shape reps_;
};

// ---------------------------------------------------------------------------
// reverse: flips every axis whose reverseDim entry is true; one entry per axis.
class ReverseOp : public Op {
 public:
  explicit ReverseOp(const spec::ReverseLayerParams& p)
      : flip_(p.reversedim().begin(), p.reversedim().end()) {}

  std::vector<Shape> infer_shapes(std::span<const Shape> inputs) const override {
    require_inputs(inputs, 1, 1);
    require_shape(flip_.size() == static_cast<size_t>(inputs[0].rank()),
                  "reverseDim has " + str(int64_t(flip_.size())) + " values; the input (" +
                      inputs[0].str() + ") has rank " + str(inputs[0].rank()));
    return {inputs[0]};
  }

  void run(const RunContext& ctx, std::span<const ConstTensorView> inputs,
           std::span<const TensorView> outputs) const override {
    bool flip[kMaxRank] = {};
    for (size_t a = 0; a < flip_.size(); ++a) flip[a] = flip_[a];
    ref::reverse(inputs[0].data, inputs[0].shape, std::span<const bool>(flip, flip_.size()),
                 outputs[0].data, ctx.threads);
  }

  bool batch_independent() const override { return false; }  // N-d: no known batch axis

 private:
  std::vector<bool> flip_;
};

// ---------------------------------------------------------------------------
// reverseSeq: input 0 is the data, input 1 holds one sequence length per
// entry along batchAxis (as float values, read when run). For each such
// entry b, the first lengths[b] entries along sequenceAxis are reversed and
// the rest are copied. The format's comment asks for batchAxis <
// sequenceAxis; the rule is just as well defined the other way round, so any
// two distinct axes are accepted.
class ReverseSeqOp : public Op {
 public:
  explicit ReverseSeqOp(const spec::ReverseSeqLayerParams& p)
      : batch_axis_(p.batchaxis()), seq_axis_(p.sequenceaxis()) {}

  std::vector<Shape> infer_shapes(std::span<const Shape> inputs) const override {
    require_inputs(inputs, 2, 2);
    const Shape& in = inputs[0];
    const int b = normalize_axis(batch_axis_, in.rank(), "batchAxis");
    const int s = normalize_axis(seq_axis_, in.rank(), "sequenceAxis");
    require(b != s, "batchAxis = " + str(batch_axis_) + " and sequenceAxis = " + str(seq_axis_) +
                        " name the same axis " + str(b) + " of input " + in.str());
    require_shape(inputs[1].count() == in[b],
                  "input 1 (sequence lengths, shape " + inputs[1].str() + ") has " +
                      str(inputs[1].count()) + " values; expected " + str(in[b]) +
                      ", one per entry along batchAxis of input 0 " + in.str());
    return {in};
  }

  void run(const RunContext& ctx, std::span<const ConstTensorView> inputs,
           std::span<const TensorView> outputs) const override {
    const Shape& in = inputs[0].shape;
    const int b = normalize_axis(batch_axis_, in.rank(), "batchAxis");
    const int s = normalize_axis(seq_axis_, in.rank(), "sequenceAxis");
    std::vector<int64_t> lengths(static_cast<size_t>(inputs[1].count()));
    for (size_t i = 0; i < lengths.size(); ++i) {
      const float v = inputs[1].data[i];
      if (!(v >= 0 && v <= static_cast<float>(in[s]) && v == std::floor(v)))
        throw Error(ErrorCode::kInvalidInput,
                    "sequence length " + std::to_string(v) + " (input 1, entry " + str(int64_t(i)) +
                        ") is not a whole number in [0, " + str(in[s]) + "]");
      lengths[i] = static_cast<int64_t>(v);
    }
    ref::reverse_sequence(inputs[0].data, in, b, s, lengths, outputs[0].data, ctx.threads);
  }

  bool batch_independent() const override { return false; }  // N-d: no known batch axis

 private:
  int64_t batch_axis_;
  int64_t seq_axis_;
};

// ---------------------------------------------------------------------------
std::unique_ptr<Op> lower_sequence_repeat(const NeuralNetworkLayer& layer, const LowerContext&) {
  return std::make_unique<SequenceRepeatOp>(layer.sequencerepeat());
}
std::unique_ptr<Op> lower_tile(const NeuralNetworkLayer& layer, const LowerContext& ctx) {
  require_nd(ctx, "tile");
  return std::make_unique<TileOp>(layer.tile(), layer.input_size());
}
std::unique_ptr<Op> lower_reverse(const NeuralNetworkLayer& layer, const LowerContext& ctx) {
  require_nd(ctx, "reverse");
  return std::make_unique<ReverseOp>(layer.reverse());
}
std::unique_ptr<Op> lower_reverse_seq(const NeuralNetworkLayer& layer, const LowerContext& ctx) {
  require_nd(ctx, "reverseSeq");
  return std::make_unique<ReverseSeqOp>(layer.reverseseq());
}

}  // namespace

void register_sequence_layers(LayerRegistry& r) {
  r.add(NeuralNetworkLayer::kSequenceRepeat, &lower_sequence_repeat);
  r.add(NeuralNetworkLayer::kTile, &lower_tile);
  r.add(NeuralNetworkLayer::kReverse, &lower_reverse);
  r.add(NeuralNetworkLayer::kReverseSeq, &lower_reverse_seq);
}

}  // namespace morel::graph
