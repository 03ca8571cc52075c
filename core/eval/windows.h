// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Cutting a token stream into evaluation windows: n = floor(len / ctx) non-overlapping windows of ctx tokens
// from the start, the remainder dropped (the fixtures' protocol).
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <span>

namespace glvq::eval {

struct WindowPlan {
    std::int64_t ctx = 0;
    std::int64_t windows = 0;      // after any maxWindows limit
    std::int64_t batchWindows = 1; // windows per forward pass
};

// Throws glvq::Error when ctx < 2 or the text is shorter than one window.
WindowPlan planWindows(std::int64_t tokenCount, std::int64_t ctx, std::int64_t maxWindows, std::int64_t vocabSize,
                       std::int64_t batchWindows);

// Windows [first, first + count) as an int64 [count, ctx] tensor.
at::Tensor windowBatch(std::span<const std::int32_t> ids, const WindowPlan& plan, std::int64_t first,
                       std::int64_t count);

} // namespace glvq::eval
