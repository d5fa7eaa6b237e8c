// Layer family: inner_product — innerProduct, embedding, embeddingND and
// batchedMatmul: the layers that multiply by (or look up in) a matrix.
#include <string>

#include "graph/layer_registry.h"
#include "graph/layer_util.h"
#include "graph/weight_data.h"
#include "kernels/reference/inner_product.h"
#if defined(MOREL_WITH_DNNL)
#include "kernels/cpu/inner_product.h"
#endif

namespace morel::graph {

namespace {

namespace ref = kernels::reference;

// Bound on any element count this family computes from parameters or shapes,
// so that products of them (and the byte counts of weights) cannot overflow.
constexpr int64_t kMaxCount = int64_t(1) << 40;

// A size field (uint64 in the message) as a positive int64.
int64_t size_param(uint64_t v, const std::string& field) {
  require(v > 0, field + " is 0; expected a positive size");
  require(v <= uint64_t(kMaxCount), field + " = " + std::to_string(v) + " is too large");
  return static_cast<int64_t>(v);
}

// a * b for two positive sizes, refused when it exceeds kMaxCount.
int64_t checked_product(int64_t a, int64_t b, const std::string& what) {
  require(a <= kMaxCount / b, what + " (" + str(a) + " x " + str(b) + ") is too large");
  return a * b;
}

// Checks the index values of an embedding input before any lookup, so that a
// bad index is reported instead of read out of bounds. An index is the float
// value truncated toward zero (Core ML takes ids as floats).
void check_indices(const ConstTensorView& x, int64_t vocab, const char* field) {
  for (int64_t i = 0; i < x.count(); ++i) {
    const float v = x.data[i];
    if (!(v >= 0.f && v < static_cast<float>(vocab)) || static_cast<int64_t>(v) >= vocab)
      throw Error(ErrorCode::kInvalidInput, "input value " + std::to_string(v) + " at position " +
                                                str(i) + " is not an index in [0, " + field +
                                                " - 1 = " + str(vocab - 1) + "]");
  }
}

// The optimized kernel of a fully connected product of `in` features to `out`
// (rows = the output's count / out), with an epilogue of activations.
std::unique_ptr<OpPlan> prepare_matrix_product(int64_t in, int64_t out,
                                               std::span<const float> weights,
                                               const std::vector<float>& bias,
                                               const Epilogue& epilogue, const Shape& out_shape) {
#if defined(MOREL_WITH_DNNL)
  kernels::cpu::InnerProductSpec spec;
  spec.rows = out_shape.count() / out;
  spec.in = in;
  spec.out = out;
  spec.weights = weights.data();
  spec.bias = bias.empty() ? nullptr : bias.data();
  spec.epilogue.epilogue = epilogue;
  spec.epilogue.result_shape = spec.epilogue.out_shape = out_shape;
  if (spec.rows == 0) return nullptr;
  return kernels::cpu::prepare_inner_product(spec);
#else
  (void)in, (void)out, (void)weights, (void)bias, (void)epilogue, (void)out_shape;
  return nullptr;
#endif
}

// Runs a plan made by prepare_matrix_product; false when there is none.
bool run_prepared(const RunContext& ctx, std::span<const ConstTensorView> inputs,
                  std::span<const TensorView> outputs) {
#if defined(MOREL_WITH_DNNL)
  return kernels::cpu::run_prepared(ctx, inputs, outputs);
#else
  (void)ctx, (void)inputs, (void)outputs;
  return false;
#endif
}

// --- innerProduct -----------------------------------------------------------

class InnerProductOp final : public Op {
 public:
  InnerProductOp(const spec::NeuralNetworkLayer& layer, const LowerContext& ctx)
      : rank5_(ctx.rank5) {
    const spec::InnerProductLayerParams& p = layer.innerproduct();
    if (p.int8dynamicquantize())
      unsupported("int8DynamicQuantize (int8 quantization of the input at run time) is not run");
    in_ = size_param(p.inputchannels(), "inputChannels");
    out_ = size_param(p.outputchannels(), "outputChannels");
    weights_ = WeightData(p.weights(), checked_product(out_, in_, "outputChannels x inputChannels"),
                          "weights", {out_, in_}, ctx.borrow_weights);
    if (p.hasbias()) bias_ = weights(p.bias(), out_, "bias", {out_, 1});
  }

