// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Learning rate at a step: linear warm-up from 0 to the peak over `warmup` steps, then a cosine decay to
// peak * minRatio at the last step.
#include <algorithm>
#include <cmath>
#include <cstdint>

namespace glvq::trainer {

inline double learningRate(std::int64_t step, std::int64_t totalSteps, std::int64_t warmup, double peak,
                           double minRatio)
{
    if (step < warmup)
        return peak * static_cast<double>(step + 1) / static_cast<double>(warmup);
    const double span = static_cast<double>(std::max<std::int64_t>(1, totalSteps - warmup));
    const double progress = std::clamp(static_cast<double>(step - warmup) / span, 0.0, 1.0);
    const double cosine = 0.5 * (1.0 + std::cos(M_PI * progress));
    return peak * (minRatio + (1.0 - minRatio) * cosine);
}

} // namespace glvq::trainer
