// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Deployment export/import of a quantized model in the HDF5 format of docs/FORMAT.md (version 1).
// ExportedModel is the format's content as values: what export writes and import returns, so that
// `glvq export` can re-export a file and `glvq dequantize` needs nothing but the file.
//
// Writing goes to a temporary file beside the target, renamed into place at the end; the target is never
// overwritten unless `force`; a cancel or failure removes the temporary file. The input checkpoint is only read.
// Memory: every unquantized tensor is held in memory (bytes as stored) while exporting or importing.
// Thread-safety: one export/import at a time per process (libhdf5 is built without thread-safety).
#include "core/io/hdf5/h5_file.h"
#include "core/pipeline/quantization_pipeline.h"
#include "core/util/cancel.h"
#include "core/util/progress.h"

#include <limits>
#include <nlohmann/json.hpp>

#include <cstddef>
#include <filesystem>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace glvq::pipeline {

inline constexpr const char* kExportFormatName = "glvq-studio";
inline constexpr std::int64_t kExportFormatVersion = 1;

struct ExportLayer {
    std::string name; // module name, e.g. "model.layers.0.mlp.down_proj"; the weight is NAME + ".weight"
    std::shared_ptr<const quant::LayerCodes> codes;
    double weightMse = 0.0;
    double outputRelativeError = std::numeric_limits<double>::quiet_NaN(); // NaN: not measured
};

// A tensor kept in its original precision; bytes are little-endian elements of dtype ("F32", "F16", "BF16").
struct RawTensor {
    std::string name;
    std::string dtype;
    std::vector<std::uint64_t> shape;
    std::vector<std::byte> bytes;

    // Elements (product of shape) after checking the dtype is F32, F16 or BF16 and the byte count matches the
    // shape; throws glvq::Error naming `origin` (the file) and the tensor otherwise.
    std::size_t checkedElementCount(const std::string& origin) const;
    // The elements as fp32 (checked as above), into `out` (checkedElementCount elements) or a new vector.
    void toFloat32Into(std::span<float> out, const std::string& origin) const;
    std::vector<float> toFloat32(const std::string& origin) const;
};

struct ExportedModel {
    nlohmann::json metadata;                   // root attributes (FORMAT.md §2), by name
    std::map<std::string, std::string> files;  // config.json, tokenizer files: name -> bytes
    std::vector<ExportLayer> layers;           // forward order
    std::vector<RawTensor> tensors;            // everything not quantized, sorted by name
    nlohmann::json results;                    // /results (perplexities, protocol); null when absent
};

// Gathers a pipeline result and the checkpoint it came from. `results` (may be null) goes to /results.
ExportedModel collectExport(const PipelineResult& result, const std::filesystem::path& modelDir,
                            const nlohmann::json& results, const CancelToken& cancel = {});

struct ExportOptions {
    bool force = false; // replace an existing file
    int gzipLevel = 4;     // side info and full-precision tensors; 0 = none
    int codeGzipLevel = 0; // packed codes: off by default, gzip saves almost nothing on them (FORMAT.md §6)
};

// Sizes on disk, by what they hold (FORMAT.md §7); bits per weight are over the quantized weights.
struct FileComposition {
    std::uint64_t fileBytes = 0;
    std::uint64_t codeBytes = 0;
    std::uint64_t sideBytes = 0;
    std::uint64_t fullPrecisionBytes = 0;
    std::uint64_t quantizedWeights = 0;
    std::uint64_t fullPrecisionWeights = 0;
    double codeBitsPerWeight() const;
    double sideBitsPerWeight() const;
    double fileBitsPerQuantizedWeight() const; // the whole file over the quantized weights
    double fileBitsPerWeight() const;          // the whole file over all weights
};

// Progress: stage "export", fraction by bytes written (layers estimated from their bits per weight).
FileComposition writeExport(const ExportedModel& model, const std::filesystem::path& path, const ExportOptions& options,
                            const CancelToken& cancel = {}, const ProgressCallback& progress = {});

// Full validation (FORMAT.md §8); a glvq::Error naming the file, group and dataset for anything wrong.
ExportedModel importModel(const std::filesystem::path& path);
FileComposition measureComposition(const std::filesystem::path& path);

// Hugging Face directory (config.json, model.safetensors, tokenizer files) with every weight decoded to
// `dtype` ("F32", "F16", "BF16"). Refuses an existing non-empty directory unless `force`.
// Progress: stage "dequantize", fraction by weights decoded and converted, then the file write.
void writeDequantized(const ExportedModel& model, const std::filesystem::path& dir, const std::string& dtype,
                      bool force, const CancelToken& cancel = {}, const ProgressCallback& progress = {});

std::string utcTimestamp(); // "2024-05-01T12:34:56Z"

} // namespace glvq::pipeline
