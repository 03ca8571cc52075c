// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Everything one quantization run depends on, as a value: the GUI copies it into the job when the job starts,
// the CLI fills it from arguments. Same options + same seed => same codes.
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace glvq::pipeline {

enum class BitAllocation { Salience, Uniform };
enum class CalibrationMode { Original, Sequential };

struct PipelineOptions {
    std::string method = "glvq";  // glvq | rtn | gptq | e8
    std::string variant = "default"; // GLVQ ablations, see methodVariants(); ignored by other methods
    double bits = 2.0;            // mean bits per weight of the codes; fractional targets mix two widths
    int dim = 8;                  // GLVQ lattice dimension d (divides groupSize)
    std::int64_t groupSize = 128; // input columns per group
    BitAllocation allocation = BitAllocation::Salience;
    // How the salience allocator compares N−1/N/N+1 splits: the proxy loss tr(E H Eᵀ) (default: measured
    // better, docs/quality.md) or the layer's output KL (spec §4, SliM-LLM).
    bool allocateByProxyLoss = true;
    // Explicit per-group bits for named layers (e.g. edited in the GUI's bit map); overrides the allocator.
    std::map<std::string, std::vector<int>> explicitBits;

    std::filesystem::path calibrationText;
    std::int64_t samples = 128;   // calibration windows
    std::int64_t ctx = 512;       // tokens per calibration window
    CalibrationMode calibrationMode = CalibrationMode::Original;
    std::int64_t klSampleRows = 2048; // calibration input rows kept per layer input for the allocator's KL
    std::int64_t batchWindows = 8;    // calibration windows per forward pass

    std::uint64_t seed = 0;
    bool actOrder = false;        // GPTQ: quantize columns by descending Hessian diagonal
    int maxIterations = 0;        // GLVQ learning iterations per group; 0: the spec's default (300 / 500)
    int rowScaleMantissaBits = 10; // GLVQ row scales: fp16 rounded to this many mantissa bits, 0..10 (smaller files)

    // Throws glvq::Error naming the option for anything out of range (bits, d, group size, method).
    void validate() const;
};

std::vector<std::string> supportedMethods();
std::vector<std::string> methodVariants(); // "default", "no-companding", "no-row-scale", ...

} // namespace glvq::pipeline
