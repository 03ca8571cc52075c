// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/pipeline/pipeline_options.h"

#include "core/util/error.h"

#include <algorithm>
#include <cmath>

namespace glvq::pipeline {

std::vector<std::string> supportedMethods() { return { "glvq", "rtn", "gptq", "e8" }; }

std::vector<std::string> methodVariants()
{
    return { "default", "no-companding", "no-row-scale", "no-feedback", "no-learning", "shared-lattice", "paper",
             "no-subvector-feedback" };
}

namespace {

std::string joined(const std::vector<std::string>& items)
{
    std::string text;
    for (const auto& item : items)
        text += (text.empty() ? "" : ", ") + item;
    return text;
}

} // namespace

void PipelineOptions::validate() const
{
    const auto methods = supportedMethods();
    if (std::find(methods.begin(), methods.end(), method) == methods.end())
        throw Error("--method '" + method + "' is not supported (supported: " + joined(methods) + ")");
    const auto variants = methodVariants();
    if (std::find(variants.begin(), variants.end(), variant) == variants.end())
        throw Error("--variant '" + variant + "' is not supported (supported: " + joined(variants) + ")");
    if (!(bits >= 1.0 && bits <= 4.0))
        throw Error("--bits must be in [1, 4], got " + std::to_string(bits));
    if (method == "glvq") {
        if (dim != 2 && dim != 4 && dim != 8 && dim != 16 && dim != 32)
            throw Error("--dim must be one of 2, 4, 8, 16, 32, got " + std::to_string(dim));
        if (groupSize % dim != 0)
            throw Error("--dim " + std::to_string(dim) + " does not divide the group size " + std::to_string(groupSize));
    }
    if (groupSize < 8 || groupSize > 65536)
        throw Error("--group must be in [8, 65536], got " + std::to_string(groupSize));
    if (samples < 1 || ctx < 2)
        throw Error("calibration needs --samples ≥ 1 and --ctx ≥ 2");
    if (rowScaleMantissaBits < 0 || rowScaleMantissaBits > 10)
        throw Error("--row-scale-bits must be in [0, 10] (fp16 mantissa bits), got " + std::to_string(rowScaleMantissaBits));
    if (calibrationText.empty() && method != "rtn")
        throw Error("--calib FILE is required for method '" + method + "' (it needs calibration Hessians)");
    for (const auto& [name, groupBits] : explicitBits)
        for (int b : groupBits)
            if (b < 1 || b > 4)
                throw Error("bit map for '" + name + "': " + std::to_string(b) + " bits is outside 1..4");
}

} // namespace glvq::pipeline
