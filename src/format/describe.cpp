// Feature types in words, for inspect output and error messages.
#include "morel/spec.h"

namespace morel {

namespace {

std::string join_shape(const google::protobuf::RepeatedField<int64_t>& dims) {
  std::string s;
  for (int i = 0; i < dims.size(); ++i) s += (i ? "x" : "") + std::to_string(dims[i]);
  return s.empty() ? "(no shape)" : s;
}

}  // namespace

std::string describe_size_range(const spec::SizeRange& r) {
  if (r.upperbound() >= 0 && static_cast<uint64_t>(r.upperbound()) == r.lowerbound())
    return std::to_string(r.lowerbound());
  return "[" + std::to_string(r.lowerbound()) + ".." +
         (r.upperbound() < 0 ? std::string() : std::to_string(r.upperbound())) + "]";
}

std::string array_dtype_name(spec::ArrayFeatureType::ArrayDataType dtype) {
  switch (dtype) {
    case spec::ArrayFeatureType::FLOAT32: return "float32";
    case spec::ArrayFeatureType::DOUBLE: return "float64";
    case spec::ArrayFeatureType::INT32: return "int32";
    case spec::ArrayFeatureType::FLOAT16: return "float16";
    case spec::ArrayFeatureType::INT8: return "int8";
    default: return "unspecified";
  }
}

std::string color_space_name(spec::ImageFeatureType::ColorSpace color) {
  switch (color) {
    case spec::ImageFeatureType::RGB: return "RGB";
    case spec::ImageFeatureType::BGR: return "BGR";
    case spec::ImageFeatureType::GRAYSCALE: return "gray";
    case spec::ImageFeatureType::GRAYSCALE_FLOAT16: return "gray float16";
    default: return "unspecified";
  }
}

std::string describe_feature_type(const spec::FeatureType& type) {
  std::string s;
  switch (type.Type_case()) {
    case spec::FeatureType::kInt64Type: s = "int64"; break;
    case spec::FeatureType::kDoubleType: s = "double"; break;
    case spec::FeatureType::kStringType: s = "string"; break;
    case spec::FeatureType::kImageType: {
      const auto& im = type.imagetype();
      s = "image " + color_space_name(im.colorspace()) + " " + std::to_string(im.width()) + "x" +
          std::to_string(im.height());
      if (im.has_enumeratedsizes()) {
        s += " (sizes";
        for (const auto& size : im.enumeratedsizes().sizes())
          s += " " + std::to_string(size.width()) + "x" + std::to_string(size.height());
        s += ")";
      } else if (im.has_imagesizerange()) {
        s += " (sizes " + describe_size_range(im.imagesizerange().widthrange()) + "x" +
             describe_size_range(im.imagesizerange().heightrange()) + ")";
      }
      break;
    }
    case spec::FeatureType::kMultiArrayType: {
      const auto& a = type.multiarraytype();
      s = "multiArray " + array_dtype_name(a.datatype()) + " " + join_shape(a.shape());
      if (a.has_enumeratedshapes()) {
        s += " (shapes";
        for (const auto& shape : a.enumeratedshapes().shapes())
          s += " " + join_shape(shape.shape());
        s += ")";
      } else if (a.has_shaperange()) {
        s += " (shapes ";
        const auto& ranges = a.shaperange().sizeranges();
        for (int i = 0; i < ranges.size(); ++i)
          s += (i ? "x" : "") + describe_size_range(ranges[i]);
        s += ")";
      }
      break;
    }
    case spec::FeatureType::kDictionaryType:
      s = type.dictionarytype().has_int64keytype() ? "dictionary int64 -> double"
                                                   : "dictionary string -> double";
      break;
    case spec::FeatureType::kSequenceType:
      s = type.sequencetype().has_int64type() ? "sequence of int64" : "sequence of string";
      break;
    case spec::FeatureType::kStateType: s = "state"; break;
    case spec::FeatureType::TYPE_NOT_SET: s = "untyped"; break;
  }
  if (type.isoptional()) s += ", optional";
  return s;
}

}  // namespace morel
