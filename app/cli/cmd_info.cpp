// SPDX-License-Identifier: GPL-3.0-or-later
// glvq info MODEL_DIR: architecture, tensors (dtype, shape, bytes), files, and whether the checkpoint holds
// exactly what its config.json implies.
#include "app/cli/commands.h"
#include "core/io/checkpoint.h"
#include "core/io/hf_config.h"
#include "core/model/model_loader.h"
#include "kernels/device.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>
#include <set>

namespace glvq::cli {

namespace {

std::string shapeText(const std::vector<std::int64_t>& shape)
{
    std::string text = "[";
    for (std::size_t i = 0; i < shape.size(); ++i)
        text += (i ? ", " : "") + std::to_string(shape[i]);
    return text + "]";
}

std::string humanBytes(double bytes)
{
    const char* units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
    int unit = 0;
    while (bytes >= 1024.0 && unit < 4) {
        bytes /= 1024.0;
        ++unit;
    }
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, unit == 0 ? "%.0f %s" : "%.2f %s", bytes, units[unit]);
    return buffer;
}

struct Completeness {
    std::vector<std::string> missing;
    std::vector<std::string> misShaped;
    std::vector<std::string> unused;
};

Completeness checkCompleteness(const io::Checkpoint& checkpoint, const io::ModelConfig& config)
{
    Completeness result;
    std::set<std::string> expectedNames;
    for (const auto& expected : model::expectedTensors(config)) {
        expectedNames.insert(expected.name);
        if (!checkpoint.contains(expected.name))
            result.missing.push_back(expected.name);
        else if (checkpoint.info(expected.name).shape != expected.shape)
            result.misShaped.push_back(expected.name + " " + shapeText(checkpoint.info(expected.name).shape)
                                       + " (expected " + shapeText(expected.shape) + ")");
    }
    for (const auto& name : checkpoint.tensorNames())
        if (!expectedNames.count(name))
            result.unused.push_back(name);
    return result;
}

nlohmann::json infoJson(const std::filesystem::path& dir, const io::ModelConfig& config,
                        const io::Checkpoint& checkpoint, const Completeness& completeness)
{
    nlohmann::json tensors = nlohmann::json::array();
    std::int64_t parameters = 0;
    for (const auto& name : checkpoint.tensorNames()) {
        const auto& info = checkpoint.info(name);
        parameters += info.numel();
        tensors.push_back({ { "name", name }, { "dtype", io::dtypeName(info.dtype) }, { "shape", info.shape },
                            { "bytes", info.byteSize },
                            { "file", checkpoint.fileOf(name).path().filename().string() } });
    }
    nlohmann::json files = nlohmann::json::array();
    for (const auto& file : checkpoint.files())
        files.push_back({ { "name", file->path().filename().string() }, { "bytes", file->fileSize() },
                          { "tensors", file->tensors().size() } });
    return {
        { "model", dir.filename().string() },
        { "config", { { "model_type", config.modelType }, { "architecture", config.architecture },
                      { "layers", config.numLayers }, { "hidden_size", config.hiddenSize },
                      { "intermediate_size", config.intermediateSize }, { "heads", config.numHeads },
                      { "kv_heads", config.numKvHeads }, { "head_dim", config.headDim },
                      { "vocab_size", config.vocabSize }, { "rope_theta", config.ropeTheta },
                      { "rms_norm_eps", config.rmsNormEps }, { "tied_embeddings", config.tieWordEmbeddings },
                      { "attention_bias", config.attentionBias }, { "dtype", config.dtype } } },
        { "parameters", parameters },
        { "tensor_bytes", checkpoint.totalTensorBytes() },
        { "files", files },
        { "tensors", tensors },
        { "missing_tensors", completeness.missing },
        { "misshaped_tensors", completeness.misShaped },
        { "unused_tensors", completeness.unused },
    };
}

void printHuman(const nlohmann::json& info, const io::ModelConfig& config)
{
    std::printf("model        %s\n", info["model"].get<std::string>().c_str());
    std::printf("architecture %s\n", config.summary().c_str());
    std::printf("parameters   %lld (%s in tensors)\n", info["parameters"].get<long long>(),
                humanBytes(info["tensor_bytes"].get<double>()).c_str());
    for (const auto& file : info["files"])
        std::printf("file         %s  %s, %zu tensors\n", file["name"].get<std::string>().c_str(),
                    humanBytes(file["bytes"].get<double>()).c_str(), file["tensors"].get<std::size_t>());
    std::printf("\n%-52s %-5s %-14s %12s\n", "tensor", "dtype", "shape", "bytes");
    for (const auto& tensor : info["tensors"])
        std::printf("%-52s %-5s %-14s %12zu\n", tensor["name"].get<std::string>().c_str(),
                    tensor["dtype"].get<std::string>().c_str(), shapeText(tensor["shape"]).c_str(),
                    tensor["bytes"].get<std::size_t>());
    const auto listProblems = [](const char* label, const nlohmann::json& names) {
        for (const auto& name : names)
            std::printf("%s %s\n", label, name.get<std::string>().c_str());
    };
    listProblems("MISSING   ", info["missing_tensors"]);
    listProblems("MISSHAPED ", info["misshaped_tensors"]);
    listProblems("unused    ", info["unused_tensors"]);
    const auto cuda = kernels::queryCudaStatus();
    std::printf("\ncuda         %s\n", cuda.devices.empty() ? ("none: " + cuda.reason).c_str()
                                                             : (cuda.devices.front().name + " (kernels built)").c_str());
}

} // namespace

const CommandSpec& infoSpec()
{
    static const CommandSpec spec {
        "info",
        "MODEL_DIR [--json]",
        "Show a checkpoint's architecture, tensors (dtype, shape, bytes) and files, and check it against config.json.",
        { "MODEL_DIR" },
        { { "json", "", "print machine-readable JSON" } },
        {},
    };
    return spec;
}

int runInfo(const ParsedArgs& args, const CancelToken&)
{
    const std::filesystem::path dir = args.positional[0];
    const auto config = io::loadModelConfig(dir / "config.json");
    const auto checkpoint = io::Checkpoint::open(dir);
    const auto completeness = checkCompleteness(checkpoint, config);
    const auto info = infoJson(dir, config, checkpoint, completeness);
    if (args.has("json"))
        std::printf("%s\n", info.dump(2).c_str());
    else
        printHuman(info, config);
    // A checkpoint the forward pass cannot load is an error, after showing what is there.
    return completeness.missing.empty() && completeness.misShaped.empty() ? 0 : 1;
}

} // namespace glvq::cli
