// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The definitions behind studio_engine.h's opaque handles (torch inside: include only from core/inspect .cpp).
#include "core/inspect/studio_engine.h"
#include "core/model/causal_lm.h"
#include "core/pipeline/export_model.h"
#include "core/pipeline/quantization_pipeline.h"
#include "core/tokenizer/tokenizer.h"

#include <ATen/core/Tensor.h>

#include <map>
#include <optional>

namespace glvq::inspect {

class ModelSession {
public:
    std::filesystem::path directory;
    std::filesystem::path tokenizerPath;
    std::unique_ptr<model::CausalLM> model;
    std::optional<tok::Tokenizer> tokenizer;
    std::map<std::string, at::Tensor, std::less<>> originalWeights; // [rows, cols] fp32 CPU, read-only
};

class QuantizedLayer {
public:
    LayerSummary summary;
    std::shared_ptr<const quant::LayerCodes> codes;
    std::shared_ptr<const quant::LayerResult> result; // null for a layer read from a file
    at::Tensor decoded;                               // Ŵ [rows, cols] fp32 CPU
};

class QuantizedModel {
public:
    std::optional<pipeline::PipelineResult> pipelineResult; // a fresh run
    std::optional<pipeline::ExportedModel> imported;        // an .h5 file
    std::filesystem::path sourceDirectory;                  // the checkpoint (fresh run)
    std::vector<LayerOutcome> layers;
};

// Empties this thread's HDF5 error stack. Call after a failed HDF5 operation on a worker thread: a thread that exits
// with records on its stack keeps libhdf5 (a thread-safe build) from shutting down cleanly at process exit.
void clearHdf5ErrorStack();

LayerSummary summarizeCodes(const std::string& name, const quant::LayerCodes& codes); // per-group stats from codes

} // namespace glvq::inspect
