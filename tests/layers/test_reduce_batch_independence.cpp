// The reduce family's ops in rank-5 networks: which ones read across the
// Batch axis (axis 1), so that batched prediction must not stack items
// along it; and the elementwise family's in-place claims.
#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "graph/layer_registry.h"

namespace morel::test {
namespace {

std::unique_ptr<graph::Op> lower(const std::string& json, bool rank5) {
  spec::NeuralNetworkLayer layer;
  auto status = google::protobuf::util::JsonStringToMessage(json, &layer);
  EXPECT_TRUE(status.ok()) << json;
  graph::LowerContext ctx;
  ctx.rank5 = rank5;
  ctx.spec_version = 4;
  graph::LayerLowering f = graph::builtin_layers().find(layer.layer_case());
  EXPECT_NE(f, nullptr);
  return f(layer, ctx);
}

bool batch_independent(const std::string& json, bool rank5 = true) {
  return lower(json, rank5)->batch_independent();
}

TEST(ReduceBatchIndependence, NdReduceOverBatchAxisReadsAcrossItems) {
  EXPECT_FALSE(batch_independent(R"({"input":["x"],"reduceSum":{"axes":[1],"keepDims":true}})"));
  EXPECT_FALSE(batch_independent(R"({"input":["x"],"reduceMax":{"axes":[-4],"keepDims":true}})"));
  EXPECT_FALSE(
      batch_independent(R"({"input":["x"],"reduceMean":{"reduceAll":true,"keepDims":true}})"));
  EXPECT_TRUE(batch_independent(R"({"input":["x"],"reduceSum":{"axes":[2,3,4],"keepDims":true}})"));
  EXPECT_TRUE(batch_independent(R"({"input":["x"],"reduceL2":{"axes":[0],"keepDims":true}})"));
  // N-d networks do not stack items along axis 1.
  EXPECT_TRUE(batch_independent(R"({"input":["x"],"reduceSum":{"axes":[1]}})", false));
}

TEST(ReduceBatchIndependence, ArgAndCumSum) {
  EXPECT_FALSE(batch_independent(R"({"input":["x"],"argMax":{"axis":1}})"));
  EXPECT_TRUE(batch_independent(R"({"input":["x"],"argMin":{"axis":-3}})"));
  EXPECT_FALSE(batch_independent(R"({"input":["x"],"cumSum":{"axis":-4}})"));
  EXPECT_TRUE(batch_independent(R"({"input":["x"],"cumSum":{"axis":0}})"));
  // The axis comes from an input: it may be the Batch axis.
  EXPECT_FALSE(batch_independent(R"({"input":["x","a"],"cumSum":{"axis":0}})"));
}

TEST(ReduceBatchIndependence, LegacyReduceNeverReadsAcrossItems) {
  for (const char* axis : {"CHW", "HW", "C", "H", "W"})
    EXPECT_TRUE(
        batch_independent(std::string(R"({"input":["x"],"reduce":{"axis":")") + axis + R"("}})"));
}

TEST(ElementwiseInPlace, OnlyShapePreservingMapsClaimIt) {
  EXPECT_TRUE(lower(R"({"input":["x"],"add":{"alpha":1}})", true)->in_place());
  EXPECT_FALSE(lower(R"({"input":["x","y"],"add":{}})", true)->in_place());
  EXPECT_TRUE(lower(R"({"input":["x"],"greaterThan":{"alpha":1}})", false)->in_place());
  EXPECT_FALSE(lower(R"({"input":["x","y"],"greaterThan":{}})", false)->in_place());
  EXPECT_TRUE(lower(R"({"input":["x"],"logicalNot":{}})", false)->in_place());
  EXPECT_TRUE(
      lower(R"({"input":["x"],"bias":{"shape":[1],"bias":{"floatValue":[1]}}})", true)->in_place());
  EXPECT_FALSE(lower(R"({"input":["c","x","y"],"whereBroadcastable":{}})", false)->in_place());
}

}  // namespace
}  // namespace morel::test