  // The doc's rule per input rank: which axes form the rows of the matrix
  // product and which the C_in features, and the output shape.
  //   rank 1 (C_in)            -> (C_out)
  //   rank 2 (x1, C_in)        -> (x1, C_out)
  //   rank 3 (x1, x2, C_in)    -> (x1, x2, C_out)
  //   rank 4 (x1, C, H, W)     -> (x1, C_out, 1, 1), C*H*W = C_in
  //   rank 5 (x1, x2, C, H, W) -> (x1, x2, C_out, 1, 1), C*H*W = C_in
  std::vector<Shape> infer_shapes(std::span<const Shape> inputs) const override {
    require_inputs(inputs, 1, 1);
    const Shape& x = inputs[0];
    const int rank = x.rank();
    if (rank5_)
      require_shape(rank == 5, "input has rank " + str(rank) +
                                   "; blobs of a rank-5 network are [Seq, Batch, C, H, W]");
    require_shape(rank >= 1 && rank <= 5, "input has rank " + str(rank) + "; expected 1 to 5");
    int64_t features = 0;
    Shape out;
    if (rank == 1) {
      features = x[0];
      out = Shape{out_};
    } else if (rank == 2) {
      features = x[1];
      out = Shape{x[0], out_};
    } else if (rank == 3) {
      features = x[2];
      out = Shape{x[0], x[1], out_};
    } else if (rank == 4) {
      features = x.count(1, 4);
      out = Shape{x[0], out_, 1, 1};
    } else {
      features = x.count(2, 5);
      out = Shape{x[0], x[1], out_, 1, 1};
    }
    require_shape(features == in_, "input " + x.str() + " has " + str(features) +
                                       " features per row; inputChannels is " + str(in_));
    return {out};
  }

  void run(const RunContext& ctx, std::span<const ConstTensorView> inputs,
           std::span<const TensorView> outputs) const override {
    if (run_prepared(ctx, inputs, outputs)) return;
    ref::InnerProductParams p{outputs[0].count() / out_, in_, out_};
    ref::inner_product(p, inputs[0].data, weights_.data(), bias_.empty() ? nullptr : bias_.data(),
                       outputs[0].data, ctx.threads);
    run_epilogue(epilogue_, ctx.threads, outputs[0].data, outputs[0].shape, nullptr, {},
                 outputs[0].data, outputs[0].shape);
  }

  std::unique_ptr<OpPlan> prepare(std::span<const Shape>, std::span<const Shape> outputs,
                                  const PrepareContext&) const override {
    return prepare_matrix_product(in_, out_, {weights_.data(), weights_.size()}, bias_, epilogue_,
                                  outputs[0]);
  }

  // In a rank-5 network the output is [Seq, Batch, C_out, 1, 1]: a per-channel
  // affine after it scales output features, which folds into the weights.
  // (N-d outputs may have any rank, so their channel axis is not known here.)
  bool fuse_channel_affine(const ChannelAffine& a) override {
    if (!rank5_ || !epilogue_.empty()) return false;
    for (size_t n : {a.scale.size(), a.shift.size()})
      if (n != 1 && static_cast<int64_t>(n) != out_) return false;
    float* w = weights_.mutable_data();
    for (int64_t o = 0; o < out_; ++o)
      for (int64_t i = 0; i < in_; ++i) w[o * in_ + i] *= a.scale_at(o);
    if (bias_.empty()) bias_.assign(out_, 0.f);
    for (int64_t o = 0; o < out_; ++o) bias_[o] = bias_[o] * a.scale_at(o) + a.shift_at(o);
    return true;
  }

