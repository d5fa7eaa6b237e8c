#include "support/onnx_cases.h"

#include <onnx/onnx_pb.h>

#include <cmath>
#include <fstream>
#include <limits>
#include <map>
#include <set>
#include <sstream>

#include "convert/onnx/tensor.h"
#include "morel/convert_onnx.h"
#include "morel/error.h"
#include "morel/model.h"

namespace morel::test {

namespace {

namespace fs = std::filesystem;

onnx::TensorProto read_proto(const fs::path& pb) {
  std::ifstream in(pb, std::ios::binary);
  onnx::TensorProto t;
  if (!in || !t.ParseFromIstream(&in))
    throw Error(ErrorCode::kIo, "cannot read tensor " + pb.string());
  return t;
}

onnxc::Tensor read_tensor(const fs::path& pb) {
  return onnxc::tensor_from_proto(read_proto(pb), pb.filename().string(), pb.parent_path());
}

FeatureValue to_feature(const onnxc::Tensor& t, const std::string& what) {
  std::vector<int64_t> shape = t.shape();
  if (shape.empty()) shape = {1};
  if (t.dtype() == onnxc::kDouble) {
    std::vector<double> v(static_cast<size_t>(t.count()));
    for (int64_t i = 0; i < t.count(); ++i) v[i] = t.get(i);
    return MultiArray::from_doubles(shape, v);
  }
  if (t.is_int()) {
    std::vector<int32_t> v(static_cast<size_t>(t.count()));
    for (int64_t i = 0; i < t.count(); ++i) {
      const int64_t x = t.get_int(i);
      if (x < std::numeric_limits<int32_t>::min() || x > std::numeric_limits<int32_t>::max())
        throw Error(ErrorCode::kUnsupported,
                    what + ": value " + std::to_string(x) + " does not fit int32");
      v[i] = static_cast<int32_t>(x);
    }
    return MultiArray::from_int32s(shape, v);
  }
  return MultiArray::from_floats(shape, t.floats());
}

// The graph inputs a converted model takes (those without initializers).
std::vector<std::string> runtime_inputs(const onnx::ModelProto& m) {
  std::vector<std::string> names;
  for (const auto& i : m.graph().input()) {
    bool init = false;
    for (const auto& t : m.graph().initializer()) init = init || t.name() == i.name();
    if (!init) names.push_back(i.name());
  }
  return names;
}

onnx::ModelProto read_model(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  onnx::ModelProto m;
  if (!in || !m.ParseFromIstream(&in)) throw Error(ErrorCode::kIo, "cannot read " + path.string());
  return m;
}

CaseResult classify(const Error& e, const std::string& stage) {
  CaseResult r;
  r.status = e.code() == ErrorCode::kUnsupported ? CaseStatus::kUnsupported : CaseStatus::kFailed;
  r.message = stage + ": " + e.what();
  return r;
}

// Compare one output feature with an expected tensor.
std::string compare_output(const FeatureMap& out, const std::string& name,
                           const onnxc::Tensor& want, CaseTolerance tol) {
  auto it = out.find(name);
  if (it == out.end()) return "no output '" + name + "'";
  const auto* a = std::get_if<MultiArray>(&it->second);
  if (!a) return "output '" + name + "' is not a multi-array";
  std::vector<int64_t> got = a->shape(), exp = want.shape();
  if (exp.empty()) exp = {1};
  if (got != exp)
    return "output '" + name + "' has shape " + onnxc::shape_str(got) + "; expected " +
           onnxc::shape_str(want.shape());
  std::vector<double> e(static_cast<size_t>(want.count()));
  for (int64_t i = 0; i < want.count(); ++i) e[i] = want.get(i);
  std::string msg = compare_allclose(a->to_floats(), e, tol);
  return msg.empty() ? msg : "output '" + name + "': " + msg;
}

}  // namespace

std::string compare_allclose(const std::vector<float>& actual, const std::vector<double>& expected,
                             CaseTolerance tol) {
  if (actual.size() != expected.size())
    return "has " + std::to_string(actual.size()) + " values; expected " +
           std::to_string(expected.size());
  size_t bad = 0, first = 0;
  for (size_t i = 0; i < actual.size(); ++i) {
    const double a = actual[i], e = expected[i];
    bool ok;
    if (std::isnan(e) || std::isnan(a))
      ok = std::isnan(e) && std::isnan(a);
    else if (std::isinf(e) || std::isinf(a))
      ok = a == e;
    else
      ok = std::fabs(a - e) <= tol.atol + tol.rtol * std::fabs(e);
    if (!ok && bad++ == 0) first = i;
  }
  if (bad == 0) return "";
  std::ostringstream s;
  s << bad << " of " << actual.size() << " values differ; first at " << first << ": "
    << actual[first] << " vs expected " << expected[first];
  return s.str();
}

FeatureValue read_tensor_feature(const fs::path& pb, std::vector<int64_t>* shape) {
  onnxc::Tensor t = read_tensor(pb);
  if (shape) *shape = t.shape();
  return to_feature(t, pb.string());
}

CaseResult run_backend_case(const fs::path& dir, CaseTolerance tol) {
  CaseResult r;
  std::vector<fs::path> sets;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_directory() && e.path().filename().string().rfind("test_data_set_", 0) == 0)
      sets.push_back(e.path());
  std::sort(sets.begin(), sets.end());
  if (sets.empty()) {
    r.message = "no test data sets";
    return r;
  }
  onnx::ModelProto proto;
  std::vector<std::string> inputs, outputs;
  try {
    proto = read_model(dir / "model.onnx");
    // Sequences, maps and optionals have no Core ML feature type.
    for (const auto* list : {&proto.graph().input(), &proto.graph().output()})
      for (const auto& vi : *list)
        if (!vi.type().has_tensor_type()) {
          r.status = CaseStatus::kUnsupported;
          r.message = "graph input or output '" + vi.name() + "' is not a tensor";
          return r;
        }
    inputs = runtime_inputs(proto);
    for (const auto& o : proto.graph().output()) outputs.push_back(o.name());
  } catch (const Error& e) {
    return classify(e, "read");
  }
  std::set<std::string> frozen;  // graph inputs fixed to the case's values
  for (const fs::path& set : sets) {
    std::map<std::string, onnxc::Tensor> values;
    std::vector<onnxc::Tensor> expected;
    try {
      for (size_t k = 0;; ++k) {
        const fs::path in = set / ("input_" + std::to_string(k) + ".pb");
        if (!fs::exists(in)) break;
        if (k >= inputs.size()) {
          r.message = "more input files than graph inputs";
          return r;
        }
        values.emplace(inputs[k], read_tensor(in));
      }
      for (size_t k = 0; k < outputs.size(); ++k)
        expected.push_back(read_tensor(set / ("output_" + std::to_string(k) + ".pb")));
    } catch (const Error& e) {
      return classify(e, "test data");
    }
    Spec spec;
    FeatureMap feed;
    for (int attempt = 0;; ++attempt) {
      OnnxConvertOptions options;
      feed.clear();
      try {
        for (const auto& [name, t] : values) {
          if (frozen.count(name)) {
            options.constant_inputs[name] = t.to_public();
            continue;
          }
          options.input_shapes[name] = t.shape();
          feed[name] = to_feature(t, name);
        }
        spec = convert_onnx(dir / "model.onnx", options);
        break;
      } catch (const Error& e) {
        // "... (input i, 'NAME') must be known at conversion time": freeze NAME
        // when it is a graph input the case gives, and try again.
        const std::string msg = e.what();
        const size_t at = msg.find("') must be known at conversion time");
        const size_t open = at == std::string::npos ? at : msg.rfind(", '", at);
        const std::string name =
            open == std::string::npos ? "" : msg.substr(open + 3, at - open - 3);
        if (e.code() == ErrorCode::kUnsupported && attempt < 8 && values.count(name) &&
            !frozen.count(name)) {
          frozen.insert(name);
          continue;
        }
        return classify(e, "convert");
      }
    }
    try {
      Model model = Model::from_spec(std::move(spec));
      FeatureMap out = model.predict(feed);
      for (size_t k = 0; k < outputs.size(); ++k) {
        std::string msg = compare_output(out, outputs[k], expected[k], tol);
        if (!msg.empty()) {
          r.message = set.filename().string() + ": " + msg;
          return r;
        }
      }
    } catch (const Error& e) {
      CaseResult f = classify(e, "run");
      f.status = CaseStatus::kFailed;  // converted, so running it must work
      return f;
    }
  }
  if (!frozen.empty()) {
    r.status = CaseStatus::kPassedFrozen;
    r.message = "frozen:";
    for (const auto& n : frozen) r.message += " " + n;
    return r;
  }
  r.status = CaseStatus::kPassed;
  return r;
}

