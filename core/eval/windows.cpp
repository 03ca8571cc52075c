// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/eval/windows.h"

#include "core/util/error.h"

#include <ATen/ATen.h>

#include <algorithm>

namespace glvq::eval {

namespace {
// Logits of one batch ([batch, ctx, vocab] fp32) are kept under this many bytes.
constexpr std::int64_t kLogitBudgetBytes = 64ll << 20; // larger batches only add page-fault time on CPU
constexpr std::int64_t kMaxAutoBatch = 16;
} // namespace

WindowPlan planWindows(std::int64_t tokenCount, std::int64_t ctx, std::int64_t maxWindows, std::int64_t vocabSize,
                       std::int64_t batchWindows)
{
    if (ctx < 2)
        throw Error("--ctx must be at least 2, got " + std::to_string(ctx));
    WindowPlan plan;
    plan.ctx = ctx;
    plan.windows = tokenCount / ctx;
    if (plan.windows == 0)
        throw Error("the text has " + std::to_string(tokenCount) + " tokens, fewer than one window of ctx "
                    + std::to_string(ctx));
    if (maxWindows > 0)
        plan.windows = std::min(plan.windows, maxWindows);
    if (batchWindows <= 0)
        batchWindows = std::clamp<std::int64_t>(kLogitBudgetBytes / (ctx * vocabSize * 4), 1, kMaxAutoBatch);
    plan.batchWindows = std::min(batchWindows, plan.windows);
    return plan;
}

at::Tensor windowBatch(std::span<const std::int32_t> ids, const WindowPlan& plan, std::int64_t first,
                       std::int64_t count)
{
    const auto offset = static_cast<std::size_t>(first * plan.ctx);
    auto batch = at::empty({ count, plan.ctx }, at::kInt);
    std::copy_n(ids.begin() + offset, count * plan.ctx, batch.data_ptr<std::int32_t>());
    return batch.to(at::kLong);
}

} // namespace glvq::eval