  bool fuse_activation(const ActivationFn& fn) override {
    if (!fusable_activation(fn)) return false;
    epilogue_.steps.push_back({EpilogueStep::Kind::kActivation, fn});
    return true;
  }

 private:
  bool rank5_;
  int64_t in_ = 0, out_ = 0;
  WeightData weights_;       // [out, in]
  std::vector<float> bias_;  // [out] or empty
  Epilogue epilogue_;        // activations fused after the product
};

// --- embedding --------------------------------------------------------------

class EmbeddingOp final : public Op {
 public:
  EmbeddingOp(const spec::NeuralNetworkLayer& layer, const LowerContext& ctx) : rank5_(ctx.rank5) {
    const spec::EmbeddingLayerParams& p = layer.embedding();
    vocab_ = size_param(p.inputdim(), "inputDim");
    out_ = size_param(p.outputchannels(), "outputChannels");
    table_ = weights(p.weights(), checked_product(out_, vocab_, "outputChannels x inputDim"),
                     "weights", {out_, vocab_});
    if (p.hasbias()) bias_ = weights(p.bias(), out_, "bias", {out_, 1});
  }

  // Rank 4 (x1, 1, 1, 1) -> (x1, C_out, 1, 1); rank 5 (x1, x2, 1, 1, 1) ->
  // (x1, x2, C_out, 1, 1). Each leading position holds one index.
  std::vector<Shape> infer_shapes(std::span<const Shape> inputs) const override {
    require_inputs(inputs, 1, 1);
    const Shape& x = inputs[0];
    const int rank = x.rank();
    if (rank5_)
      require_shape(rank == 5, "input has rank " + str(rank) +
                                   "; blobs of a rank-5 network are [Seq, Batch, C, H, W]");
    require_shape(rank == 4 || rank == 5, "input has rank " + str(rank) + "; expected 4 or 5");
    require_shape(x.dim(-1) == 1 && x.dim(-2) == 1 && x.dim(-3) == 1,
                  "input " + x.str() + " must have its last three dimensions equal to 1");
    Shape out = x;
    out.dim(-3) = out_;
    return {out};
  }

  void run(const RunContext& ctx, std::span<const ConstTensorView> inputs,
           std::span<const TensorView> outputs) const override {
    check_indices(inputs[0], vocab_, "inputDim");
    ref::EmbeddingParams p{inputs[0].count(), vocab_, out_};
    ref::embedding(p, inputs[0].data, table_.data(), bias_.empty() ? nullptr : bias_.data(),
                   outputs[0].data, ctx.threads);
  }

 private:
  bool rank5_;
  int64_t vocab_ = 0, out_ = 0;
  std::vector<float> table_;  // [out, vocab]
  std::vector<float> bias_;   // [out] or empty
};

// --- embeddingND ------------------------------------------------------------

class EmbeddingNDOp final : public Op {
 public:
  explicit EmbeddingNDOp(const spec::NeuralNetworkLayer& layer) {
    const spec::EmbeddingNDLayerParams& p = layer.embeddingnd();
    vocab_ = size_param(p.vocabsize(), "vocabSize");
    out_ = size_param(p.embeddingsize(), "embeddingSize");
    table_ = weights(p.weights(), checked_product(out_, vocab_, "embeddingSize x vocabSize"),
                     "weights", {out_, vocab_});
    if (p.hasbias()) bias_ = weights(p.bias(), out_, "bias", {out_, 1});
  }

  // (..., 1) -> (..., embeddingSize): the last axis holds the index.
  std::vector<Shape> infer_shapes(std::span<const Shape> inputs) const override {
    require_inputs(inputs, 1, 1);
    const Shape& x = inputs[0];
    require_shape(x.rank() >= 2, "input has rank " + str(x.rank()) + "; expected at least 2");
    require_shape(x.dim(-1) == 1, "input " + x.str() + " must have its last dimension equal to 1");
    Shape out = x;
    out.dim(-1) = out_;
    return {out};
  }

