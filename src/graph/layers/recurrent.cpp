// Layer family: recurrent — simpleRecurrent, gru, uniDirectionalLSTM and
// biDirectionalLSTM over a [Seq, Batch, C, 1, 1] sequence (Seq is time).
//
// Optional extra inputs are the initial states and optional extra outputs the
// final states, each [1, Batch, H, 1, 1]:
//   simpleRecurrent, gru:  (x, h0)                -> (y, h)
//   uniDirectionalLSTM:    (x, h0, c0)            -> (y, h, c)
//   biDirectionalLSTM:     (x, h0, c0, h0', c0')  -> (y, h, c, h', c')   (' = backward)
// A missing initial state is zero.
#include <cmath>
#include <string>

#include "graph/layer_registry.h"
#include "graph/layer_util.h"
#include "kernels/reference/recurrent.h"

namespace morel::graph {

namespace {

namespace ref = kernels::reference;

// Bound on a vector size (the matrices are size x size).
constexpr uint64_t kMaxVectorSize = uint64_t(1) << 20;

int64_t size_param(uint64_t v, const std::string& field) {
  require(v > 0, field + " is 0; expected a positive size");
  require(v <= kMaxVectorSize, field + " = " + std::to_string(v) + " is too large");
  return static_cast<int64_t>(v);
}

ref::GateActivation activation(const spec::ActivationParams& a, const std::string& field) {
  using K = ref::ActivationKind;
  switch (a.NonlinearityType_case()) {
    case spec::ActivationParams::kLinear:
      return {K::kLinear, a.linear().alpha(), a.linear().beta()};
    case spec::ActivationParams::kReLU: return {K::kReLU};
    case spec::ActivationParams::kLeakyReLU: return {K::kLeakyReLU, a.leakyrelu().alpha()};
    case spec::ActivationParams::kThresholdedReLU:
      return {K::kThresholdedReLU, a.thresholdedrelu().alpha()};
    case spec::ActivationParams::kTanh: return {K::kTanh};
    case spec::ActivationParams::kScaledTanh:
      return {K::kScaledTanh, a.scaledtanh().alpha(), a.scaledtanh().beta()};
    case spec::ActivationParams::kSigmoid: return {K::kSigmoid};
    case spec::ActivationParams::kSigmoidHard:
      return {K::kSigmoidHard, a.sigmoidhard().alpha(), a.sigmoidhard().beta()};
    case spec::ActivationParams::kELU: return {K::kELU, a.elu().alpha()};
    case spec::ActivationParams::kSoftsign: return {K::kSoftsign};
    case spec::ActivationParams::kSoftplus: return {K::kSoftplus};
    case spec::ActivationParams::kPReLU:
    case spec::ActivationParams::kParametricSoftplus:
      // Per-channel parameters have no meaning on a gate vector.
      unsupported(field +
                  " is a per-channel activation (PReLU / parametricSoftplus), not run in "
                  "recurrent layers");
    case spec::ActivationParams::NONLINEARITYTYPE_NOT_SET: break;
  }
  require(false, field + " is not set (no nonlinearity chosen)");
  return {};
}

// A repeated activations field with exactly `n` entries.
std::vector<ref::GateActivation> activations(
    const google::protobuf::RepeatedPtrField<spec::ActivationParams>& list, int n,
    const std::string& field) {
  require(list.size() == n, field + " has " + str(list.size()) + " entries; expected " + str(n));
  std::vector<ref::GateActivation> out;
  for (int i = 0; i < n; ++i) out.push_back(activation(list[i], field + "[" + str(i) + "]"));
  return out;
}

// Sizes and counts shared by the four layers, checked once at lowering.
struct Dims {
  int64_t in = 0, hidden = 0;
  int max_inputs = 1, max_outputs = 1;
};

void check_io_counts(const spec::NeuralNetworkLayer& layer, const Dims& d) {
  require(layer.input_size() >= 1 && layer.input_size() <= d.max_inputs,
          "has " + str(layer.input_size()) + " inputs; expected 1 to " + str(d.max_inputs) +
              " (the sequence, then initial states)");
  require(layer.output_size() >= 1 && layer.output_size() <= d.max_outputs,
          "has " + str(layer.output_size()) + " outputs; expected 1 to " + str(d.max_outputs) +
              " (the output, then final states)");
}

// Checks the shapes and returns {Seq, Batch}: x must be [Seq, Batch, in, 1, 1]
// and each state input hold Batch x hidden values ([1, Batch, hidden, 1, 1]).
std::pair<int64_t, int64_t> check_inputs(std::span<const Shape> inputs, const Dims& d) {
  require_inputs(inputs, 1, static_cast<size_t>(d.max_inputs));
  const Shape& x = inputs[0];
  require_shape(x.rank() == 5 && x[2] == d.in && x[3] == 1 && x[4] == 1,
                "input " + x.str() + " must be [Seq, Batch, " + str(d.in) +
                    ", 1, 1] (inputVectorSize " + str(d.in) + ")");
  const int64_t seq = x[0], batch = x[1];
  for (size_t i = 1; i < inputs.size(); ++i)
    require_shape(inputs[i].count() == batch * d.hidden,
                  "input " + str(int64_t(i)) + " (an initial state) has shape " + inputs[i].str() +
                      "; expected [1, " + str(batch) + ", " + str(d.hidden) + ", 1, 1]");
  return {seq, batch};
}

// Output shapes: y is [Seq or 1, Batch, width, 1, 1], the states [1, Batch, H, 1, 1].
std::vector<Shape> output_shapes(int64_t seq, int64_t batch, int64_t width, int64_t hidden,
                                 bool sequence_output, int outputs) {
  std::vector<Shape> out{Shape{sequence_output ? seq : 1, batch, width, 1, 1}};
  for (int i = 1; i < outputs; ++i) out.push_back(Shape{1, batch, hidden, 1, 1});
  return out;
}

ref::RecurrentShape walk_shape(const Shape& x, const Dims& d, bool reverse, bool sequence_output,
                               int64_t y_stride) {
  ref::RecurrentShape s;
  s.seq = x[0];
  s.batch = x[1];
  s.in = d.in;
  s.hidden = d.hidden;
  s.reverse = reverse;
  s.sequence_output = sequence_output;
  s.y_stride = y_stride;
  return s;
}

const float* input_or_null(std::span<const ConstTensorView> inputs, size_t i) {
  return i < inputs.size() ? inputs[i].data : nullptr;
}
float* output_or_null(std::span<const TensorView> outputs, size_t i) {
  return i < outputs.size() ? outputs[i].data : nullptr;
}
const float* data_or_null(const std::vector<float>& v) {
  return v.empty() ? nullptr : v.data();
}

// A [hidden, cols] matrix.
std::vector<float> matrix(const spec::WeightParams& w, int64_t hidden, int64_t cols,
                          const std::string& field) {
  return weights(w, hidden * cols, field, {hidden, cols});
}

// With reverseInput and sequenceOutput, the outputs are stored in the order
// the steps run (row 0 is the output after the last input time), the
// convention of the Keras go_backwards layers that coremltools converts to
// reverseInput. The format does not say; the backward half of
// biDirectionalLSTM, which it does describe, is aligned to input times.

// --- simpleRecurrent --------------------------------------------------------

class SimpleRecurrentOp final : public Op {
 public:
  explicit SimpleRecurrentOp(const spec::NeuralNetworkLayer& layer) {
    const spec::SimpleRecurrentLayerParams& p = layer.simplerecurrent();
    d_.in = size_param(p.inputvectorsize(), "inputVectorSize");
    d_.hidden = size_param(p.outputvectorsize(), "outputVectorSize");
    d_.max_inputs = d_.max_outputs = 2;
    check_io_counts(layer, d_);
    outputs_ = layer.output_size();
    f_ = activation(p.activation(), "activation");
    sequence_output_ = p.sequenceoutput();
    reverse_ = p.reverseinput();
    W_ = matrix(p.weightmatrix(), d_.hidden, d_.in, "weightMatrix");
    R_ = matrix(p.recursionmatrix(), d_.hidden, d_.hidden, "recursionMatrix");
    if (p.hasbiasvector()) b_ = weights(p.biasvector(), d_.hidden, "biasVector", {d_.hidden, 1});
  }

