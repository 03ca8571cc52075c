// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Plain values the desktop application shows: what a model holds and what quantizing it produced. No torch, no
// Qt, so any GUI file may include this header. Produced on worker threads, then read-only (safe to share).
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace glvq::inspect {

// One column group of one quantized layer (see quant::GroupStats for the definitions).
struct GroupSummary {
    int bits = 0;
    double scale = 0.0;           // s_g (GLVQ, E8) or mean row scale (RTN/GPTQ); weight units
    double mu = 0.0;              // μ-law parameter; 0 = companding off
    double conditionNumber = 0.0; // of G (GLVQ); 1 for scalar methods
    double weightMse = 0.0;       // mean (W − Ŵ)² over the group, weight units squared
    double proxyLoss = 0.0;       // tr(E H_g Eᵀ); 0 when unknown (e.g. read from a file)
    double salience = -1.0;       // the allocator's salience; negative when not computed
    int iterations = 0;           // GLVQ learning iterations
};

// One quantized linear layer, e.g. "model.layers.3.mlp.down_proj".
struct LayerSummary {
    std::string name;
    std::string method;           // "glvq", "rtn", "gptq", "e8"
    std::int64_t rows = 0;        // output features
    std::int64_t cols = 0;        // input features
    std::int64_t groupSize = 0;   // input columns per group
    int dim = 0;                  // GLVQ lattice dimension; 0 for other methods
    double weightMse = 0.0;
    double outputRelativeError = 0.0; // ‖(W − Ŵ)X‖² / ‖WX‖² on calibration inputs; NaN (or 0) when not measured
    double bitsPerWeight = 0.0;   // side information included
    double seconds = 0.0;
    std::vector<GroupSummary> groups;
};

// A linear layer of the decoder blocks as the checkpoint holds it (before quantization).
struct TensorSummary {
    std::string name;             // module name without ".weight"
    std::int64_t rows = 0;
    std::int64_t cols = 0;
};

struct ModelSummary {
    std::filesystem::path path;   // checkpoint directory or .h5 file
    bool isExport = false;        // an exported .h5 (codes only, no original weights)
    std::string description;      // one line: architecture, layers, hidden size
    std::string device;           // where torch work runs, e.g. "cpu"
    std::int64_t parameters = 0;  // 0 when unknown
    std::vector<TensorSummary> linears; // decoder-block linear layers in forward order
};

// Perplexity and KL of the quantized model against the original, with the protocol that makes them comparable.
struct EvalSummary {
    std::string method;
    double targetBits = 0.0;
    double bitsPerWeight = 0.0;
    double pplOriginal = 0.0;
    double pplQuantized = 0.0;
    double kl = 0.0;              // nats per token, KL(original ‖ quantized)
    double tokensPerSecond = 0.0; // quantized model's forward throughput during the evaluation
    std::string protocol;         // one line: text, SHA-256, ctx, windows, dtype, device
};

// Sizes of a written export (docs/FORMAT.md §7).
struct ExportSummary {
    std::filesystem::path path;
    std::uint64_t fileBytes = 0;
    double fileBitsPerQuantizedWeight = 0.0;
    double codeBitsPerWeight = 0.0;
    double sideBitsPerWeight = 0.0;
};

} // namespace glvq::inspect
