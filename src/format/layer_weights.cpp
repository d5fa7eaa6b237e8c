// Which WeightParams each layer kind holds, and the shape its declared
// parameters give them (NeuralNetwork.proto's comments are the source).
#include "morel/layer_weights.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace morel {

namespace {

using spec::NeuralNetworkLayer;
using spec::WeightParams;

constexpr int64_t kSaturated = std::numeric_limits<int64_t>::max();
// Control flow nests networks inside layers; deeper than this is hostile
// (validation reports it) and its weights are not listed.
constexpr int kMaxNesting = 64;

int64_t dim(uint64_t v) {
  return v > static_cast<uint64_t>(kSaturated) ? kSaturated : static_cast<int64_t>(v);
}

// Product of non-negative dimensions, saturating; -1 if any is negative.
int64_t product(const std::vector<int64_t>& dims) {
  int64_t p = 1;
  for (int64_t d : dims) {
    if (d < 0) return -1;
    if (d != 0 && p > kSaturated / d) {
      p = kSaturated;
    } else {
      p *= d;
    }
  }
  for (int64_t d : dims)
    if (d == 0) return 0;
  return p;
}

// A declared shape: the element count and the per-channel layout.
struct Shape {
  std::vector<int64_t> dims;  // empty: not determined
  ChannelLayout layout;
  bool known() const { return !dims.empty(); }
};

Shape unknown() {
  return {};
}

// 1-D vector of n elements.
Shape vector_of(int64_t n) {
  if (n < 0) return unknown();
  return Shape{{n}, ChannelLayout{}};
}

// Output-channel-major array: dims[0] is the channel axis.
Shape channel_major(std::vector<int64_t> dims) {
  for (int64_t d : dims)
    if (d < 0) return unknown();
  Shape s{std::move(dims), ChannelLayout{}};
  if (s.dims.size() > 1 && s.dims[0] > 0) {
    std::vector<int64_t> rest(s.dims.begin() + 1, s.dims.end());
    s.layout = ChannelLayout{s.dims[0], product(rest)};
  }
  return s;
}

// A broadcast constant declared by a repeated uint64 shape ([C], [C, H, W], ...).
Shape declared(const google::protobuf::RepeatedField<uint64_t>& shape) {
  if (shape.empty()) return unknown();
  std::vector<int64_t> dims;
  for (uint64_t d : shape) dims.push_back(dim(d));
  if (dims.size() == 1) return Shape{dims, ChannelLayout{}};
  return channel_major(dims);
}

template <class Ref>
class Collector {
 public:
  using Weights = std::remove_pointer_t<decltype(Ref::weights)>;

  Collector(std::vector<Ref>& out, bool list_missing) : out_(out), list_missing_(list_missing) {}

  // One field. `present`: the message has it; `required`: the layer's
  // parameters call for it. The shape counts only when it is used.
  void add(const std::string& field, const WeightParams& w, bool present, bool required,
           const Shape& shape, bool int8_dynamic = false) {
    if (!present && !(required && list_missing_)) return;
    Ref ref;
    ref.field = prefix_ + field;
    // The layer is mutable in the mutable variant, so its present fields are too.
    ref.weights = const_cast<Weights*>(&w);
    if (shape.known()) {
      ref.expected_count = product(shape.dims);
      ref.shape = shape.dims;
      ref.layout = shape.layout;
    }
    ref.required = required;
    ref.int8_dynamic = int8_dynamic;
    out_.push_back(std::move(ref));
  }

  void activation(const std::string& field, const spec::ActivationParams& a) {
    if (a.has_prelu())
      add(field + ".PReLU.alpha", a.prelu().alpha(), a.prelu().has_alpha(), true, unknown());
    if (a.has_parametricsoftplus()) {
      const auto& p = a.parametricsoftplus();
      add(field + ".parametricSoftplus.alpha", p.alpha(), p.has_alpha(), true, unknown());
      add(field + ".parametricSoftplus.beta", p.beta(), p.has_beta(), true, unknown());
    }
  }