  std::vector<Shape> infer_shapes(std::span<const Shape> inputs) const override {
    auto [seq, batch] = check_inputs(inputs, d_);
    return output_shapes(seq, batch, d_.hidden, d_.hidden, sequence_output_, outputs_);
  }

  void run(const RunContext& ctx, std::span<const ConstTensorView> inputs,
           std::span<const TensorView> outputs) const override {
    ref::SimpleRnnParams p;
    p.shape = walk_shape(inputs[0].shape, d_, reverse_, sequence_output_, d_.hidden);
    p.f = f_;
    p.W = W_.data();
    p.R = R_.data();
    p.b = data_or_null(b_);
    ref::simple_rnn(p, inputs[0].data, input_or_null(inputs, 1), outputs[0].data,
                    output_or_null(outputs, 1), ctx.threads);
  }

 private:
  Dims d_;
  int outputs_ = 1;
  ref::GateActivation f_;
  bool sequence_output_ = false, reverse_ = false;
  std::vector<float> W_, R_, b_;
};

// --- gru --------------------------------------------------------------------

class GruOp final : public Op {
 public:
  explicit GruOp(const spec::NeuralNetworkLayer& layer) {
    const spec::GRULayerParams& p = layer.gru();
    d_.in = size_param(p.inputvectorsize(), "inputVectorSize");
    d_.hidden = size_param(p.outputvectorsize(), "outputVectorSize");
    d_.max_inputs = d_.max_outputs = 2;
    check_io_counts(layer, d_);
    outputs_ = layer.output_size();
    std::vector<ref::GateActivation> acts = activations(p.activations(), 2, "activations");
    f_ = acts[0];
    g_ = acts[1];
    sequence_output_ = p.sequenceoutput();
    reverse_ = p.reverseinput();
    const int64_t H = d_.hidden, I = d_.in;
    W_[0] = matrix(p.updategateweightmatrix(), H, I, "updateGateWeightMatrix");
    W_[1] = matrix(p.resetgateweightmatrix(), H, I, "resetGateWeightMatrix");
    W_[2] = matrix(p.outputgateweightmatrix(), H, I, "outputGateWeightMatrix");
    R_[0] = matrix(p.updategaterecursionmatrix(), H, H, "updateGateRecursionMatrix");
    R_[1] = matrix(p.resetgaterecursionmatrix(), H, H, "resetGateRecursionMatrix");
    R_[2] = matrix(p.outputgaterecursionmatrix(), H, H, "outputGateRecursionMatrix");
    if (p.hasbiasvectors()) {
      b_[0] = weights(p.updategatebiasvector(), H, "updateGateBiasVector", {H, 1});
      b_[1] = weights(p.resetgatebiasvector(), H, "resetGateBiasVector", {H, 1});
      b_[2] = weights(p.outputgatebiasvector(), H, "outputGateBiasVector", {H, 1});
    }
  }

