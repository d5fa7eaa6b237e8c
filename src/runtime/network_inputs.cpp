#include "runtime/network_inputs.h"

#include <algorithm>

#include "morel/error.h"

namespace morel::runtime {

namespace {

std::string join(const std::vector<int64_t>& dims) {
  return Shape(std::span<const int64_t>(dims)).str();
}

std::vector<int64_t> dims_of(const google::protobuf::RepeatedField<int64_t>& d) {
  return {d.begin(), d.end()};
}

bool in_range(int64_t v, const spec::SizeRange& r) {
  return v >= static_cast<int64_t>(r.lowerbound()) && (r.upperbound() < 0 || v <= r.upperbound());
}

}  // namespace

InputBinding::InputBinding(const spec::FeatureDescription& feature, const NetworkView& network,
                           bool rank5_arrays, bool rank5_images)
    : name_(feature.name()),
      type_(feature.type()),
      rank5_arrays_(rank5_arrays),
      rank5_images_(rank5_images) {
  if (!type_.has_multiarraytype() && !type_.has_imagetype())
    throw Error(ErrorCode::kUnsupported,
                "input '" + name_ + "' is " + describe_feature_type(type_) +
                    "; a neural network's inputs must be multi-arrays or images");
  for (const auto& p : *network.preprocessing) {
    if (p.featurename() != name_ &&
        !(p.featurename().empty() && network.preprocessing->size() == 1))
      continue;
    if (!type_.has_imagetype())
      throw Error(ErrorCode::kInvalidModel,
                  "preprocessing for input '" + name_ + "', which is not an image");
    if (p.has_scaler()) {
      const auto& s = p.scaler();
      Step sc;
      sc.scale = s.channelscale();
      switch (type_.imagetype().colorspace()) {
        case spec::ImageFeatureType::BGR:
          sc.bias[0] = s.bluebias(), sc.bias[1] = s.greenbias(), sc.bias[2] = s.redbias();
          break;
        case spec::ImageFeatureType::RGB:
          sc.bias[0] = s.redbias(), sc.bias[1] = s.greenbias(), sc.bias[2] = s.bluebias();
          break;
        default: sc.bias[0] = s.graybias(); break;
      }
      steps_.push_back(sc);
    } else if (p.has_meanimage()) {
      const auto& im = type_.imagetype();
      int64_t channels = im.colorspace() == spec::ImageFeatureType::RGB ||
                                 im.colorspace() == spec::ImageFeatureType::BGR
                             ? 3
                             : 1;
      int64_t want = channels * im.width() * im.height();
      const auto& m = p.meanimage().meanimage();
      if (m.size() != want)
        throw Error(ErrorCode::kInvalidModel,
                    "mean image for input '" + name_ + "' has " + std::to_string(m.size()) +
                        " values; the image needs " + std::to_string(want));
      Step step;
      step.mean.assign(m.begin(), m.end());
      steps_.push_back(std::move(step));
      has_mean_ = true;
    }
  }
}

void InputBinding::fail(const std::string& what) const {
  throw Error(ErrorCode::kInvalidInput, "input '" + name_ + "': " + what);
}

Shape InputBinding::tensor_shape(const FeatureValue& value) const {
  if (type_.has_multiarraytype()) {
    const MultiArray* a = std::get_if<MultiArray>(&value);
    if (!a)
      fail("expected a multiArray (" + describe_feature_type(type_) + "), got " +
           std::string(feature_kind_name(value)));
    return array_shape(*a);
  }
  const Image* im = std::get_if<Image>(&value);
  if (!im)
    fail("expected an image (" + describe_feature_type(type_) + "), got " +
         std::string(feature_kind_name(value)));
  return image_shape(*im);
}

Shape InputBinding::array_shape(const MultiArray& a) const {
  const spec::ArrayFeatureType& t = type_.multiarraytype();
  if (t.datatype() == spec::ArrayFeatureType::INT32 && a.dtype() != DType::kInt32)
    fail("expected int32 elements, got " + std::string(dtype_name(a.dtype())));
  if (t.datatype() != spec::ArrayFeatureType::INT32 && a.dtype() == DType::kInt32 &&
      t.datatype() != spec::ArrayFeatureType::INVALID_ARRAY_DATA_TYPE)
    fail("expected " + array_dtype_name(t.datatype()) + " elements, got int32");

  // The part of the given shape that the declaration describes; in rank-5
  // networks a [Seq, Batch, ...] prefix may be given as well.
  std::vector<int64_t> given = a.shape();
  const std::vector<int64_t> declared = dims_of(t.shape());
  int64_t seq = 1, batch = 1;
  std::vector<int64_t> core = given;
  if (rank5_arrays_) {
    size_t want = declared.empty() ? (given.size() == 1 ? 1 : 3) : declared.size();
    if (want != 1 && want != 3)
      fail("a rank-5 (legacy) network declares shape " + join(declared) +
           "; it must have 1 or 3 dimensions");
    if (given.size() == 5) {
      seq = given[0], batch = given[1];
      core.assign(given.begin() + 2, given.end());
      if (want == 1) {
        if (core[1] != 1 || core[2] != 1)
          fail("shape " + join(given) + " does not end in [C, 1, 1] for declared shape " +
               join(declared));
        core.resize(1);
      }
    } else if (given.size() != want) {
      fail("shape " + join(given) + " has rank " + std::to_string(given.size()) +
           "; the model takes " + describe_feature_type(type_) +
           " (or [Seq, Batch, C, H, W] with that C, H, W)");
    }
  }

  auto equal_dims = [](const std::vector<int64_t>& x, const std::vector<int64_t>& y) {
    return x == y;
  };
  if (t.has_enumeratedshapes()) {
    bool ok = equal_dims(core, declared);
    std::string list;
    for (const auto& s : t.enumeratedshapes().shapes()) {
      std::vector<int64_t> d = dims_of(s.shape());
      ok = ok || equal_dims(core, d);
      list += (list.empty() ? "" : ", ") + join(d);
    }
    if (!ok) fail("shape " + join(core) + " is not one of the model's shapes " + list);
  } else if (t.has_shaperange()) {
    const auto& ranges = t.shaperange().sizeranges();
    bool ok = static_cast<int>(core.size()) == ranges.size();
    for (int i = 0; ok && i < ranges.size(); ++i) ok = in_range(core[i], ranges[i]);
    if (!ok) {
      std::string text;
      for (int i = 0; i < ranges.size(); ++i)
        text += (i ? "x" : "") + describe_size_range(ranges[i]);
      fail("shape " + join(core) + " is outside the model's shape range " + text);
    }
  } else if (!declared.empty() && !equal_dims(core, declared)) {
    fail("shape " + join(core) + " does not match the model's shape " + join(declared));
  }

  if (!rank5_arrays_) return Shape(std::span<const int64_t>(core));
  if (core.size() == 1) return Shape{seq, batch, core[0], 1, 1};
  return Shape{seq, batch, core[0], core[1], core[2]};
}

Shape InputBinding::image_shape(const Image& im) const {
  const spec::ImageFeatureType& t = type_.imagetype();
  const int64_t w = im.width, h = im.height;
  bool ok = w == t.width() && h == t.height();
  std::string allowed = std::to_string(t.width()) + "x" + std::to_string(t.height());
  if (t.has_enumeratedsizes()) {
    for (const auto& s : t.enumeratedsizes().sizes()) {
      ok = ok || (static_cast<uint64_t>(w) == s.width() && static_cast<uint64_t>(h) == s.height());
      allowed += ", " + std::to_string(s.width()) + "x" + std::to_string(s.height());
    }
  } else if (t.has_imagesizerange()) {
    ok = in_range(w, t.imagesizerange().widthrange()) &&
         in_range(h, t.imagesizerange().heightrange());
    allowed = describe_size_range(t.imagesizerange().widthrange()) + "x" +
              describe_size_range(t.imagesizerange().heightrange());
  }
  if (!ok)
    fail("image is " + std::to_string(w) + "x" + std::to_string(h) + "; the model takes " +
         allowed + " (resize it first, e.g. with morel predict's --image-scale)");
  if (im.pixels.size() != static_cast<size_t>(w * h * im.channels()))
    fail("image buffer holds " + std::to_string(im.pixels.size()) + " bytes; " + std::to_string(w) +
         "x" + std::to_string(h) + " " + std::string(pixel_format_name(im.format)) + " needs " +
         std::to_string(w * h * im.channels()));
  if (has_mean_ && (w != t.width() || h != t.height()))
    fail("a mean image is defined only for the model's default size " + std::to_string(t.width()) +
         "x" + std::to_string(t.height()));
  bool gray = t.colorspace() == spec::ImageFeatureType::GRAYSCALE ||
              t.colorspace() == spec::ImageFeatureType::GRAYSCALE_FLOAT16;
  int64_t c = gray ? 1 : 3;
  return rank5_images_ ? Shape{1, 1, c, h, w} : Shape{1, c, h, w};
}

void InputBinding::write(const FeatureValue& value, float* dst) const {
  if (const MultiArray* a = std::get_if<MultiArray>(&value)) {
    if (a->dtype() == DType::kFloat32) {
      std::copy_n(a->data<float>(), a->count(), dst);
    } else {
      for (int64_t i = 0; i < a->count(); ++i) dst[i] = a->get_float(i);
    }
    return;
  }
  const Image& im = std::get<Image>(value);
  const spec::ImageFeatureType& t = type_.imagetype();
  const bool gray = t.colorspace() == spec::ImageFeatureType::GRAYSCALE ||
                    t.colorspace() == spec::ImageFeatureType::GRAYSCALE_FLOAT16;
  const bool bgr_model = t.colorspace() == spec::ImageFeatureType::BGR;
  const bool bgr_image = im.format == PixelFormat::kBGR8 || im.format == PixelFormat::kBGRA8;
  const int64_t plane = int64_t(im.width) * im.height;
  const int ch = im.channels();
  for (int64_t p = 0; p < plane; ++p) {
    const uint8_t* px = im.pixels.data() + p * ch;
    float r, g, b;
    if (ch == 1) {
      r = g = b = px[0];
    } else {
      r = bgr_image ? px[2] : px[0];
      g = px[1];
      b = bgr_image ? px[0] : px[2];
    }
    if (gray) {
      // ITU-R BT.601 luma, the usual weighting for 8-bit RGB to gray.
      dst[p] = ch == 1 ? r : 0.299f * r + 0.587f * g + 0.114f * b;
    } else {
      dst[p] = bgr_model ? b : r;
      dst[plane + p] = g;
      dst[2 * plane + p] = bgr_model ? r : b;
    }
  }
  const int64_t channels = gray ? 1 : 3;
  for (const Step& s : steps_) {
    if (!s.mean.empty()) {
      for (int64_t i = 0; i < channels * plane; ++i) dst[i] -= s.mean[i];
      continue;
    }
    for (int64_t c = 0; c < channels; ++c)
      for (int64_t p = 0; p < plane; ++p)
        dst[c * plane + p] = s.scale * dst[c * plane + p] + s.bias[c];
  }
}

}  // namespace morel::runtime