  void lstm(const std::string& field, const spec::LSTMWeightParams& w, const spec::LSTMParams& p,
            int64_t in, int64_t out) {
    const Shape input = channel_major({out, in});
    const Shape recursion = channel_major({out, out});
    const Shape vec = vector_of(out);
    const bool bias = p.hasbiasvectors();
    const bool peep = p.haspeepholevectors();
    const std::string f = field + ".";
    add(f + "inputGateWeightMatrix", w.inputgateweightmatrix(), w.has_inputgateweightmatrix(), true,
        input);
    add(f + "forgetGateWeightMatrix", w.forgetgateweightmatrix(), w.has_forgetgateweightmatrix(),
        true, input);
    add(f + "blockInputWeightMatrix", w.blockinputweightmatrix(), w.has_blockinputweightmatrix(),
        true, input);
    add(f + "outputGateWeightMatrix", w.outputgateweightmatrix(), w.has_outputgateweightmatrix(),
        true, input);
    add(f + "inputGateRecursionMatrix", w.inputgaterecursionmatrix(),
        w.has_inputgaterecursionmatrix(), true, recursion);
    add(f + "forgetGateRecursionMatrix", w.forgetgaterecursionmatrix(),
        w.has_forgetgaterecursionmatrix(), true, recursion);
    add(f + "blockInputRecursionMatrix", w.blockinputrecursionmatrix(),
        w.has_blockinputrecursionmatrix(), true, recursion);
    add(f + "outputGateRecursionMatrix", w.outputgaterecursionmatrix(),
        w.has_outputgaterecursionmatrix(), true, recursion);
    add(f + "inputGateBiasVector", w.inputgatebiasvector(), w.has_inputgatebiasvector(), bias,
        bias ? vec : unknown());
    add(f + "forgetGateBiasVector", w.forgetgatebiasvector(), w.has_forgetgatebiasvector(), bias,
        bias ? vec : unknown());
    add(f + "blockInputBiasVector", w.blockinputbiasvector(), w.has_blockinputbiasvector(), bias,
        bias ? vec : unknown());
    add(f + "outputGateBiasVector", w.outputgatebiasvector(), w.has_outputgatebiasvector(), bias,
        bias ? vec : unknown());
    add(f + "inputGatePeepholeVector", w.inputgatepeepholevector(), w.has_inputgatepeepholevector(),
        peep, peep ? vec : unknown());
    add(f + "forgetGatePeepholeVector", w.forgetgatepeepholevector(),
        w.has_forgetgatepeepholevector(), peep, peep ? vec : unknown());
    add(f + "outputGatePeepholeVector", w.outputgatepeepholevector(),
        w.has_outputgatepeepholevector(), peep, peep ? vec : unknown());
  }

  void network(const std::string& field, const spec::NeuralNetwork& net, int depth) {
    if (depth >= kMaxNesting) return;
    const std::string saved = prefix_;
    for (int i = 0; i < net.layers_size(); ++i) {
      prefix_ = saved + field + ".layers[" + std::to_string(i) + "].";
      layer(net.layers(i), depth + 1);
    }
    prefix_ = saved;
  }

  void layer(const NeuralNetworkLayer& layer, int depth);

