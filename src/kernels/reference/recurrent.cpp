#include "kernels/reference/recurrent.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "kernels/parallel.h"

namespace morel::kernels::reference {

float activate(const GateActivation& a, float x) {
  switch (a.kind) {
    case ActivationKind::kLinear: return a.alpha * x + a.beta;
    case ActivationKind::kReLU: return x > 0.f ? x : 0.f;
    case ActivationKind::kLeakyReLU: return x >= 0.f ? x : a.alpha * x;
    case ActivationKind::kThresholdedReLU: return x >= a.alpha ? x : 0.f;
    case ActivationKind::kTanh: return std::tanh(x);
    case ActivationKind::kScaledTanh: return a.alpha * std::tanh(a.beta * x);
    case ActivationKind::kSigmoid: return 1.f / (1.f + std::exp(-x));
    case ActivationKind::kSigmoidHard: return std::min(std::max(a.alpha * x + a.beta, 0.f), 1.f);
    case ActivationKind::kELU: return x >= 0.f ? x : a.alpha * (std::exp(x) - 1.f);
    case ActivationKind::kSoftsign: return x / (1.f + std::fabs(x));
    case ActivationKind::kSoftplus: return std::log1p(std::exp(x));
  }
  return x;
}

namespace {

constexpr float kGateClip = 50.f;

// W v as a double accumulator added into acc[rows] (W: [rows, cols]).
void add_matvec(const float* W, const float* v, int64_t rows, int64_t cols, double* acc) {
  for (int64_t r = 0; r < rows; ++r) {
    double sum = 0.0;
    for (int64_t c = 0; c < cols; ++c) sum += double(W[r * cols + c]) * double(v[c]);
    acc[r] += sum;
  }
}

// Activation of a clipped pre-activation.
float gate(const GateActivation& a, double pre) {
  return activate(a, std::clamp(static_cast<float>(pre), -kGateClip, kGateClip));
}

// Where step k (0-based) of the walk reads its input and writes its output.
struct Step {
  int64_t input_time;
  int64_t output_row;
};
Step step_at(const RecurrentShape& s, int64_t k) {
  const int64_t t = s.reverse ? s.seq - 1 - k : k;
  return {t, s.outputs_at_input_time ? t : k};
}

// Runs one batch item through all steps: `update(x_t, state)` advances the
// state (state[0] is the output y); outputs are written as the shape says.
template <class Update>
void walk(const RecurrentShape& s, int64_t b, const float* x, float* y, std::vector<float>* state,
          Update&& update) {
  std::vector<float>& out = state[0];
  for (int64_t k = 0; k < s.seq; ++k) {
    const Step st = step_at(s, k);
    update(x + (st.input_time * s.batch + b) * s.in);
    if (s.sequence_output)
      std::copy(out.begin(), out.end(), y + (st.output_row * s.batch + b) * s.y_stride);
  }
  if (!s.sequence_output) std::copy(out.begin(), out.end(), y + b * s.y_stride);
}

// A state vector for item b: the initial values, or zeros.
std::vector<float> initial(const float* v0, int64_t b, int64_t hidden) {
  if (!v0) return std::vector<float>(static_cast<size_t>(hidden), 0.f);
  return std::vector<float>(v0 + b * hidden, v0 + (b + 1) * hidden);
}

void store(const std::vector<float>& v, float* dst, int64_t b) {
  if (dst) std::copy(v.begin(), v.end(), dst + b * static_cast<int64_t>(v.size()));
}

}  // namespace

void simple_rnn(const SimpleRnnParams& p, const float* x, const float* h0, float* y, float* h_out,
                int threads) {
  const RecurrentShape& s = p.shape;
  const int64_t H = s.hidden;
  parallel_for(threads, s.batch, [&](int64_t b) {
    std::vector<float> state[1] = {initial(h0, b, H)};
    std::vector<float>& h = state[0];
    std::vector<double> pre(static_cast<size_t>(H));
    walk(s, b, x, y, state, [&](const float* xt) {
      for (int64_t j = 0; j < H; ++j) pre[j] = p.b ? p.b[j] : 0.0;
      add_matvec(p.W, xt, H, s.in, pre.data());
      add_matvec(p.R, h.data(), H, H, pre.data());
      for (int64_t j = 0; j < H; ++j) h[j] = gate(p.f, pre[j]);
    });
    store(h, h_out, b);
  });
}

void gru(const GruParams& p, const float* x, const float* h0, float* y, float* h_out, int threads) {
  const RecurrentShape& s = p.shape;
  const int64_t H = s.hidden;
  parallel_for(threads, s.batch, [&](int64_t b) {
    std::vector<float> state[1] = {initial(h0, b, H)};
    std::vector<float>& h = state[0];
    std::vector<float> z(H), r(H), hr(H);
    std::vector<double> pre(static_cast<size_t>(H));
    // pre = W_g x + R_g v + b_g
    auto preactivation = [&](int g, const float* xt, const float* v) {
      for (int64_t j = 0; j < H; ++j) pre[j] = p.b[g] ? p.b[g][j] : 0.0;
      add_matvec(p.W[g], xt, H, s.in, pre.data());
      add_matvec(p.R[g], v, H, H, pre.data());
    };
    walk(s, b, x, y, state, [&](const float* xt) {
      preactivation(0, xt, h.data());
      for (int64_t j = 0; j < H; ++j) z[j] = gate(p.f, pre[j]);
      preactivation(1, xt, h.data());
      for (int64_t j = 0; j < H; ++j) r[j] = gate(p.f, pre[j]);
      for (int64_t j = 0; j < H; ++j) hr[j] = h[j] * r[j];
      preactivation(2, xt, hr.data());
      for (int64_t j = 0; j < H; ++j) {
        const float o = gate(p.g, pre[j]);
        h[j] = (1.f - z[j]) * o + z[j] * h[j];
      }
    });
    store(h, h_out, b);
  });
}

void lstm(const LstmParams& p, const float* x, const float* h0, const float* c0, float* y,
          float* h_out, float* c_out, int threads) {
  const RecurrentShape& s = p.shape;
  const int64_t H = s.hidden;
  parallel_for(threads, s.batch, [&](int64_t b) {
    std::vector<float> state[2] = {initial(h0, b, H), initial(c0, b, H)};
    std::vector<float>& h = state[0];
    std::vector<float>& c = state[1];
    std::vector<float> i_gate(H), f_gate(H), z_gate(H);
    std::vector<double> pre(static_cast<size_t>(H));
    auto preactivation = [&](int g, const float* xt) {
      for (int64_t j = 0; j < H; ++j) pre[j] = p.b[g] ? p.b[g][j] : 0.0;
      add_matvec(p.W[g], xt, H, s.in, pre.data());
      add_matvec(p.R[g], h.data(), H, H, pre.data());
    };
    walk(s, b, x, y, state, [&](const float* xt) {
      preactivation(0, xt);
      for (int64_t j = 0; j < H; ++j) {
        if (p.peephole[0]) pre[j] += double(p.peephole[0][j]) * c[j];
        i_gate[j] = gate(p.f, pre[j]);
      }
      if (!p.coupled_input_forget) {
        preactivation(1, xt);
        for (int64_t j = 0; j < H; ++j) {
          if (p.peephole[1]) pre[j] += double(p.peephole[1][j]) * c[j];
          if (p.forget_bias) pre[j] += 1.0;
          f_gate[j] = gate(p.f, pre[j]);
        }
      }
      preactivation(2, xt);
      for (int64_t j = 0; j < H; ++j) z_gate[j] = gate(p.g, pre[j]);
      for (int64_t j = 0; j < H; ++j) {
        const float keep = p.coupled_input_forget ? 1.f - i_gate[j] : f_gate[j];
        c[j] = std::clamp(c[j] * keep + i_gate[j] * z_gate[j], -p.cell_clip, p.cell_clip);
      }
      // The output gate reads h before it is replaced: compute it in full first.
      preactivation(3, xt);
      for (int64_t j = 0; j < H; ++j) {
        if (p.peephole[2]) pre[j] += double(p.peephole[2][j]) * c[j];
        const float o = gate(p.f, pre[j]);
        h[j] = activate(p.h, c[j]) * o;
      }
    });
    store(h, h_out, b);
    store(c, c_out, b);
  });
}

}  // namespace morel::kernels::reference
