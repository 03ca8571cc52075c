// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Calibration statistics of the unquantized model (Hessians H = XᵀX/T and KL sample rows for every linear layer
// of the decoder blocks), computed once and reused by any number of runs with the same calibration protocol:
// the GUI re-running with other bits or methods, the quality benchmark's table. Holding them all costs
// Σ n² fp64 over the layers (70 MB for debian-llama-16m, tens of GB for a 7B model): large models use the
// pipeline's block-by-block calibration instead.
// Immutable once built; share as shared_ptr<const>.
#include "core/model/causal_lm.h"
#include "core/pipeline/calibration_data.h"
#include "core/pipeline/pipeline_options.h"
#include "core/tokenizer/tokenizer.h"
#include "core/util/cancel.h"
#include "core/util/progress.h"

#include <ATen/core/Tensor.h>

#include <map>
#include <memory>
#include <string>

namespace glvq::pipeline {

struct CalibrationStatistics {
    CalibrationProtocol protocol;
    std::map<std::string, at::Tensor> hessians; // [n, n] fp64, CPU
    std::map<std::string, at::Tensor> samples;  // [≤ klSampleRows, n] fp32, CPU

    // True when these statistics are what `options` would compute (same text, samples, ctx, seed, original mode).
    bool matches(const PipelineOptions& options) const;
};

std::shared_ptr<const CalibrationStatistics> collectCalibrationStatistics(model::CausalLM& model,
                                                                         const tok::Tokenizer& tokenizer,
                                                                         const PipelineOptions& options,
                                                                         const ProgressCallback& progress = {},
                                                                         const CancelToken& cancel = {});

} // namespace glvq::pipeline
