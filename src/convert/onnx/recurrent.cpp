// RNN, GRU and LSTM as Core ML's simpleRecurrent, gru and uniDirectionalLSTM
// layers, one per direction ([Seq, Batch, C, 1, 1] blobs). ONNX stacks the
// gates of a direction in one matrix (LSTM: i, o, f, c; GRU: z, r, h) and
// splits biases into input and recurrence halves; Core ML wants a matrix per
// gate and one bias. A reverse direction's outputs come back in step order
// and are flipped to input time, as ONNX aligns them.
#include <cfloat>

#include "convert/onnx/ops.h"

namespace morel::onnxc {

namespace {

enum class Cell { kRnn, kGru, kLstm };

int gates_of(Cell c) {
  return c == Cell::kRnn ? 1 : c == Cell::kGru ? 3 : 4;
}

// An ONNX activation name (with its alpha / beta) as Core ML activation params.
void set_activation(const Node& node, const std::string& name, float alpha, float beta,
                    bool has_alpha, bool has_beta, spec::ActivationParams& a) {
  if (name == "Sigmoid") {
    a.mutable_sigmoid();
  } else if (name == "Tanh") {
    a.mutable_tanh();
  } else if (name == "Relu") {
    a.mutable_relu();
  } else if (name == "LeakyRelu") {
    a.mutable_leakyrelu()->set_alpha(has_alpha ? alpha : 0.01f);
  } else if (name == "ThresholdedRelu") {
    a.mutable_thresholdedrelu()->set_alpha(has_alpha ? alpha : 1.f);
  } else if (name == "ScaledTanh") {
    a.mutable_scaledtanh()->set_alpha(has_alpha ? alpha : 1.f);
    a.mutable_scaledtanh()->set_beta(has_beta ? beta : 1.f);
  } else if (name == "HardSigmoid") {
    a.mutable_sigmoidhard()->set_alpha(has_alpha ? alpha : 0.2f);
    a.mutable_sigmoidhard()->set_beta(has_beta ? beta : 0.5f);
  } else if (name == "Elu") {
    a.mutable_elu()->set_alpha(has_alpha ? alpha : 1.f);
  } else if (name == "Softsign") {
    a.mutable_softsign();
  } else if (name == "Softplus") {
    a.mutable_softplus();
  } else if (name == "Affine") {
    a.mutable_linear()->set_alpha(has_alpha ? alpha : 1.f);
    a.mutable_linear()->set_beta(has_beta ? beta : 0.f);
  } else {
    node.unsupported("activation '" + name + "' has no Core ML equivalent in recurrent layers");
  }
}

std::vector<std::string> default_activations(Cell c) {
  switch (c) {
    case Cell::kRnn: return {"Tanh"};
    case Cell::kGru: return {"Sigmoid", "Tanh"};
    case Cell::kLstm: return {"Sigmoid", "Tanh", "Tanh"};
  }
  return {};
}

// Rows [gate * H, (gate + 1) * H) of direction d of a [D, G*H, cols] tensor.
std::vector<float> block(const Tensor& t, int64_t d, int64_t gate, int64_t h, int64_t cols) {
  const int64_t rows_per_dir = t.shape()[1];
  std::vector<float> out(static_cast<size_t>(h * cols));
  for (int64_t r = 0; r < h; ++r)
    for (int64_t c = 0; c < cols; ++c)
      out[r * cols + c] = static_cast<float>(t.get((d * rows_per_dir + gate * h + r) * cols + c));
  return out;
}

void set(spec::WeightParams* w, const std::vector<float>& v) {
  w->mutable_floatvalue()->Add(v.begin(), v.end());
}

void convert_recurrent(Context& cx, const Node& node, Cell cell) {
  const Value& x = cx.input(node, 0);
  const Tensor& w = cx.require_constant(node, 1, "the weights W");
  const Tensor& r = cx.require_constant(node, 2, "the recurrence weights R");
  const Tensor* b = node.has_input(3) ? &cx.require_constant(node, 3, "the bias B") : nullptr;
  const std::string direction = node.attr_string("direction", "forward");
  const int64_t dirs = direction == "bidirectional" ? 2 : 1;
  if (direction != "forward" && direction != "reverse" && direction != "bidirectional")
    node.invalid("direction = '" + direction + "'");
  const int64_t h = node.attr_int("hidden_size");
  const bool batch_first = node.attr_int("layout", 0) != 0;
  if (x.shape.size() != 3) node.invalid("X must be 3-D");
  const int64_t seq = batch_first ? x.shape[1] : x.shape[0],
                batch = batch_first ? x.shape[0] : x.shape[1];
  const int64_t in = x.shape[2];
  const int g = gates_of(cell);
  if (w.shape() != Dims{dirs, g * h, in} || r.shape() != Dims{dirs, g * h, h})
    node.invalid("W " + shape_str(w.shape()) + " / R " + shape_str(r.shape()) +
                 " do not fit hidden_size " + std::to_string(h) + " and input size " +
                 std::to_string(in));
  if (b && b->shape() != Dims{dirs, 2 * g * h})
    node.invalid("B has shape " + shape_str(b->shape()));
  if (node.has_attr("clip"))
    node.unsupported("clip: Core ML's recurrent layers have no pre-activation clip threshold");
  if (cell == Cell::kGru && node.attr_int("linear_before_reset", 0) != 0)
    node.unsupported("linear_before_reset = 1 has no Core ML equivalent");
  if (node.has_input(4)) {
    const Tensor& lens = cx.require_constant(node, 4, "sequence_lens");
    for (int64_t v : lens.ints())
      if (v != seq) node.unsupported("sequence_lens shorter than the sequence are not converted");
  }
  const Tensor* peep = cell == Cell::kLstm && node.has_input(7)
                           ? &cx.require_constant(node, 7, "the peepholes P")
                           : nullptr;
  std::vector<std::string> acts = node.attr_strings("activations");
  const std::vector<float> alphas = node.attr_floats("activation_alpha"),
                           betas = node.attr_floats("activation_beta");
  const size_t per_dir = static_cast<size_t>(cell == Cell::kRnn ? 1 : cell == Cell::kGru ? 2 : 3);
  if (acts.empty())
    for (int64_t d = 0; d < dirs; ++d)
      for (const auto& a : default_activations(cell)) acts.push_back(a);
  if (acts.size() != per_dir * static_cast<size_t>(dirs))
    node.invalid("activations lists " + std::to_string(acts.size()) + " functions; expected " +
                 std::to_string(per_dir * static_cast<size_t>(dirs)));

  // X as [Seq, Batch, I, 1, 1].
  std::string xs = cx.input_blob(node, 0);
  if (batch_first) xs = emit_transpose(cx, hint(node, "seq_first"), xs, {1, 0, 2});
  xs = emit_reshape(cx, hint(node, "x5"), xs, {seq, batch, in, 1, 1});

  std::vector<std::string> ys, hs, cs;
  for (int64_t d = 0; d < dirs; ++d) {
    const bool reverse = direction == "reverse" || d == 1;
    const std::string tag = "dir" + std::to_string(d);
    spec::NeuralNetworkLayer l;
    l.set_name(cx.layer_name(node.name() + "/" + tag));
    l.add_input(xs);
    // Initial states: [D, Batch, H] sliced to direction d.
    auto state = [&](int i, const char* what) {
      if (!node.has_input(i)) return std::string();
      std::string s = cx.input_blob(node, i);
      if (cx.input(node, i).shape != Dims{dirs, batch, h})
        node.invalid(std::string(what) + " has shape " + shape_str(cx.input(node, i).shape));
      if (dirs == 2)
        s = emit_layer(cx, hint(node, std::string(what) + "_" + tag), {s},
                       [&](spec::NeuralNetworkLayer& sl) {
                         auto* p = sl.mutable_slicestatic();
                         for (int64_t a = 0; a < 3; ++a) {
                           p->add_beginids(a == 0 ? d : 0);
                           p->add_endids(a == 0 ? d + 1 : (a == 1 ? batch : h));
                           p->add_strides(1);
                           p->add_beginmasks(false);
                           p->add_endmasks(false);
                         }
                       });
      return emit_reshape(cx, hint(node, std::string(what) + "5_" + tag), s, {1, batch, h, 1, 1});
    };
    const std::string h0 = state(5, "initial_h");
    const std::string c0 = cell == Cell::kLstm ? state(6, "initial_c") : std::string();
    if (!h0.empty() || !c0.empty()) {
      l.add_input(h0.empty() ? emit_constant(cx, hint(node, "zero_h"),
                                             std::vector<float>(size_t(batch * h), 0.f),
                                             {1, batch, h, 1, 1})
                             : h0);
      if (!c0.empty()) l.add_input(c0);
    }
    const std::string y = cx.fresh(hint(node, "y_" + tag));
    const std::string hn = cx.fresh(hint(node, "h_" + tag));
    const std::string cn = cx.fresh(hint(node, "c_" + tag));
    l.add_output(y);
    l.add_output(hn);
    if (cell == Cell::kLstm) l.add_output(cn);

    auto act = [&](size_t k, spec::ActivationParams* a) {
      const size_t i = static_cast<size_t>(d) * per_dir + k;
      set_activation(node, acts[i], i < alphas.size() ? alphas[i] : 0.f,
                     i < betas.size() ? betas[i] : 0.f, i < alphas.size(), i < betas.size(), *a);
    };
    // Bias of gate `gate`: input half plus recurrence half.
    auto bias = [&](int64_t gate) {
      std::vector<float> v(static_cast<size_t>(h), 0.f);
      if (b)
        for (int64_t j = 0; j < h; ++j)
          v[j] = static_cast<float>(b->get(d * 2 * g * h + gate * h + j) +
                                    b->get(d * 2 * g * h + (g + gate) * h + j));
      return v;
    };
    if (cell == Cell::kRnn) {
      auto* p = l.mutable_simplerecurrent();
      p->set_inputvectorsize(static_cast<uint64_t>(in));
      p->set_outputvectorsize(static_cast<uint64_t>(h));
      act(0, p->mutable_activation());
      p->set_sequenceoutput(true);
      p->set_hasbiasvector(true);
      set(p->mutable_weightmatrix(), block(w, d, 0, h, in));
      set(p->mutable_recursionmatrix(), block(r, d, 0, h, h));
      set(p->mutable_biasvector(), bias(0));
      p->set_reverseinput(reverse);
    } else if (cell == Cell::kGru) {
      auto* p = l.mutable_gru();
      p->set_inputvectorsize(static_cast<uint64_t>(in));
      p->set_outputvectorsize(static_cast<uint64_t>(h));
      act(0, p->add_activations());
      act(1, p->add_activations());
      p->set_sequenceoutput(true);
      p->set_hasbiasvectors(true);
      // ONNX gate order z, r, h.
      set(p->mutable_updategateweightmatrix(), block(w, d, 0, h, in));
      set(p->mutable_resetgateweightmatrix(), block(w, d, 1, h, in));
      set(p->mutable_outputgateweightmatrix(), block(w, d, 2, h, in));
      set(p->mutable_updategaterecursionmatrix(), block(r, d, 0, h, h));
      set(p->mutable_resetgaterecursionmatrix(), block(r, d, 1, h, h));
      set(p->mutable_outputgaterecursionmatrix(), block(r, d, 2, h, h));
      set(p->mutable_updategatebiasvector(), bias(0));
      set(p->mutable_resetgatebiasvector(), bias(1));
      set(p->mutable_outputgatebiasvector(), bias(2));
      p->set_reverseinput(reverse);
    } else {
      auto* p = l.mutable_unidirectionallstm();
      p->set_inputvectorsize(static_cast<uint64_t>(in));
      p->set_outputvectorsize(static_cast<uint64_t>(h));
      for (size_t k = 0; k < 3; ++k) act(k, p->add_activations());
      auto* lp = p->mutable_params();
      lp->set_sequenceoutput(true);
      lp->set_hasbiasvectors(true);
      lp->set_haspeepholevectors(peep != nullptr);
      lp->set_coupledinputandforgetgate(node.attr_int("input_forget", 0) != 0);
      lp->set_cellclipthreshold(FLT_MAX);  // ONNX does not bound the cell state
      // ONNX gate order i, o, f, c.
      auto* wp = p->mutable_weightparams();
      set(wp->mutable_inputgateweightmatrix(), block(w, d, 0, h, in));
      set(wp->mutable_outputgateweightmatrix(), block(w, d, 1, h, in));
      set(wp->mutable_forgetgateweightmatrix(), block(w, d, 2, h, in));
      set(wp->mutable_blockinputweightmatrix(), block(w, d, 3, h, in));
      set(wp->mutable_inputgaterecursionmatrix(), block(r, d, 0, h, h));
      set(wp->mutable_outputgaterecursionmatrix(), block(r, d, 1, h, h));
      set(wp->mutable_forgetgaterecursionmatrix(), block(r, d, 2, h, h));
      set(wp->mutable_blockinputrecursionmatrix(), block(r, d, 3, h, h));
      set(wp->mutable_inputgatebiasvector(), bias(0));
      set(wp->mutable_outputgatebiasvector(), bias(1));
      set(wp->mutable_forgetgatebiasvector(), bias(2));
      set(wp->mutable_blockinputbiasvector(), bias(3));
      if (peep) {  // ONNX P: i, o, f
        if (peep->shape() != Dims{dirs, 3 * h})
          node.invalid("P has shape " + shape_str(peep->shape()));
        auto part = [&](int64_t k) {
          std::vector<float> v(static_cast<size_t>(h));
          for (int64_t j = 0; j < h; ++j)
            v[j] = static_cast<float>(peep->get(d * 3 * h + k * h + j));
          return v;
        };
        set(wp->mutable_inputgatepeepholevector(), part(0));
        set(wp->mutable_outputgatepeepholevector(), part(1));
        set(wp->mutable_forgetgatepeepholevector(), part(2));
      }
      p->set_reverseinput(reverse);
    }
    cx.emit(std::move(l));
    // Outputs of a reverse walk are in step order: flip them to input time.
    std::string yd = y;
    if (reverse)
      yd = emit_layer(cx, hint(node, "y_time_" + tag), {y}, [](spec::NeuralNetworkLayer& rl) {
        auto* p = rl.mutable_reverse();
        for (int a = 0; a < 5; ++a) p->add_reversedim(a == 0);
      });
    ys.push_back(emit_reshape(cx, hint(node, "y4_" + tag), yd, {seq, 1, batch, h}));
    hs.push_back(emit_reshape(cx, hint(node, "h3_" + tag), hn, {1, batch, h}));
    if (cell == Cell::kLstm)
      cs.push_back(emit_reshape(cx, hint(node, "c3_" + tag), cn, {1, batch, h}));
  }
  auto join = [&](const std::vector<std::string>& parts, int64_t axis, const std::string& name) {
    if (parts.size() == 1) return parts[0];
    return emit_layer(cx, name, parts,
                      [&](spec::NeuralNetworkLayer& l) { l.mutable_concatnd()->set_axis(axis); });
  };
  // Y [Seq, D, Batch, H] (layout 1: [Batch, Seq, D, H]); Y_h, Y_c [D, Batch, H] ([Batch, D, H]).
  if (node.has_output(0)) {
    std::string y = join(ys, 1, hint(node, "Y"));
    Dims shape = {seq, dirs, batch, h};
    if (batch_first) {
      y = emit_transpose(cx, node.output(0), y, {2, 0, 1, 3});
      shape = {batch, seq, dirs, h};
    }
    define_output(cx, node, 0, y, x.dtype, shape);
  }
  auto state_out = [&](int i, const std::vector<std::string>& parts) {
    if (!node.has_output(i)) return;
    std::string s = join(parts, 0, node.output(i));
    Dims shape = {dirs, batch, h};
    if (batch_first) {
      s = emit_transpose(cx, node.output(i), s, {1, 0, 2});
      shape = {batch, dirs, h};
    }
    define_output(cx, node, i, s, x.dtype, shape);
  };
  state_out(1, hs);
  if (cell == Cell::kLstm) state_out(2, cs);
}

}  // namespace

void register_recurrent_ops(OpTable& t) {
  t["RNN"] = [](Context& cx, const Node& n) { convert_recurrent(cx, n, Cell::kRnn); };
  t["GRU"] = [](Context& cx, const Node& n) { convert_recurrent(cx, n, Cell::kGru); };
  t["LSTM"] = [](Context& cx, const Node& n) { convert_recurrent(cx, n, Cell::kLstm); };
}

}  // namespace morel::onnxc