 private:
  std::vector<Ref>& out_;
  bool list_missing_;
  std::string prefix_;
};

template <class Ref>
void Collector<Ref>::layer(const NeuralNetworkLayer& layer, int depth) {
  switch (layer.layer_case()) {
    case NeuralNetworkLayer::kConvolution: {
      const auto& c = layer.convolution();
      const int64_t cout = dim(c.outputchannels());
      const int64_t kc = dim(c.kernelchannels());
      const int64_t groups = c.ngroups() == 0 ? 1 : dim(c.ngroups());
      int64_t kh = 3, kw = 3;  // the format's default kernel
      bool kernel_ok = true;
      if (c.kernelsize_size() == 2) {
        kh = dim(c.kernelsize(0));
        kw = dim(c.kernelsize(1));
      } else if (c.kernelsize_size() != 0) {
        kernel_ok = false;
      }
      Shape w = unknown();
      if (kernel_ok && cout > 0 && kc > 0) {
        if (!c.isdeconvolution()) {
          w = channel_major({cout, kc, kh, kw});
        } else if (cout % groups == 0) {
          // [Cin, Cout / groups, kH, kW]: the output channel is axis 1.
          w = Shape{{kc, cout / groups, kh, kw}, ChannelLayout{cout / groups, product({kh, kw})}};
        }
      }
      // Since spec 4 a second input may carry the weights instead.
      const bool stored = layer.input_size() < 2;
      add("convolution.weights", c.weights(), c.has_weights(), stored, stored ? w : unknown());
      add("convolution.bias", c.bias(), c.has_bias(), c.hasbias(),
          c.hasbias() && cout > 0 ? vector_of(cout) : unknown());
      break;
    }
    case NeuralNetworkLayer::kConvolution3D: {
      const auto& c = layer.convolution3d();
      const int64_t cout = c.outputchannels(), cin = c.inputchannels();
      const int64_t groups = c.ngroups() == 0 ? 1 : c.ngroups();
      const int64_t kd = c.kerneldepth(), kh = c.kernelheight(), kw = c.kernelwidth();
      Shape w = unknown();
      if (cout > 0 && cin > 0 && groups > 0 && kd > 0 && kh > 0 && kw > 0) {
        if (!c.isdeconvolution()) {
          if (cin % groups == 0) w = channel_major({cout, cin / groups, kd, kh, kw});
        } else if (cout % groups == 0) {
          w = Shape{{cin, cout / groups, kd, kh, kw},
                    ChannelLayout{cout / groups, product({kd, kh, kw})}};
        }
      }
      add("convolution3d.weights", c.weights(), c.has_weights(), true, w);
      add("convolution3d.bias", c.bias(), c.has_bias(), c.hasbias(),
          c.hasbias() && cout > 0 ? vector_of(cout) : unknown());
      break;
    }
    case NeuralNetworkLayer::kInnerProduct: {
      const auto& p = layer.innerproduct();
      const int64_t cout = dim(p.outputchannels()), cin = dim(p.inputchannels());
      add("innerProduct.weights", p.weights(), p.has_weights(), true, channel_major({cout, cin}),
          p.int8dynamicquantize());
      add("innerProduct.bias", p.bias(), p.has_bias(), p.hasbias(),
          p.hasbias() ? vector_of(cout) : unknown());
      break;
    }
    case NeuralNetworkLayer::kEmbedding: {
      const auto& p = layer.embedding();
      const int64_t cout = dim(p.outputchannels());
      add("embedding.weights", p.weights(), p.has_weights(), true,
          channel_major({cout, dim(p.inputdim())}));
      add("embedding.bias", p.bias(), p.has_bias(), p.hasbias(),
          p.hasbias() ? vector_of(cout) : unknown());
      break;
    }
    case NeuralNetworkLayer::kEmbeddingND: {
      const auto& p = layer.embeddingnd();
      const int64_t size = dim(p.embeddingsize());
      add("embeddingND.weights", p.weights(), p.has_weights(), true,
          channel_major({size, dim(p.vocabsize())}));
      add("embeddingND.bias", p.bias(), p.has_bias(), p.hasbias(),
          p.hasbias() ? vector_of(size) : unknown());
      break;
    }
    case NeuralNetworkLayer::kBatchnorm: {
      const auto& p = layer.batchnorm();
      const Shape c = vector_of(dim(p.channels()));
      const bool stats = !p.computemeanvar();
      add("batchnorm.gamma", p.gamma(), p.has_gamma(), true, c);
      add("batchnorm.beta", p.beta(), p.has_beta(), true, c);
      add("batchnorm.mean", p.mean(), p.has_mean(), stats, stats ? c : unknown());
      add("batchnorm.variance", p.variance(), p.has_variance(), stats, stats ? c : unknown());
      break;
    }
    case NeuralNetworkLayer::kScale: {
      const auto& p = layer.scale();
      add("scale.scale", p.scale(), p.has_scale(), true, declared(p.shapescale()));
      add("scale.bias", p.bias(), p.has_bias(), p.hasbias(),
          p.hasbias() ? declared(p.shapebias()) : unknown());
      break;
    }
    case NeuralNetworkLayer::kBias: {
      const auto& p = layer.bias();
      add("bias.bias", p.bias(), p.has_bias(), true, declared(p.shape()));
      break;
    }
    case NeuralNetworkLayer::kLoadConstant: {
      const auto& p = layer.loadconstant();
      add("loadConstant.data", p.data(), p.has_data(), true, declared(p.shape()));
      break;
    }
    case NeuralNetworkLayer::kLoadConstantND: {
      const auto& p = layer.loadconstantnd();
      add("loadConstantND.data", p.data(), p.has_data(), true, declared(p.shape()));
      break;
    }
    case NeuralNetworkLayer::kActivation: activation("activation", layer.activation()); break;
    case NeuralNetworkLayer::kSimpleRecurrent: {
      const auto& p = layer.simplerecurrent();
      const int64_t in = dim(p.inputvectorsize()), out = dim(p.outputvectorsize());
      add("simpleRecurrent.weightMatrix", p.weightmatrix(), p.has_weightmatrix(), true,
          channel_major({out, in}));
      add("simpleRecurrent.recursionMatrix", p.recursionmatrix(), p.has_recursionmatrix(), true,
          channel_major({out, out}));
      add("simpleRecurrent.biasVector", p.biasvector(), p.has_biasvector(), p.hasbiasvector(),
          p.hasbiasvector() ? vector_of(out) : unknown());
      if (p.has_activation()) activation("simpleRecurrent.activation", p.activation());
      break;
    }
    case NeuralNetworkLayer::kGru: {
      const auto& p = layer.gru();
      const int64_t in = dim(p.inputvectorsize()), out = dim(p.outputvectorsize());
      const Shape input = channel_major({out, in});
      const Shape recursion = channel_major({out, out});
      const bool bias = p.hasbiasvectors();
      const Shape vec = bias ? vector_of(out) : unknown();
      add("gru.updateGateWeightMatrix", p.updategateweightmatrix(), p.has_updategateweightmatrix(),
          true, input);
      add("gru.resetGateWeightMatrix", p.resetgateweightmatrix(), p.has_resetgateweightmatrix(),
          true, input);
      add("gru.outputGateWeightMatrix", p.outputgateweightmatrix(), p.has_outputgateweightmatrix(),
          true, input);
      add("gru.updateGateRecursionMatrix", p.updategaterecursionmatrix(),
          p.has_updategaterecursionmatrix(), true, recursion);
      add("gru.resetGateRecursionMatrix", p.resetgaterecursionmatrix(),
          p.has_resetgaterecursionmatrix(), true, recursion);
      add("gru.outputGateRecursionMatrix", p.outputgaterecursionmatrix(),
          p.has_outputgaterecursionmatrix(), true, recursion);
      add("gru.updateGateBiasVector", p.updategatebiasvector(), p.has_updategatebiasvector(), bias,
          vec);
      add("gru.resetGateBiasVector", p.resetgatebiasvector(), p.has_resetgatebiasvector(), bias,
          vec);
      add("gru.outputGateBiasVector", p.outputgatebiasvector(), p.has_outputgatebiasvector(), bias,
          vec);
      for (int i = 0; i < p.activations_size(); ++i)
        activation("gru.activations[" + std::to_string(i) + "]", p.activations(i));
      break;
    }
    case NeuralNetworkLayer::kUniDirectionalLSTM: {
      const auto& p = layer.unidirectionallstm();
      lstm("uniDirectionalLSTM.weightParams", p.weightparams(), p.params(),
           dim(p.inputvectorsize()), dim(p.outputvectorsize()));
      for (int i = 0; i < p.activations_size(); ++i)
        activation("uniDirectionalLSTM.activations[" + std::to_string(i) + "]", p.activations(i));
      break;
    }
    case NeuralNetworkLayer::kBiDirectionalLSTM: {
      const auto& p = layer.bidirectionallstm();
      // Two entries: forward, then backward.
      const int n = p.weightparams_size();
      for (int i = 0; i < std::max(n, 2); ++i) {
        if (i >= n && !list_missing_) break;
        const auto& w = i < n ? p.weightparams(i) : spec::LSTMWeightParams::default_instance();
        lstm("biDirectionalLSTM.weightParams[" + std::to_string(i) + "]", w, p.params(),
             dim(p.inputvectorsize()), dim(p.outputvectorsize()));
      }
      for (int i = 0; i < p.activationsforwardlstm_size(); ++i)
        activation("biDirectionalLSTM.activationsForwardLSTM[" + std::to_string(i) + "]",
                   p.activationsforwardlstm(i));
      for (int i = 0; i < p.activationsbackwardlstm_size(); ++i)
        activation("biDirectionalLSTM.activationsBackwardLSTM[" + std::to_string(i) + "]",
                   p.activationsbackwardlstm(i));
      break;
    }
    case NeuralNetworkLayer::kBatchedMatmul: {
      const auto& p = layer.batchedmatmul();
      // With one input the right operand is constant: [first, second] stored
      // column-major, i.e. row-major [second, first] with the output channel first.
      const bool stored = layer.input_size() < 2;
      const int64_t first = dim(p.weightmatrixfirstdimension());
      const int64_t second = dim(p.weightmatrixseconddimension());
      add("batchedMatmul.weights", p.weights(), p.has_weights(), stored,
          stored ? channel_major({second, first}) : unknown(), p.int8dynamicquantize());
      add("batchedMatmul.bias", p.bias(), p.has_bias(), stored && p.hasbias(),
          stored && p.hasbias() ? vector_of(second) : unknown());
      break;
    }
    case NeuralNetworkLayer::kLayerNormalization: {
      const auto& p = layer.layernormalization();
      Shape s = unknown();
      if (!p.normalizedshape().empty()) {
        s.dims.assign(p.normalizedshape().begin(), p.normalizedshape().end());
        for (int64_t d : s.dims)
          if (d < 0) s = unknown();
      }
      add("layerNormalization.gamma", p.gamma(), p.has_gamma(), true, s);
      add("layerNormalization.beta", p.beta(), p.has_beta(), true, s);
      break;
    }
    case NeuralNetworkLayer::kCustom: {
      const auto& p = layer.custom();
      for (int i = 0; i < p.weights_size(); ++i)
        add("custom.weights[" + std::to_string(i) + "]", p.weights(i), true, false, unknown());
      break;
    }
    case NeuralNetworkLayer::kBranch: {
      const auto& p = layer.branch();
      if (p.has_ifbranch()) network("branch.ifBranch", p.ifbranch(), depth);
      if (p.has_elsebranch()) network("branch.elseBranch", p.elsebranch(), depth);
      break;
    }
    case NeuralNetworkLayer::kLoop: {
      const auto& p = layer.loop();
      if (p.has_conditionnetwork()) network("loop.conditionNetwork", p.conditionnetwork(), depth);
      if (p.has_bodynetwork()) network("loop.bodyNetwork", p.bodynetwork(), depth);
      break;
    }
    default: break;
  }
}

}  // namespace

std::vector<LayerWeightRef> layer_weights(const spec::NeuralNetworkLayer& layer) {
  std::vector<LayerWeightRef> out;
  Collector<LayerWeightRef>(out, true).layer(layer, 0);
  return out;
}

std::vector<MutableLayerWeightRef> mutable_layer_weights(spec::NeuralNetworkLayer& layer) {
  std::vector<MutableLayerWeightRef> out;
  Collector<MutableLayerWeightRef>(out, false).layer(layer, 0);
  return out;
}

}  // namespace morel
