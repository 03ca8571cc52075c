// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Calibration windows: `samples` windows of `ctx` tokens cut from a tokenized text at seeded random offsets.
// The same text, samples, ctx and seed always give the same windows; the protocol records all four.
#include "core/tokenizer/tokenizer.h"

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <filesystem>
#include <string>

namespace glvq::pipeline {

struct CalibrationProtocol {
    std::string textName;
    std::string textSha256;
    std::int64_t samples = 0;
    std::int64_t ctx = 0;
    std::uint64_t seed = 0;
    std::string mode; // "original" (Hessians of the unquantized model) or "sequential"

    std::string describe() const;
};

struct CalibrationData {
    CalibrationProtocol protocol;
    at::Tensor windows; // [samples, ctx] int64 token ids
};

// Throws glvq::Error naming the file when it cannot be read or holds fewer than ctx + 1 tokens.
CalibrationData loadCalibrationData(const std::filesystem::path& text, const tok::Tokenizer& tokenizer,
                                    std::int64_t samples, std::int64_t ctx, std::uint64_t seed);

} // namespace glvq::pipeline