CaseResult run_light_model(const fs::path& model_path, const fs::path& expected_path,
                           CaseTolerance tol) {
  onnx::ModelProto proto;
  try {
    proto = read_model(model_path);
  } catch (const Error& e) {
    return classify(e, "read");
  }
  FeatureMap feed;
  std::vector<std::string> inputs = runtime_inputs(proto);
  for (const auto& vi : proto.graph().input()) {
    if (std::find(inputs.begin(), inputs.end(), vi.name()) == inputs.end()) continue;
    std::vector<int64_t> shape;
    for (const auto& d : vi.type().tensor_type().shape().dim())
      shape.push_back(d.has_dim_value() ? d.dim_value() : 1);
    int64_t n = 1;
    for (int64_t d : shape) n *= d;
    std::vector<float> v(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) v[i] = static_cast<float>(double(i) / double(n));
    feed[vi.name()] = MultiArray::from_floats(shape, v);
  }
  Spec spec;
  try {
    spec = convert_onnx(model_path);
  } catch (const Error& e) {
    return classify(e, "convert");
  }
  CaseResult r;
  try {
    onnxc::Tensor want = read_tensor(expected_path);
    Model model = Model::from_spec(std::move(spec));
    FeatureMap out = model.predict(feed);
    r.message = compare_output(out, proto.graph().output(0).name(), want, tol);
  } catch (const Error& e) {
    r.message = std::string("run: ") + e.what();
    return r;
  }
  if (r.message.empty()) r.status = CaseStatus::kPassed;
  return r;
}

}  // namespace morel::test