  void run(const RunContext& ctx, std::span<const ConstTensorView> inputs,
           std::span<const TensorView> outputs) const override {
    check_indices(inputs[0], vocab_, "vocabSize");
    ref::EmbeddingParams p{inputs[0].count(), vocab_, out_};
    ref::embedding(p, inputs[0].data, table_.data(), bias_.empty() ? nullptr : bias_.data(),
                   outputs[0].data, ctx.threads);
  }

 private:
  int64_t vocab_ = 0, out_ = 0;
  std::vector<float> table_;  // [out, vocab]
  std::vector<float> bias_;   // [out] or empty
};

// --- batchedMatmul ----------------------------------------------------------

class BatchedMatMulOp final : public Op {
 public:
  BatchedMatMulOp(const spec::NeuralNetworkLayer& layer, const LowerContext& ctx)
      : rank5_(ctx.rank5) {
    const spec::BatchedMatMulLayerParams& p = layer.batchedmatmul();
    const int n = layer.input_size();
    require(n == 1 || n == 2, "batchedMatmul has " + str(n) + " inputs; expected 1 or 2");
    two_inputs_ = n == 2;
    if (two_inputs_) {
      // The weight fields are ignored with two inputs; a bias is not allowed.
      require(!p.hasbias(), "hasBias is set, but a bias is only allowed with one input");
      require(!p.int8dynamicquantize(), "int8DynamicQuantize is set, but needs a single input");
      transpose_a_ = p.transposea();
      transpose_b_ = p.transposeb();
      return;
    }
    // One input: the right operand is the constant [X1, X2] matrix, stored
    // column-major, i.e. as a row-major [X2, X1] array (the inner product
    // layout [C_out, C_in]). transposeA/B are ignored, as the doc says.
    if (p.int8dynamicquantize())
      unsupported("int8DynamicQuantize (int8 quantization of the input at run time) is not run");
    in_ = size_param(p.weightmatrixfirstdimension(), "weightMatrixFirstDimension");
    out_ = size_param(p.weightmatrixseconddimension(), "weightMatrixSecondDimension");
    weights_ = weights(
        p.weights(),
        checked_product(out_, in_, "weightMatrixFirstDimension x weightMatrixSecondDimension"),
        "weights", {out_, in_});
    if (p.hasbias()) bias_ = weights(p.bias(), out_, "bias", {out_, 1});
  }

  std::vector<Shape> infer_shapes(std::span<const Shape> inputs) const override {
    if (!two_inputs_) {
      require_inputs(inputs, 1, 1);
      const Shape& a = inputs[0];
      require_shape(a.rank() >= 1, "input is a scalar; expected rank >= 1");
      require_shape(a.dim(-1) == in_, "input " + a.str() + " has last dimension " + str(a.dim(-1)) +
                                          "; weightMatrixFirstDimension is " + str(in_));
      Shape out = a;
      out.dim(-1) = out_;
      return {out};
    }
    require_inputs(inputs, 2, 2);
    Shape a, b;
    promoted(inputs[0], inputs[1], a, b);
    const int64_t ka = transpose_a_ ? a.dim(-2) : a.dim(-1);
    const int64_t kb = transpose_b_ ? b.dim(-1) : b.dim(-2);
    require_shape(ka == kb, "cannot multiply " + inputs[0].str() +
                                (transpose_a_ ? " (transposed)" : "") + " by " + inputs[1].str() +
                                (transpose_b_ ? " (transposed)" : "") + ": inner dimensions " +
                                str(ka) + " and " + str(kb) + " differ");
    Shape a_batch = a, b_batch = b;
    a_batch.resize(a.rank() - 2);
    b_batch.resize(b.rank() - 2);
    Shape out;
    try {
      out = broadcast_shapes(a_batch, b_batch);
    } catch (const Error& e) {
      throw Error(ErrorCode::kInvalidInput, "the batch axes of " + inputs[0].str() + " and " +
                                                inputs[1].str() + " do not broadcast: " + e.what());
    }
    out.push_back(transpose_a_ ? a.dim(-1) : a.dim(-2));
    out.push_back(transpose_b_ ? b.dim(-2) : b.dim(-1));
    return {out};
  }

