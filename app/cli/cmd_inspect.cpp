// SPDX-License-Identifier: GPL-3.0-or-later
// glvq inspect MODEL.h5 [--json]: what an exported file holds — model, method, bit widths, companding (μ), the
// CUDA product each layer will run (kernels/glvq_cuda.h decides it from d and μ alone), per-layer bits and
// errors, and where the bytes go (codes, side information, full-precision tensors, the rest).
#include "app/cli/commands.h"
#include "core/pipeline/export_model.h"
#include "core/quant/glvq_codes.h"
#include "kernels/glvq_cuda.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <vector>

namespace glvq::cli {

const CommandSpec& inspectSpec()
{
    static const CommandSpec spec {
        "inspect",
        "MODEL.h5 [--json]",
        "Describe an exported quantized model: method, bit histogram, companding, how its layers run on a GPU, "
        "per-layer bits and errors, file composition.",
        { "MODEL.h5" },
        { { "json", "", "print machine-readable JSON on stdout" } },
        {},
    };
    return spec;
}

namespace {

// How a layer runs on CUDA under `glvq eval/bench --kernels auto`: the fused product glvq_gpu_layer_create will
// choose for a GLVQ layer, "decoded" (dense cuBLAS after decoding, no fused kernel) for the other methods.
std::string cudaProductOf(const quant::LayerCodes& codes, std::vector<float>& companderMus, std::int64_t& groups)
{
    const auto* glvqCodes = dynamic_cast<const quant::GlvqLayerCodes*>(&codes);
    if (!glvqCodes)
        return "decoded";
    bool allLinear = true;
    for (const auto& group : glvqCodes->groups()) {
        ++groups;
        if (group.mu != 0.0f) {
            allLinear = false;
            companderMus.push_back(group.mu);
        }
    }
    return glvq_cuda_path_name(glvq_cuda_product_path(glvqCodes->dim(), allLinear));
}

} // namespace

int runInspect(const ParsedArgs& args, const CancelToken&)
{
    const std::filesystem::path path = args.positional[0];
    const auto model = pipeline::importModel(path);
    const auto c = pipeline::measureComposition(path);
    std::map<int, std::uint64_t> histogram; // bits -> weights
    std::map<std::string, int> cudaProducts; // path -> layers
    std::vector<float> companderMus;         // μ of every companded GLVQ group
    std::int64_t glvqGroups = 0;
    nlohmann::json layers = nlohmann::json::array();
    for (const auto& layer : model.layers) {
        const std::size_t companded = companderMus.size();
        const std::int64_t groupsBefore = glvqGroups;
        const std::string cudaProduct = cudaProductOf(*layer.codes, companderMus, glvqGroups);
        ++cudaProducts[cudaProduct];
        const auto decoded = layer.codes->decode();
        const auto rows = decoded.size(0);
        const auto cols = decoded.size(1);
        layers.push_back({ { "name", layer.name }, { "method", layer.codes->method() }, { "rows", rows }, { "cols", cols },
                           { "bits_per_weight", layer.codes->bitsPerWeight() },
                           { "side_bits_per_weight", layer.codes->sideBitsPerWeight() },
                           { "weight_mse", layer.weightMse }, { "output_relative_error", layer.outputRelativeError },
                           { "glvq_groups", glvqGroups - groupsBefore },
                           { "companded_groups", companderMus.size() - companded },
                           { "cuda_product", cudaProduct } });
        // Code bits per weight without side info is the group-width mix of this layer.
        const double codeBits = layer.codes->bitsPerWeight() - layer.codes->sideBitsPerWeight();
        histogram[int(codeBits + 0.5)] += std::uint64_t(rows * cols);
    }
    nlohmann::json hist = nlohmann::json::object();
    for (auto [bits, count] : histogram)
        hist[std::to_string(bits)] = count;
    const nlohmann::json composition = {
        { "file_bytes", c.fileBytes }, { "code_bytes", c.codeBytes }, { "side_bytes", c.sideBytes },
        { "full_precision_bytes", c.fullPrecisionBytes },
        { "other_bytes", c.fileBytes - c.codeBytes - c.sideBytes - c.fullPrecisionBytes },
        { "quantized_weights", c.quantizedWeights }, { "full_precision_weights", c.fullPrecisionWeights },
        { "code_bits_per_weight", c.codeBitsPerWeight() }, { "side_bits_per_weight", c.sideBitsPerWeight() },
        { "file_bits_per_quantized_weight", c.fileBitsPerQuantizedWeight() },
        { "file_bits_per_weight", c.fileBitsPerWeight() },
    };
    nlohmann::json companding = { { "groups", glvqGroups }, { "companded_groups", companderMus.size() } };
    if (!companderMus.empty()) {
        std::sort(companderMus.begin(), companderMus.end());
        companding["mu_min"] = companderMus.front();
        companding["mu_median"] = companderMus[companderMus.size() / 2];
        companding["mu_max"] = companderMus.back();
    }
    const nlohmann::json output = { { "metadata", model.metadata }, { "bits_histogram", hist }, { "layers", layers },
                                    { "companding", companding }, { "cuda_products", cudaProducts },
                                    { "composition", composition }, { "results", model.results } };
    if (args.has("json")) {
        auto trimmed = output;
        trimmed["metadata"].erase("source_config_json");
        std::printf("%s\n", trimmed.dump(2).c_str());
        return 0;
    }
    const auto& m = model.metadata;
    std::printf("model       %s (weights sha256 %.16s...)\n", m["source_model"].get<std::string>().c_str(),
                m["source_weights_sha256"].get<std::string>().c_str());
    std::printf("method      %s (%s), target %.3g bits, d %lld, group %lld; created %s by %s\n",
                m["method"].get<std::string>().c_str(), m["variant"].get<std::string>().c_str(),
                m["target_bits"].get<double>(), (long long)m["dim"].get<std::int64_t>(),
                (long long)m["group_size"].get<std::int64_t>(), m["created_utc"].get<std::string>().c_str(),
                m["tool_version"].get<std::string>().c_str());
    std::printf("bits        ");
    for (auto [bits, count] : histogram)
        std::printf("%d-bit: %llu weights  ", bits, static_cast<unsigned long long>(count));
    std::printf("\n");
    if (glvqGroups > 0 && companderMus.empty())
        std::printf("companding  off in all %lld groups\n", static_cast<long long>(glvqGroups));
    else if (glvqGroups > 0)
        std::printf("companding  mu > 0 in %zu of %lld groups (mu median %.3g, range %.3g to %.3g)\n", companderMus.size(),
                    static_cast<long long>(glvqGroups), companderMus[companderMus.size() / 2], companderMus.front(),
                    companderMus.back());
    std::printf("cuda        products on a GPU:");
    for (const auto& [path, count] : cudaProducts)
        std::printf("  %s %d layers", path.c_str(), count);
    std::printf("\n");
    for (const auto& layer : layers)
        std::printf("  %-34s %5lldx%-5lld %-6s %.4f b/w (side %.4f)  w-mse %.3e  out-err %s\n",
                    layer["name"].get<std::string>().c_str(), (long long)layer["rows"].get<std::int64_t>(),
                    (long long)layer["cols"].get<std::int64_t>(), layer["method"].get<std::string>().c_str(),
                    layer["bits_per_weight"].get<double>(), layer["side_bits_per_weight"].get<double>(),
                    layer["weight_mse"].get<double>(),
                    formatMeasured(layer["output_relative_error"].is_null() ? NAN : layer["output_relative_error"].get<double>()).c_str());
    std::printf("file        %llu bytes: codes %llu, side info %llu, full precision %llu, other %llu\n",
                (unsigned long long)c.fileBytes, (unsigned long long)c.codeBytes, (unsigned long long)c.sideBytes,
                (unsigned long long)c.fullPrecisionBytes,
                (unsigned long long)(c.fileBytes - c.codeBytes - c.sideBytes - c.fullPrecisionBytes));
    std::printf("bits/weight codes %.4f + side %.4f per quantized weight; whole file %.4f per quantized weight, "
                "%.4f over all %llu weights\n",
                c.codeBitsPerWeight(), c.sideBitsPerWeight(), c.fileBitsPerQuantizedWeight(), c.fileBitsPerWeight(),
                (unsigned long long)(c.quantizedWeights + c.fullPrecisionWeights));
    if (!model.results.is_null() && model.results.contains("ppl_quantized"))
        std::printf("results     PPL %.4f original, %.4f quantized, KL %.5f (%s)\n",
                    model.results.value("ppl_original", 0.0), model.results.value("ppl_quantized", 0.0),
                    model.results.value("kl", 0.0), model.results.value("protocol", std::string()).c_str());
    return 0;
}

} // namespace glvq::cli
