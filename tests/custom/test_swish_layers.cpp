// The Swish example layers (examples/swish): the vectorized kernel against a
// double-precision oracle and the naive loop, and both layer classes through
// the runtime, in legacy and N-d networks, with their parameter and weight
// errors.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

#include "custom/custom_test_models.h"
#include "morel/custom_layer.h"
#include "morel/error.h"
#include "morel/model.h"
#include "swish.h"
#include "swish_kernels.h"

namespace morel::test {
namespace {

double swish_exact(double x, double beta) {
  return x / (1.0 + std::exp(-beta * x));
}

class SwishLayers : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    register_custom_layer("Swish", custom_layer_factory<swish::Swish>());
    register_custom_layer("LearnableSwish", custom_layer_factory<swish::LearnableSwish>());
  }
};

std::string error_message(const std::function<void()>& f, ErrorCode code) {
  try {
    f();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), code) << e.what();
    return e.what();
  }
  ADD_FAILURE() << "expected an error";
  return "";
}

TEST(SwishKernels, VectorizedMatchesDoublePrecisionEverywhere) {
  std::mt19937 gen(7);
  std::uniform_real_distribution<float> wide(-100.f, 100.f), narrow(-6.f, 6.f);
  std::vector<float> x;
  for (int i = 0; i < 5000; ++i) x.push_back(i % 2 ? wide(gen) : narrow(gen));
  for (float v : {0.f, -0.f, 1e-30f, -1e-30f, 87.f, -87.f, 88.5f, -88.5f, 200.f, -200.f, 1e30f,
                  -1e30f, std::numeric_limits<float>::denorm_min()})
    x.push_back(v);
  for (float beta : {1.f, 1.5f, 0.1f, -2.f, 0.f, 10.f}) {
    std::vector<float> y(x.size()), naive(x.size());
    swish::swish_vectorized(x.data(), y.data(), static_cast<int64_t>(x.size()), beta);
    swish::swish_naive(x.data(), naive.data(), static_cast<int64_t>(x.size()), beta);
    for (size_t i = 0; i < x.size(); ++i) {
      const double exact = swish_exact(x[i], beta);
      // Relative: a few float roundings, plus the rounding of t = beta * x
      // to float, which e^t turns into a relative error of |t| * 2^-24.
      // Absolute: the spacing of subnormal floats, scaled by |x| <= 100.
      const double t = std::fabs(double(beta) * x[i]);
      const double relative = (3e-7 + 1.2e-7 * t) * std::fabs(exact);
      ASSERT_NEAR(y[i], exact, relative + 1e-42) << "x=" << x[i] << " beta=" << beta;
      // The naive loop flushes results below ~1e-36 to zero.
      ASSERT_NEAR(naive[i], exact, relative + 1e-36) << "x=" << x[i] << " beta=" << beta;
    }
  }
}

TEST(SwishKernels, EveryLengthInPlaceAndNaN) {
  // Lengths around the 16-lane blocks, computed in place.
  for (int64_t n = 0; n <= 40; ++n) {
    std::vector<float> x(static_cast<size_t>(n) + 1, 123.f);  // one guard element
    for (int64_t i = 0; i < n; ++i) x[i] = static_cast<float>(i) * 0.37f - 5.f;
    std::vector<float> expected(x.begin(), x.begin() + n);
    for (float& v : expected) v = static_cast<float>(swish_exact(v, 1.0));
    swish::swish_vectorized(x.data(), x.data(), n, 1.f);
    for (int64_t i = 0; i < n; ++i) ASSERT_NEAR(x[i], expected[i], 3e-7 * std::fabs(expected[i]));
    EXPECT_EQ(x[n], 123.f) << "wrote past the end for n=" << n;
  }
  float nan = std::numeric_limits<float>::quiet_NaN(), out = 0;
  swish::swish_vectorized(&nan, &out, 1, 1.f);
  EXPECT_TRUE(std::isnan(out));
  float inf = std::numeric_limits<float>::infinity();
  swish::swish_vectorized(&inf, &out, 1, 1.f);
  EXPECT_EQ(out, inf);
}

TEST_F(SwishLayers, SwishReadsBetaWithDefaultOne) {
  MultiArray x = ramp({2, 3, 4}, -6, 0.5f);
  for (double beta : {0.0, 1.0, 1.5, -0.75}) {
    const bool absent = beta == 1.0;  // leave it out: the default is 1
    Model model = Model::from_spec(single_custom_layer_model("Swish", [&](auto& p) {
      if (!absent) (*p.mutable_parameters())["beta"].set_doublevalue(beta);
    }));
    std::vector<float> y = floats_of(model.predict({{"x", x}}), "y");
    std::vector<float> xs = x.to_floats();
    for (size_t i = 0; i < xs.size(); ++i)
      EXPECT_NEAR(y[i], swish_exact(xs[i], beta), 3e-7 * std::fabs(swish_exact(xs[i], beta)))
          << "beta " << beta;
  }
  // An integer beta is taken too.
  Model integer = Model::from_spec(single_custom_layer_model(
      "Swish", [](auto& p) { (*p.mutable_parameters())["beta"].set_intvalue(2); }));
  EXPECT_NEAR(floats_of(integer.predict({{"x", x}}), "y")[0], swish_exact(-6, 2), 1e-9);
}