  std::vector<Shape> infer_shapes(std::span<const Shape> inputs) const override {
    auto [seq, batch] = check_inputs(inputs, d_);
    return output_shapes(seq, batch, d_.hidden, d_.hidden, sequence_output_, outputs_);
  }

  // The output gate follows the format's equations: it multiplies the
  // recursion matrix by (y_{t-1} * r_t), not r_t by (R_o y_{t-1}).
  void run(const RunContext& ctx, std::span<const ConstTensorView> inputs,
           std::span<const TensorView> outputs) const override {
    ref::GruParams p;
    p.shape = walk_shape(inputs[0].shape, d_, reverse_, sequence_output_, d_.hidden);
    p.f = f_;
    p.g = g_;
    for (int g = 0; g < 3; ++g) {
      p.W[g] = W_[g].data();
      p.R[g] = R_[g].data();
      p.b[g] = data_or_null(b_[g]);
    }
    ref::gru(p, inputs[0].data, input_or_null(inputs, 1), outputs[0].data,
             output_or_null(outputs, 1), ctx.threads);
  }

 private:
  Dims d_;
  int outputs_ = 1;
  ref::GateActivation f_, g_;
  bool sequence_output_ = false, reverse_ = false;
  std::vector<float> W_[3], R_[3], b_[3];
};

// --- LSTM (both kinds) ------------------------------------------------------

// The decoded weights of one direction.
struct LstmWeights {
  std::vector<float> W[4], R[4], b[4], peephole[3];
};

// LSTMParams shared by both directions.
struct LstmOptions {
  bool sequence_output = false;
  bool has_bias = false;
  bool forget_bias = false;
  bool has_peephole = false;
  bool coupled = false;
  float cell_clip = 50.f;
};

LstmOptions lstm_options(const spec::LSTMParams& p) {
  LstmOptions o;
  o.sequence_output = p.sequenceoutput();
  o.has_bias = p.hasbiasvectors();
  o.forget_bias = p.forgetbias();
  o.has_peephole = p.haspeepholevectors();
  o.coupled = p.coupledinputandforgetgate();
  // 0 (unset) means the default bound 50.
  const float clip = p.cellclipthreshold();
  require(std::isfinite(clip) && clip >= 0.f,
          "params.cellClipThreshold = " + std::to_string(clip) + "; expected a value >= 0");
  o.cell_clip = clip == 0.f ? 50.f : clip;
  return o;
}

LstmWeights lstm_weights(const spec::LSTMWeightParams& w, const LstmOptions& o, const Dims& d,
                         const std::string& prefix) {
  const int64_t H = d.hidden, I = d.in;
  LstmWeights out;
  const spec::WeightParams* W[4] = {&w.inputgateweightmatrix(), &w.forgetgateweightmatrix(),
                                    &w.blockinputweightmatrix(), &w.outputgateweightmatrix()};
  const spec::WeightParams* R[4] = {&w.inputgaterecursionmatrix(), &w.forgetgaterecursionmatrix(),
                                    &w.blockinputrecursionmatrix(), &w.outputgaterecursionmatrix()};
  const spec::WeightParams* b[4] = {&w.inputgatebiasvector(), &w.forgetgatebiasvector(),
                                    &w.blockinputbiasvector(), &w.outputgatebiasvector()};
  const char* gate_names[4] = {"inputGate", "forgetGate", "blockInput", "outputGate"};
  for (int g = 0; g < 4; ++g) {
    if (g == 1 && o.coupled) continue;  // no forget gate with coupled input and forget gates
    const std::string name = prefix + gate_names[g];
    out.W[g] = matrix(*W[g], H, I, name + "WeightMatrix");
    out.R[g] = matrix(*R[g], H, H, name + "RecursionMatrix");
    if (o.has_bias) out.b[g] = weights(*b[g], H, name + "BiasVector", {H, 1});
  }
  if (o.has_peephole) {
    out.peephole[0] =
        weights(w.inputgatepeepholevector(), H, prefix + "inputGatePeepholeVector", {H, 1});
    if (!o.coupled)
      out.peephole[1] =
          weights(w.forgetgatepeepholevector(), H, prefix + "forgetGatePeepholeVector", {H, 1});
    out.peephole[2] =
        weights(w.outputgatepeepholevector(), H, prefix + "outputGatePeepholeVector", {H, 1});
  }
  return out;
}

ref::LstmParams lstm_params(const ref::RecurrentShape& shape, const LstmOptions& o,
                            const std::vector<ref::GateActivation>& acts, const LstmWeights& w) {
  ref::LstmParams p;
  p.shape = shape;
  p.f = acts[0];
  p.g = acts[1];
  p.h = acts[2];
  p.forget_bias = o.forget_bias;
  p.coupled_input_forget = o.coupled;
  p.cell_clip = o.cell_clip;
  for (int g = 0; g < 4; ++g) {
    p.W[g] = data_or_null(w.W[g]);
    p.R[g] = data_or_null(w.R[g]);
    p.b[g] = data_or_null(w.b[g]);
  }
  for (int k = 0; k < 3; ++k) p.peephole[k] = data_or_null(w.peephole[k]);
  return p;
}

class UniLstmOp final : public Op {
 public:
  explicit UniLstmOp(const spec::NeuralNetworkLayer& layer) {
    const spec::UniDirectionalLSTMLayerParams& p = layer.unidirectionallstm();
    d_.in = size_param(p.inputvectorsize(), "inputVectorSize");
    d_.hidden = size_param(p.outputvectorsize(), "outputVectorSize");
    d_.max_inputs = d_.max_outputs = 3;
    check_io_counts(layer, d_);
    outputs_ = layer.output_size();
    acts_ = activations(p.activations(), 3, "activations");
    options_ = lstm_options(p.params());
    weights_ = lstm_weights(p.weightparams(), options_, d_, "weightParams.");
    reverse_ = p.reverseinput();
  }

