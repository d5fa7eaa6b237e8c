// Layer family: unary. The legacy UnaryFunctionLayerParams (f(scale * x +
// shift) for a selected f) and the N-d element-wise layers (ceil, floor,
// sign, round, exp2, trigonometric and hyperbolic functions, erf). Any rank;
// every op may run in place.
#include <memory>
#include <string>

#include "graph/layer_registry.h"
#include "graph/layer_util.h"
#include "kernels/reference/unary.h"

namespace morel::graph {
namespace {

namespace ref = kernels::reference;

class UnaryOp final : public Op {
 public:
  explicit UnaryOp(const ref::UnaryParams& params) : params_(params) {}

  std::vector<Shape> infer_shapes(std::span<const Shape> inputs) const override {
    require_inputs(inputs, 1, 1);
    return {inputs[0]};
  }

  void run(const RunContext& ctx, std::span<const ConstTensorView> inputs,
           std::span<const TensorView> outputs) const override {
    ref::unary(params_, inputs[0].data, outputs[0].data, inputs[0].count(), ctx.threads);
  }

  bool in_place() const override { return true; }
  LayoutSupport layout_support() const override { return LayoutSupport::kPermutable; }

 private:
  ref::UnaryParams params_;
};

std::unique_ptr<Op> lower_unary(const spec::NeuralNetworkLayer& layer, const LowerContext&) {
  const spec::UnaryFunctionLayerParams& u = layer.unary();
  using U = spec::UnaryFunctionLayerParams;
  using F = ref::UnaryFunction;
  ref::UnaryParams p;
  switch (u.type()) {
    case U::SQRT: p.kind = F::kSqrt; break;
    case U::RSQRT: p.kind = F::kRsqrt; break;
    case U::INVERSE: p.kind = F::kInverse; break;
    case U::POWER: p.kind = F::kPower; break;
    case U::EXP: p.kind = F::kExp; break;
    case U::LOG: p.kind = F::kLog; break;
    case U::ABS: p.kind = F::kAbs; break;
    case U::THRESHOLD: p.kind = F::kThreshold; break;
    default:
      require(false, "unary type = " + str(u.type()) +
                         " is not a known operation; expected SQRT (0) to THRESHOLD (7)");
  }
  p.alpha = u.alpha();
  // Zero (unset) means the documented defaults: epsilon 1e-6, scale 1.
  // epsilon is only used by RSQRT and INVERSE, as the formulas say; LOG is
  // documented as plain log(x) and is computed so (coremltools writes a
  // denormal epsilon for it, which changes nothing either way).
  p.epsilon = u.epsilon() != 0.f ? u.epsilon() : 1e-6f;
  p.scale = u.scale() != 0.f ? u.scale() : 1.f;
  p.shift = u.shift();
  return std::make_unique<UnaryOp>(p);
}

// The N-d element-wise layers: one function each, no parameters.
std::unique_ptr<Op> lower_elementwise_unary(const spec::NeuralNetworkLayer& layer,
                                            const LowerContext&) {
  using L = spec::NeuralNetworkLayer;
  using F = ref::UnaryFunction;
  ref::UnaryParams p;
  switch (layer.layer_case()) {
    case L::kCeil: p.kind = F::kCeil; break;
    case L::kFloor: p.kind = F::kFloor; break;
    case L::kSign: p.kind = F::kSign; break;
    // The format does not say how halfway cases round; they go to the even
    // neighbour, as in numpy.round and torch.round (what converters map here).
    case L::kRound: p.kind = F::kRound; break;
    case L::kExp2: p.kind = F::kExp2; break;
    case L::kSin: p.kind = F::kSin; break;
    case L::kCos: p.kind = F::kCos; break;
    case L::kTan: p.kind = F::kTan; break;
    case L::kAsin: p.kind = F::kAsin; break;
    case L::kAcos: p.kind = F::kAcos; break;
    case L::kAtan: p.kind = F::kAtan; break;
    case L::kSinh: p.kind = F::kSinh; break;
    case L::kCosh: p.kind = F::kCosh; break;
    case L::kTanh: p.kind = F::kTanh; break;
    case L::kAsinh: p.kind = F::kAsinh; break;
    case L::kAcosh: p.kind = F::kAcosh; break;
    case L::kAtanh: p.kind = F::kAtanh; break;
    case L::kErf: p.kind = F::kErf; break;
    default:
      unsupported("layer kind " + str(layer.layer_case()) + " is not an element-wise unary layer");
  }
  return std::make_unique<UnaryOp>(p);
}

}  // namespace

void register_unary_layers(LayerRegistry& r) {
  r.add(spec::NeuralNetworkLayer::kUnary, &lower_unary);
  using L = spec::NeuralNetworkLayer;
  for (L::LayerCase kind :
       {L::kCeil, L::kFloor, L::kSign, L::kRound, L::kExp2, L::kSin, L::kCos, L::kTan, L::kAsin,
        L::kAcos, L::kAtan, L::kSinh, L::kCosh, L::kTanh, L::kAsinh, L::kAcosh, L::kAtanh, L::kErf})
    r.add(kind, &lower_elementwise_unary);
}

}  // namespace morel::graph
