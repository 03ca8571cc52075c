// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The whole-model pipeline: calibrate -> allocate bits -> quantize every linear layer of the decoder blocks
// (embeddings and lm_head stay as they are), block by block, so memory stays bounded by one block's
// activations. run() borrows the model: it sets an input-capture hook and, in sequential mode, swaps in the
// current block's quantized layers to compute the next block's inputs, and always restores both (also on
// cancel or error). applyToModel() swaps the results in afterwards, so a cancelled run leaves the model
// exactly as it was.
//
// Progress: stages "tokenize", "calibrate", "quantize" with fraction of the whole run, layer and ETA.
// Cancellation: polled between layers and (inside the quantizers) between groups; throws glvq::Cancelled.
#include "core/model/causal_lm.h"
#include "core/pipeline/calibration_data.h"
#include "core/pipeline/pipeline_options.h"
#include "core/quant/layer_quantizer.h"
#include "core/tokenizer/tokenizer.h"
#include "core/util/cancel.h"
#include "core/util/progress.h"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace glvq::pipeline {

// One layer's outcome, with how its bits were chosen (for the GUI's bit and salience maps).
struct LayerReport {
    std::shared_ptr<const quant::LayerResult> result;
    std::vector<int> groupBits;
    std::vector<double> salience;   // per group; empty when the allocator did not need it
    std::vector<double> objectiveByP; // the allocator's objective (output KL or proxy loss) for each split p
    std::int64_t splitP = 0;
};

struct PipelineResult {
    PipelineOptions options;
    CalibrationProtocol calibration;
    std::vector<LayerReport> layers; // in forward order
    double bitsPerWeight = 0.0;      // over the quantized layers, side information included
    double codeBitsPerWeight = 0.0;  // the codes' mean bit width alone
    double seconds = 0.0;
};

// Called on the pipeline's thread as each layer finishes (the CLI prints it; the GUI shows it at once).
using LayerCallback = std::function<void(const LayerReport&)>;

struct CalibrationStatistics;

// True when a run with these options calibrates (a Hessian-based method, or salience allocation).
bool needsCalibration(const PipelineOptions& options);

// `precomputed`: statistics from collectCalibrationStatistics() to reuse instead of calibrating again
// (original mode only; they must match the options' calibration protocol).
PipelineResult runPipeline(model::CausalLM& model, const tok::Tokenizer& tokenizer,
                           const PipelineOptions& options, const ProgressCallback& progress = {},
                           const CancelToken& cancel = {}, const LayerCallback& onLayerDone = {},
                           std::shared_ptr<const CalibrationStatistics> precomputed = {});

// Replaces each quantized layer of `model` by its QuantizedLinear. Returns the layers it replaced, in order,
// so a caller can restore the original model.
std::vector<std::shared_ptr<const model::LinearOp>> applyToModel(model::CausalLM& model, const PipelineResult& result);

} // namespace glvq::pipeline