  std::vector<Shape> infer_shapes(std::span<const Shape> inputs) const override {
    auto [seq, batch] = check_inputs(inputs, d_);
    return output_shapes(seq, batch, d_.hidden, d_.hidden, options_.sequence_output, outputs_);
  }

  void run(const RunContext& ctx, std::span<const ConstTensorView> inputs,
           std::span<const TensorView> outputs) const override {
    const ref::RecurrentShape shape =
        walk_shape(inputs[0].shape, d_, reverse_, options_.sequence_output, d_.hidden);
    ref::lstm(lstm_params(shape, options_, acts_, weights_), inputs[0].data,
              input_or_null(inputs, 1), input_or_null(inputs, 2), outputs[0].data,
              output_or_null(outputs, 1), output_or_null(outputs, 2), ctx.threads);
  }

 private:
  Dims d_;
  int outputs_ = 1;
  std::vector<ref::GateActivation> acts_;
  LstmOptions options_;
  LstmWeights weights_;
  bool reverse_ = false;
};

// Forward and backward LSTMs share the input; y is [.., Batch, 2H, 1, 1] with
// the forward output in the first H values and the backward one (aligned to
// input times) in the last H. Without sequenceOutput: both final outputs.
class BiLstmOp final : public Op {
 public:
  explicit BiLstmOp(const spec::NeuralNetworkLayer& layer) {
    const spec::BiDirectionalLSTMLayerParams& p = layer.bidirectionallstm();
    d_.in = size_param(p.inputvectorsize(), "inputVectorSize");
    d_.hidden = size_param(p.outputvectorsize(), "outputVectorSize");
    d_.max_inputs = d_.max_outputs = 5;
    check_io_counts(layer, d_);
    outputs_ = layer.output_size();
    acts_[0] = activations(p.activationsforwardlstm(), 3, "activationsForwardLSTM");
    // The format requires equal backward activations; an empty list is taken
    // to mean the forward ones, any other list is used as given.
    acts_[1] = p.activationsbackwardlstm().empty()
                   ? acts_[0]
                   : activations(p.activationsbackwardlstm(), 3, "activationsBackwardLSTM");
    options_ = lstm_options(p.params());
    require(p.weightparams_size() == 2, "weightParams has " + str(p.weightparams_size()) +
                                            " entries; expected 2 (forward, backward)");
    weights_[0] = lstm_weights(p.weightparams(0), options_, d_, "weightParams[0].");
    weights_[1] = lstm_weights(p.weightparams(1), options_, d_, "weightParams[1].");
  }

