#include "morel/shape.h"

#include "morel/error.h"

namespace morel {

namespace {
void check_rank(int rank) {
  if (rank > kMaxRank)
    throw Error(ErrorCode::kUnsupported, "tensor rank " + std::to_string(rank) +
                                             " exceeds the supported maximum of " +
                                             std::to_string(kMaxRank));
}
}  // namespace

Shape::Shape(std::initializer_list<int64_t> dims) {
  check_rank(static_cast<int>(dims.size()));
  for (int64_t d : dims) dims_[rank_++] = d;
}

Shape::Shape(std::span<const int64_t> dims) {
  check_rank(static_cast<int>(dims.size()));
  for (int64_t d : dims) dims_[rank_++] = d;
}

int64_t Shape::count() const {
  return count(0, rank_);
}

int64_t Shape::count(int from, int to) const {
  int64_t n = 1;
  for (int i = from; i < to; ++i) n *= dims_[i];
  return n;
}

void Shape::push_back(int64_t d) {
  check_rank(rank_ + 1);
  dims_[rank_++] = d;
}

void Shape::insert(int pos, int64_t d) {
  check_rank(rank_ + 1);
  for (int i = rank_; i > pos; --i) dims_[i] = dims_[i - 1];
  dims_[pos] = d;
  ++rank_;
}

void Shape::erase(int pos) {
  for (int i = pos; i + 1 < rank_; ++i) dims_[i] = dims_[i + 1];
  --rank_;
  dims_[rank_] = 0;
}

void Shape::resize(int rank, int64_t fill) {
  check_rank(rank);
  for (int i = rank_; i < rank; ++i) dims_[i] = fill;
  for (int i = rank; i < rank_; ++i) dims_[i] = 0;
  rank_ = rank;
}

std::string Shape::str() const {
  if (rank_ == 0) return "scalar";
  std::string s;
  for (int i = 0; i < rank_; ++i) {
    if (i) s += 'x';
    s += std::to_string(dims_[i]);
  }
  return s;
}

bool operator==(const Shape& a, const Shape& b) {
  if (a.rank_ != b.rank_) return false;
  for (int i = 0; i < a.rank_; ++i)
    if (a.dims_[i] != b.dims_[i]) return false;
  return true;
}

std::array<int64_t, kMaxRank> strides_of(const Shape& shape) {
  std::array<int64_t, kMaxRank> s{};
  int64_t stride = 1;
  for (int i = shape.rank() - 1; i >= 0; --i) {
    s[i] = stride;
    stride *= shape[i];
  }
  return s;
}

}  // namespace morel
