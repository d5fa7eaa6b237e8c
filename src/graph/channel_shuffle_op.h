// The op the channel-shuffle pass puts in place of reshape -> transpose ->
// reshape when those split the channel axis into groups, swap the two parts
// and merge them back (ShuffleNet's channel shuffle; see
// graph/passes/fuse_channel_shuffle.cpp).
#pragma once

#include <memory>
#include <vector>

#include "graph/op.h"

namespace morel::graph {

// `split` and `merge` are the two reshapes (is_reshape()); `perm` the
// transpose's permutation between them. For input shapes where the three are
// not a channel shuffle, the op computes what they compute, with the general
// transpose.
std::unique_ptr<Op> make_channel_shuffle(std::unique_ptr<Op> split, std::vector<int> perm,
                                         std::unique_ptr<Op> merge);

// True when `perm` swaps the two axes just before the last two and keeps the
// others: the transpose of a channel shuffle of a [..., C, H, W] tensor.
bool is_channel_shuffle_permutation(const std::vector<int>& perm);

}  // namespace morel::graph
