// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The desktop application's entry points into the engine, with torch kept out of this header: open a checkpoint
// or an exported .h5, quantize, evaluate, export. Each call is long work for a worker thread (never the GUI
// thread); all report progress and poll the cancel token like the pipeline does, and throw glvq::Error (one
// line naming the file, tensor or field) or glvq::Cancelled.
//
// Ownership and thread-safety:
// - ModelSession (a loaded checkpoint) is used by one quantize/evaluate job at a time; its original weights are
//   read-only after loading, so groupDetail() may read them from another thread meanwhile.
// - QuantizedModel and QuantizedLayer are immutable once made and may be shared freely between threads.
#include "core/inspect/studio_types.h"
#include "core/pipeline/pipeline_options.h"
#include "core/util/cancel.h"
#include "core/util/progress.h"

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace glvq::inspect {

class ModelSession;
class QuantizedModel;
class QuantizedLayer;

struct LayerOutcome {
    LayerSummary summary;
    std::shared_ptr<const QuantizedLayer> layer;
};

struct OpenResult {
    ModelSummary summary;
    std::shared_ptr<ModelSession> session;           // a checkpoint directory; null for an .h5
    std::shared_ptr<const QuantizedModel> quantized; // an .h5; null for a checkpoint
    std::vector<LayerOutcome> layers;                // the .h5's layers
    std::vector<EvalSummary> evaluations;            // results stored in the .h5, if any
};

// `path`: a checkpoint directory (config.json, *.safetensors, tokenizer.json) or an exported .h5 file.
// `device`: "cpu" or "cuda" (an Error saying why when CUDA is not usable).
OpenResult openModel(const std::filesystem::path& path, const std::string& device, const ProgressCallback& progress,
                     const CancelToken& cancel);

// Runs the whole pipeline on the session's model (borrowed; restored afterwards, also on cancel). `onLayer` is
// called on the calling thread as each layer finishes.
std::shared_ptr<const QuantizedModel> quantizeModel(ModelSession& session, const pipeline::PipelineOptions& options,
                                                    const ProgressCallback& progress, const CancelToken& cancel,
                                                    const std::function<void(const LayerOutcome&)>& onLayer);

std::vector<LayerOutcome> layersOf(const QuantizedModel& model);
pipeline::PipelineOptions optionsOf(const QuantizedModel& model); // defaults filled in for an imported file
double bitsPerWeightOf(const QuantizedModel& model);               // side information included
std::string protocolOf(const QuantizedModel& model); // method, bits, d, group, calibration text/samples/ctx/seed

// Original vs quantized perplexity and KL on `textPath` in non-overlapping windows of `ctx` tokens (0 windows:
// all). Loads a second copy of the checkpoint for the quantized model; the session's model stays original.
EvalSummary evaluateQuantized(const ModelSession& session, const QuantizedModel& model,
                              const std::filesystem::path& textPath, std::int64_t ctx, std::int64_t maxWindows,
                              const ProgressCallback& progress, const CancelToken& cancel);

// Writes docs/FORMAT.md's HDF5 (temporary file, renamed into place; never replaces a file unless `force`).
// `evaluation` (may be null) is stored under /results. Needs the source checkpoint for the unquantized tensors:
// `session` for a fresh run, none for a re-export of an imported file.
// Progress: stage "export" by bytes written (nothing while the checkpoint's tensors are gathered first).
ExportSummary exportHdf5(const QuantizedModel& model, const ModelSession* session, const EvalSummary* evaluation,
                         const std::filesystem::path& path, bool force, const CancelToken& cancel,
                         const ProgressCallback& progress = {});

// A Hugging Face directory with every weight decoded to `dtype` ("F32", "F16", "BF16"); refuses an existing
// non-empty directory unless `force`.
void exportDequantized(const QuantizedModel& model, const ModelSession* session, const std::filesystem::path& dir,
                       const std::string& dtype, bool force, const CancelToken& cancel,
                       const ProgressCallback& progress = {});

std::filesystem::path modelDirectoryOf(const ModelSession& session);
bool cudaAvailable(); // this LibTorch has a usable CUDA device

} // namespace glvq::inspect
