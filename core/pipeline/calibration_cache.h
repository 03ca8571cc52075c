// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// On-disk cache of calibration statistics (Hessians and KL sample rows of the unquantized model), so that
// re-running the pipeline with other bits, methods or allocations skips the calibration passes. One HDF5 file
// per (checkpoint weights, calibration protocol), named by a SHA-256 over both: a changed checkpoint, text,
// sample count, ctx or seed never reuses a stale file. Files are written under a temporary name and renamed,
// so a cancelled or failed write leaves nothing behind; a file that cannot be read back (truncated, foreign)
// is recomputed and replaced, with a note through the progress callback.
// Layout: root attributes format = "glvq-calibration-cache", version, weights_sha256, text_name,
// text_sha256, samples, ctx, seed, mode; /hessians/<layer> [n, n] f64 and /samples/<layer> [rows, n] f32.
// Thread-safety: none needed beyond the file system's; two processes filling the same key race harmlessly
// (each renames a complete file over the other).
#include "core/pipeline/calibration_statistics.h"

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

namespace glvq::pipeline {

struct CachedStatistics {
    std::shared_ptr<const CalibrationStatistics> statistics;
    std::filesystem::path file;
    bool fromCache = false; // true when read from `file`, false when computed (and written to `file`)
};

// SHA-256 over the bytes of every *.safetensors file of the checkpoint directory, files in name order.
std::string checkpointWeightsSha256(const std::filesystem::path& modelDir);

// The cache file for these weights and this protocol inside cacheDir.
std::filesystem::path calibrationCacheFile(const std::filesystem::path& cacheDir, const std::string& weightsSha256,
                                           const CalibrationProtocol& protocol);

// Reads a cache file; nullopt when it does not exist. Throws glvq::Error naming the file when it exists but
// is not a complete cache of exactly this protocol and these weights.
std::optional<std::shared_ptr<const CalibrationStatistics>>
readCalibrationCache(const std::filesystem::path& file, const std::string& weightsSha256, const CalibrationProtocol& protocol);

// Writes atomically (temporary file + rename). Throws glvq::Error naming the file on failure.
void writeCalibrationCache(const std::filesystem::path& file, const std::string& weightsSha256,
                           const CalibrationStatistics& statistics);

// The statistics `options` asks for (original mode): from cacheDir when present, else computed by
// collectCalibrationStatistics and stored there. Creates cacheDir if needed.
CachedStatistics cachedCalibrationStatistics(model::CausalLM& model, const tok::Tokenizer& tokenizer,
                                             const PipelineOptions& options, const std::filesystem::path& modelDir,
                                             const std::filesystem::path& cacheDir, const ProgressCallback& progress = {},
                                             const CancelToken& cancel = {});

} // namespace glvq::pipeline