  std::vector<Shape> infer_shapes(std::span<const Shape> inputs) const override {
    auto [seq, batch] = check_inputs(inputs, d_);
    return output_shapes(seq, batch, 2 * d_.hidden, d_.hidden, options_.sequence_output, outputs_);
  }

  void run(const RunContext& ctx, std::span<const ConstTensorView> inputs,
           std::span<const TensorView> outputs) const override {
    for (int dir = 0; dir < 2; ++dir) {
      ref::RecurrentShape shape =
          walk_shape(inputs[0].shape, d_, dir == 1, options_.sequence_output, 2 * d_.hidden);
      shape.outputs_at_input_time = true;
      const size_t state = 1 + 2 * static_cast<size_t>(dir);  // first state input / output
      ref::lstm(lstm_params(shape, options_, acts_[dir], weights_[dir]), inputs[0].data,
                input_or_null(inputs, state), input_or_null(inputs, state + 1),
                outputs[0].data + dir * d_.hidden, output_or_null(outputs, state),
                output_or_null(outputs, state + 1), ctx.threads);
    }
  }

 private:
  Dims d_;
  int outputs_ = 1;
  std::vector<ref::GateActivation> acts_[2];
  LstmOptions options_;
  LstmWeights weights_[2];
};

template <class T>
std::unique_ptr<Op> lower(const spec::NeuralNetworkLayer& layer, const LowerContext& /*ctx*/) {
  return std::make_unique<T>(layer);
}

}  // namespace

void register_recurrent_layers(LayerRegistry& r) {
  r.add(spec::NeuralNetworkLayer::kSimpleRecurrent, &lower<SimpleRecurrentOp>);
  r.add(spec::NeuralNetworkLayer::kGru, &lower<GruOp>);
  r.add(spec::NeuralNetworkLayer::kUniDirectionalLSTM, &lower<UniLstmOp>);
  r.add(spec::NeuralNetworkLayer::kBiDirectionalLSTM, &lower<BiLstmOp>);
}

}  // namespace morel::graph
