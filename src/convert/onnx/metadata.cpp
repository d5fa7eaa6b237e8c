// Model metadata: what the user gave, plus where the model came from.
#include <onnx/onnx_pb.h>
#include <algorithm>

#include "convert/onnx/features.h"
#include "morel/error.h"

namespace morel::onnxc {

void set_metadata(Spec& spec, const OnnxConvertOptions& options, const onnx::ModelProto& model) {
  auto* desc = spec.mutable_description();
  auto* meta = desc->mutable_metadata();
  meta->set_author(options.author);
  meta->set_license(options.license);
  meta->set_shortdescription(options.description.empty() ? model.doc_string()
                                                         : options.description);
  meta->set_versionstring(options.version.empty() && model.model_version() != 0
                              ? std::to_string(model.model_version())
                              : options.version);
  auto& user = *meta->mutable_userdefined();
  user["morel.converted_from"] = "onnx";
  if (!model.producer_name().empty())
    user["onnx.producer"] =
        model.producer_name() +
        (model.producer_version().empty() ? "" : " " + model.producer_version());
  for (const auto& o : model.opset_import())
    user["onnx.opset" + (o.domain().empty() ? std::string() : "." + o.domain())] =
        std::to_string(o.version());

  auto describe = [](auto& features, const std::map<std::string, std::string>& texts,
                     const char* what) {
    for (const auto& [name, text] : texts) {
      bool found = false;
      for (auto& f : features)
        if (f.name() == name) f.set_shortdescription(text), found = true;
      if (!found)
        throw Error(ErrorCode::kInvalidArgument, std::string("cannot describe ") + what + " '" +
                                                     name + "': the model has no " + what +
                                                     " of that name");
    }
  };
  describe(*desc->mutable_input(), options.input_descriptions, "input");
  describe(*desc->mutable_output(), options.output_descriptions, "output");
}

}  // namespace morel::onnxc