  std::unique_ptr<OpPlan> prepare(std::span<const Shape>, std::span<const Shape> outputs,
                                  const PrepareContext&) const override {
    if (two_inputs_) return nullptr;
    return prepare_matrix_product(in_, out_, weights_, bias_, {}, outputs[0]);
  }

  void run(const RunContext& ctx, std::span<const ConstTensorView> inputs,
           std::span<const TensorView> outputs) const override {
    if (run_prepared(ctx, inputs, outputs)) return;
    if (!two_inputs_) {
      ref::InnerProductParams p{outputs[0].count() / out_, in_, out_};
      ref::inner_product(p, inputs[0].data, weights_.data(), bias_.empty() ? nullptr : bias_.data(),
                         outputs[0].data, ctx.threads);
      return;
    }
    ref::BatchedMatMulParams p;
    promoted(inputs[0].shape, inputs[1].shape, p.a, p.b);
    p.out = outputs[0].shape;
    p.transpose_a = transpose_a_;
    p.transpose_b = transpose_b_;
    ref::batched_matmul(p, inputs[0].data, inputs[1].data, outputs[0].data, ctx.threads);
  }

  // With two inputs in a rank-5 network, axis 1 is a matrix batch axis that
  // may be broadcast against the other operand: items are not independent.
  bool batch_independent() const override { return !(two_inputs_ && rank5_); }

 private:
  // The doc's 1-D rules: a rank-1 `a` (D) becomes (1, D) and a rank-1 `b` (D)
  // becomes (D, 1); the added axis stays in the output (rank max(2, ...)).
  // Transposition applies after this promotion.
  static void promoted(const Shape& a_in, const Shape& b_in, Shape& a, Shape& b) {
    require_shape(a_in.rank() >= 1 && b_in.rank() >= 1,
                  "inputs must have rank >= 1, got " + a_in.str() + " and " + b_in.str());
    a = a_in;
    b = b_in;
    if (a.rank() == 1) a.insert(0, 1);
    if (b.rank() == 1) b.push_back(1);
  }

  bool rank5_;
  bool two_inputs_ = false;
  bool transpose_a_ = false, transpose_b_ = false;
  int64_t in_ = 0, out_ = 0;
  std::vector<float> weights_;  // [X2, X1] (one-input form)
  std::vector<float> bias_;     // [X2] or empty
};

template <class T>
std::unique_ptr<Op> lower_with_context(const spec::NeuralNetworkLayer& layer,
                                       const LowerContext& ctx) {
  return std::make_unique<T>(layer, ctx);
}

std::unique_ptr<Op> lower_embedding_nd(const spec::NeuralNetworkLayer& layer,
                                       const LowerContext& /*ctx*/) {
  return std::make_unique<EmbeddingNDOp>(layer);
}

}  // namespace

void register_inner_product_layers(LayerRegistry& r) {
  r.add(spec::NeuralNetworkLayer::kInnerProduct, &lower_with_context<InnerProductOp>);
  r.add(spec::NeuralNetworkLayer::kEmbedding, &lower_with_context<EmbeddingOp>);
  r.add(spec::NeuralNetworkLayer::kEmbeddingND, &lower_embedding_nd);
  r.add(spec::NeuralNetworkLayer::kBatchedMatmul, &lower_with_context<BatchedMatMulOp>);
}

}  // namespace morel::graph
