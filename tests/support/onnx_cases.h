// Running the ONNX backend test cases (../shared/testdata/onnx-backend):
// convert a case's model with morel, run it on the case's inputs and compare
// with its expected outputs at the suite's tolerance.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "morel/features.h"

namespace morel::test {

// kPassedFrozen: passed once graph inputs that the converter needs as
// constants (a Reshape target, an LSTM's weights, ...) were fixed to the
// case's values with OnnxConvertOptions::constant_inputs.
enum class CaseStatus { kPassed, kPassedFrozen, kFailed, kUnsupported };

struct CaseResult {
  CaseStatus status = CaseStatus::kFailed;
  std::string message;  // why it failed or is unsupported
};

struct CaseTolerance {
  double rtol = 1e-3, atol = 1e-7;
};

// A case folder: model.onnx and test_data_set_N/{input_K,output_K}.pb.
CaseResult run_backend_case(const std::filesystem::path& dir, CaseTolerance tol = {});

// A light model (light_NAME.onnx + light_NAME_output_0.pb): the input is
// arange(n).reshape(shape) / n for each graph input, as the ONNX runner
// makes it.
CaseResult run_light_model(const std::filesystem::path& model,
                           const std::filesystem::path& expected, CaseTolerance tol);

// Element-wise comparison as numpy.testing.assert_allclose: |a - e| <= atol
// + rtol * |e|, NaN equal to NaN, equal infinities equal. Empty on success.
std::string compare_allclose(const std::vector<float>& actual, const std::vector<double>& expected,
                             CaseTolerance tol);

// A TensorProto file as a feature value for a model input of Core ML type
// float32 / double / int32 (integer and bool data become int32, after a
// range check).
FeatureValue read_tensor_feature(const std::filesystem::path& pb,
                                 std::vector<int64_t>* shape = nullptr);

}  // namespace morel::test