TEST_F(SwishLayers, SwishParameterErrors) {
  std::string m = error_message(
      [] {
        Model::from_spec(single_custom_layer_model(
            "Swish", [](auto& p) { (*p.mutable_parameters())["beta"].set_stringvalue("1.5"); }));
      },
      ErrorCode::kCustomLayerFailed);
  EXPECT_EQ(m, "layer 'probe' (custom Swish): parameter 'beta' is string, expected double");
  m = error_message(
      [] {
        Model::from_spec(single_custom_layer_model("Swish", [](auto& p) {
          (*p.mutable_parameters())["beta"].set_doublevalue(
              std::numeric_limits<double>::infinity());
        }));
      },
      ErrorCode::kCustomLayerFailed);
  EXPECT_NE(m.find("parameter 'beta' must be finite"), std::string::npos) << m;
}

TEST_F(SwishLayers, SwishInAnExactRankNetwork) {
  CustomModelShape nd;
  nd.input = {3, 17};
  nd.exact = true;
  Model model = Model::from_spec(single_custom_layer_model("Swish", {}, nd));
  MultiArray x = ramp({3, 17}, -4, 0.2f);
  std::vector<float> y = floats_of(model.predict({{"x", x}}), "y");
  std::vector<float> xs = x.to_floats();
  ASSERT_EQ(y.size(), 51u);
  for (size_t i = 0; i < xs.size(); ++i) EXPECT_NEAR(y[i], swish_exact(xs[i], 1), 1e-6);
}

TEST_F(SwishLayers, LearnableSwishUsesOneBetaPerChannel) {
  const std::vector<float> betas = {0.5f, 2.f, -1.f};
  for (bool half : {false, true}) {
    Model model = Model::from_spec(single_custom_layer_model(
        "LearnableSwish",
        [&](auto& p) {
          if (half)
            set_float16_weights(*p.add_weights(), betas);
          else
            set_float_weights(*p.add_weights(), betas);
        },
        CustomModelShape{{3, 2, 5}}));
    MultiArray x = ramp({3, 2, 5}, -3, 0.2f);
    std::vector<float> y = floats_of(model.predict({{"x", x}}), "y");
    std::vector<float> xs = x.to_floats();
    for (size_t i = 0; i < xs.size(); ++i) {
      const double expect = swish_exact(xs[i], betas[i / 10]);  // channel = i / (H * W)
      EXPECT_NEAR(y[i], expect, 3e-7 * std::fabs(expect) + 1e-12) << i;
    }
  }
}

TEST_F(SwishLayers, LearnableSwishChannelAxisInNdNetworks) {
  // [N, C, L] with the default axis -3 is N: two betas; axis 1 is C: four.
  CustomModelShape nd;
  nd.input = {2, 4, 3};
  nd.exact = true;
  MultiArray x = ramp({2, 4, 3}, -2, 0.17f);
  std::vector<float> xs = x.to_floats();

  Model by_first = Model::from_spec(single_custom_layer_model(
      "LearnableSwish",
      [](auto& p) {
        set_float_weights(*p.add_weights(), {1.f, 3.f});
      },
      nd));
  std::vector<float> y = floats_of(by_first.predict({{"x", x}}), "y");
  for (size_t i = 0; i < xs.size(); ++i)
    EXPECT_NEAR(y[i], swish_exact(xs[i], i < 12 ? 1 : 3), 1e-6) << i;

  Model by_axis = Model::from_spec(single_custom_layer_model(
      "LearnableSwish",
      [](auto& p) {
        set_float_weights(*p.add_weights(), {1.f, 2.f, 3.f, 4.f});
        (*p.mutable_parameters())["axis"].set_intvalue(1);
      },
      nd));
  y = floats_of(by_axis.predict({{"x", x}}), "y");
  for (size_t i = 0; i < xs.size(); ++i)
    EXPECT_NEAR(y[i], swish_exact(xs[i], 1 + (i / 3) % 4), 1e-6) << i;
}

TEST_F(SwishLayers, LearnableSwishErrors) {
  std::string m =
      error_message([] { Model::from_spec(single_custom_layer_model("LearnableSwish")); },
                    ErrorCode::kCustomLayerFailed);
  EXPECT_EQ(m,
            "layer 'probe' (custom LearnableSwish): LearnableSwish needs 1 weight blob (one beta "
            "per channel), got 0");

  m = error_message(
      [] {
        Model::from_spec(single_custom_layer_model("LearnableSwish", [](auto& p) {
          set_float_weights(*p.add_weights(), {1.f});
          (*p.mutable_parameters())["axis"].set_intvalue(1);
        }));
      },
      ErrorCode::kCustomLayerFailed);
  EXPECT_NE(m.find("'axis' applies to N-d networks only"), std::string::npos) << m;

  // Betas for 3 channels, input with 2: refused when the shape is planned.
  Model model = Model::from_spec(single_custom_layer_model("LearnableSwish", [](auto& p) {
    set_float_weights(*p.add_weights(), {1.f, 2.f, 3.f});
  }));
  m = error_message(
      [&] {
        model.predict({{"x", ramp({2, 3, 4})}});
      },
      ErrorCode::kCustomLayerFailed);
  EXPECT_NE(m.find("layer 'probe'"), std::string::npos) << m;
  EXPECT_NE(m.find("input 1x1x2x3x4 has 2 channels, but the weights hold 3 betas"),
            std::string::npos)
      << m;
}

}  // namespace
}  // namespace morel::test
