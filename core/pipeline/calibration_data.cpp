// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/pipeline/calibration_data.h"

#include "core/util/error.h"
#include "core/util/sha256.h"
#include "core/util/text_file.h"

#include <ATen/ATen.h>

#include <random>
#include <sstream>

namespace glvq::pipeline {

std::string CalibrationProtocol::describe() const
{
    std::ostringstream out;
    out << samples << " × " << ctx << " tokens of " << textName << " (sha256 " << textSha256.substr(0, 12)
        << "…), seed " << seed << ", " << mode << " Hessians";
    return out.str();
}

CalibrationData loadCalibrationData(const std::filesystem::path& text, const tok::Tokenizer& tokenizer,
                                    std::int64_t samples, std::int64_t ctx, std::uint64_t seed)
{
    if (samples < 1 || ctx < 2)
        throw Error("calibration needs at least 1 sample of at least 2 tokens (got " + std::to_string(samples) + " × "
                    + std::to_string(ctx) + ")");
    const auto contents = readTextFile(text);
    const auto ids = tokenizer.encode(contents);
    const auto available = static_cast<std::int64_t>(ids.size());
    if (available < ctx + 1)
        throw Error(text.string() + ": " + std::to_string(available) + " tokens, fewer than one calibration window of "
                    + std::to_string(ctx));

    CalibrationData data;
    data.protocol.textName = text.filename().string();
    data.protocol.textSha256 = sha256Hex(std::as_bytes(std::span(contents.data(), contents.size())));
    data.protocol.samples = samples;
    data.protocol.ctx = ctx;
    data.protocol.seed = seed;
    data.windows = at::empty({ samples, ctx }, at::kLong);
    auto* out = data.windows.data_ptr<std::int64_t>();
    // mt19937_64 with an explicit uniform mapping: std::uniform_int_distribution differs between standard
    // libraries, and the windows must not.
    std::mt19937_64 rng(seed);
    const auto starts = static_cast<std::uint64_t>(available - ctx + 1);
    for (std::int64_t s = 0; s < samples; ++s) {
        const auto start = static_cast<std::int64_t>(rng() % starts);
        for (std::int64_t t = 0; t < ctx; ++t)
            out[s * ctx + t] = ids[start + t];
    }
    return data;
}

} // namespace glvq::pipeline
