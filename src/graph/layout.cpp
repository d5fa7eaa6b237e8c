#include "graph/layout.h"

namespace morel::graph {

Shape channels_last_shape(const Shape& logical) {
  Shape s = logical;
  while (s.rank() < 3) s.insert(0, 1);
  const int r = s.rank();
  const int64_t c = s[r - 3];
  s[r - 3] = s[r - 2];
  s[r - 2] = s[r - 1];
  s[r - 1] = c;
  return s;
}

int channels_last_axis(int axis, int rank) {
  if (axis == rank - 3) return rank - 1;
  if (axis == rank - 2) return rank - 3;
  if (axis == rank - 1) return rank - 2;
  return axis;
}

bool layouts_agree(const Shape& logical) {
  if (logical.rank() < 3) return true;
  return logical.dim(-3) == 1 || (logical.dim(-2) == 1 && logical.dim(-1) == 1);
}

ChannelPlanes channel_planes(const Shape& logical) {
  ChannelPlanes v;
  if (logical.rank() < 3) {
    v.spatial = logical.count();
    return v;
  }
  const int r = logical.rank();
  v.outer = logical.count(0, r - 3);
  v.channels = logical[r - 3];
  v.spatial = logical[r - 2] * logical[r - 1];
  return v;
}

}  // namespace morel::graph
