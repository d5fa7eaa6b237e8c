// Reference kernels of the recurrent family: simple (Elman) RNN, GRU and
// LSTM, one direction at a time. Plain loops over contiguous float32 data;
// the oracle for optimized kernels.
//
// Shared conventions:
// - x is [seq, batch, in] (a [Seq, Batch, C, 1, 1] blob), read at time steps
//   seq-1 .. 0 when `reverse` is set.
// - Weight matrices are row-major [hidden, in], recursion matrices
//   [hidden, hidden], bias and peephole vectors [hidden]; a null bias is 0.
// - Every gate pre-activation is clipped to [-50, 50] before its activation.
// - h0 / c0 are the initial states [batch, hidden] (null: zeros); h_out /
//   c_out receive the final states [batch, hidden] (null: not wanted).
// - y rows are `y_stride` floats apart (hidden, or 2 * hidden when two
//   directions share the output); with sequence_output, row (k, b) holds the
//   output after k + 1 steps, or, with outputs_at_input_time, the output
//   after consuming input time t sits at row t. Without sequence_output only
//   the final output is written, at row 0.
#pragma once

#include <cstdint>

namespace morel::kernels::reference {

enum class ActivationKind {
  kLinear,           // alpha * x + beta
  kReLU,             // max(0, x)
  kLeakyReLU,        // x >= 0 ? x : alpha * x
  kThresholdedReLU,  // x >= alpha ? x : 0
  kTanh,             // tanh(x)
  kScaledTanh,       // alpha * tanh(beta * x)
  kSigmoid,          // 1 / (1 + exp(-x))
  kSigmoidHard,      // min(max(alpha * x + beta, 0), 1)
  kELU,              // x >= 0 ? x : alpha * (exp(x) - 1)
  kSoftsign,         // x / (1 + |x|)
  kSoftplus,         // log(1 + exp(x))
};

struct GateActivation {
  ActivationKind kind = ActivationKind::kSigmoid;
  float alpha = 0.f;
  float beta = 0.f;
};
float activate(const GateActivation& a, float x);

struct RecurrentShape {
  int64_t seq = 0, batch = 0, in = 0, hidden = 0;
  bool reverse = false;
  bool sequence_output = false;
  bool outputs_at_input_time = false;
  int64_t y_stride = 0;
};

// y_t = f(clip(W x_t + R y_{t-1} + b)).
struct SimpleRnnParams {
  RecurrentShape shape;
  GateActivation f;
  const float* W = nullptr;
  const float* R = nullptr;
  const float* b = nullptr;
};
void simple_rnn(const SimpleRnnParams& p, const float* x, const float* h0, float* y, float* h_out,
                int threads);

// z = f(clip(W_z x + R_z y + b_z)), r = f(clip(W_r x + R_r y + b_r)),
// o = g(clip(W_o x + R_o (y * r) + b_o)), y' = (1 - z) * o + z * y.
// Gates in the arrays: 0 update (z), 1 reset (r), 2 output (o).
struct GruParams {
  RecurrentShape shape;
  GateActivation f, g;
  const float* W[3] = {};
  const float* R[3] = {};
  const float* b[3] = {};
};
void gru(const GruParams& p, const float* x, const float* h0, float* y, float* h_out, int threads);

// i = f(clip(W_i x + R_i y + p_i * c + b_i)),
// f = f(clip(W_f x + R_f y + p_f * c + b_f (+ 1 with forget_bias))),
// z = g(clip(W_z x + R_z y + b_z)),
// c' = c * f + i * z (c * (1 - i) + i * z when coupled), clamped to
//      [-cell_clip, cell_clip],
// o = f(clip(W_o x + R_o y + p_o * c' + b_o)), y' = h(c') * o.
// Gates in the arrays: 0 input (i), 1 forget (f), 2 block input (z),
// 3 output (o); peepholes: 0 i, 1 f, 2 o (null: none). The forget gate's
// W/R/b are not read when coupled.
struct LstmParams {
  RecurrentShape shape;
  GateActivation f, g, h;
  bool forget_bias = false;
  bool coupled_input_forget = false;
  float cell_clip = 50.f;
  const float* W[4] = {};
  const float* R[4] = {};
  const float* b[4] = {};
  const float* peephole[3] = {};
};
void lstm(const LstmParams& p, const float* x, const float* h0, const float* c0, float* y,
          float* h_out, float* c_out, int threads);

}  // namespace morel::kernels::reference
