// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/model/model_loader.h"

#include "core/io/checkpoint.h"
#include "core/model/causal_lm.h"
#include "core/model/decoder_layer.h"
#include "core/util/error.h"

#include <ATen/ATen.h>

#include <map>
#include <sstream>

namespace glvq::model {

namespace {

std::string shapeText(const std::vector<std::int64_t>& shape)
{
    std::ostringstream out;
    out << '[';
    for (std::size_t i = 0; i < shape.size(); ++i)
        out << (i ? ", " : "") << shape[i];
    out << ']';
    return out.str();
}

std::string layerPrefix(std::int64_t layer) { return "model.layers." + std::to_string(layer) + "."; }

} // namespace

std::vector<ExpectedTensor> expectedTensors(const io::ModelConfig& config)
{
    const auto hidden = config.hiddenSize;
    const auto qWidth = config.numHeads * config.headDim;
    const auto kvWidth = config.numKvHeads * config.headDim;
    const auto mlp = config.intermediateSize;
    const std::array<std::vector<std::int64_t>, kLinearSlotCount> linearShapes = { {
        { qWidth, hidden }, { kvWidth, hidden }, { kvWidth, hidden }, { hidden, qWidth },
        { mlp, hidden }, { mlp, hidden }, { hidden, mlp },
    } };

    std::vector<ExpectedTensor> tensors;
    tensors.push_back({ "model.embed_tokens.weight", { config.vocabSize, hidden } });
    for (std::int64_t layer = 0; layer < config.numLayers; ++layer) {
        const auto prefix = layerPrefix(layer);
        tensors.push_back({ prefix + "input_layernorm.weight", { hidden } });
        tensors.push_back({ prefix + "post_attention_layernorm.weight", { hidden } });
        for (int s = 0; s < kLinearSlotCount; ++s) {
            tensors.push_back({ prefix + kLinearSlotNames[s] + ".weight", linearShapes[s] });
            if (linearHasBias(config, LinearSlot(s)))
                tensors.push_back({ prefix + kLinearSlotNames[s] + ".bias", { linearShapes[s][0] } });
        }
    }
    tensors.push_back({ "model.norm.weight", { hidden } });
    if (!config.tieWordEmbeddings)
        tensors.push_back({ "lm_head.weight", { config.vocabSize, hidden } });
    return tensors;
}

std::unique_ptr<CausalLM> buildCausalLM(io::ModelConfig config, ComputeDevice device, const ModelSource& source,
                                        const ProgressCallback& progress, const CancelToken& cancel)
{
    const auto torchDevice = device == ComputeDevice::Cuda ? at::Device(at::kCUDA, 0) : at::Device(at::kCPU);
    std::map<std::string, std::vector<std::int64_t>> shapes;
    for (auto& expected : expectedTensors(config))
        shapes.emplace(expected.name, expected.shape);
    const auto read = [&](const std::string& name) {
        const auto& shape = shapes.at(name);
        auto tensor = source.tensor(name, shape);
        if (tensor.sizes().vec() != shape)
            throw Error(source.origin + ": tensor '" + name + "' has shape " + shapeText(tensor.sizes().vec())
                        + ", config.json implies " + shapeText(shape));
        return tensor.to(torchDevice, at::kFloat);
    };
    ProgressReporter reporter(progress, "load", double(config.numLayers + 2));

    auto embedding = read("model.embed_tokens.weight");
    reporter.advance(1, "embeddings");
    std::vector<DecoderLayer> layers(config.numLayers);
    for (std::int64_t l = 0; l < config.numLayers; ++l) {
        cancel.throwIfCancelled();
        const auto prefix = layerPrefix(l);
        auto& layer = layers[l];
        layer.inputNorm = read(prefix + "input_layernorm.weight");
        layer.postAttentionNorm = read(prefix + "post_attention_layernorm.weight");
        for (int s = 0; s < kLinearSlotCount; ++s) {
            const auto name = prefix + kLinearSlotNames[s];
            layer.names[s] = name;
            auto bias = linearHasBias(config, LinearSlot(s)) ? read(name + ".bias") : at::Tensor();
            if (source.linear)
                layer.linears[s] = source.linear(name, bias, torchDevice);
            if (!layer.linears[s])
                layer.linears[s] = std::make_shared<DenseLinear>(read(name + ".weight"), std::move(bias));
            else if (layer.linears[s]->outFeatures() != shapes.at(name + ".weight")[0]
                     || layer.linears[s]->inFeatures() != shapes.at(name + ".weight")[1])
                throw Error(source.origin + ": layer '" + name + "' is " + std::to_string(layer.linears[s]->outFeatures())
                            + " × " + std::to_string(layer.linears[s]->inFeatures()) + ", config.json implies "
                            + shapeText(shapes.at(name + ".weight")));
        }
        reporter.advance(1, "layer " + std::to_string(l + 1) + "/" + std::to_string(config.numLayers));
    }
    auto finalNorm = read("model.norm.weight");
    auto lmHeadWeight = config.tieWordEmbeddings ? embedding : read("lm_head.weight");
    reporter.finish("lm_head");
    auto lmHead = std::make_shared<DenseLinear>(std::move(lmHeadWeight), at::Tensor());
    return std::make_unique<CausalLM>(std::move(config), device, std::move(embedding), std::move(layers),
                                      std::move(finalNorm), std::move(lmHead));
}

std::unique_ptr<CausalLM> loadCausalLM(const std::filesystem::path& modelDir, ComputeDevice device,
                                       const ProgressCallback& progress, const CancelToken& cancel)
{
    auto config = io::loadModelConfig(modelDir / "config.json");
    const auto checkpoint = io::Checkpoint::open(modelDir);
    ModelSource source;
    source.origin = checkpoint.directory().string();
    source.tensor = [&](const std::string& name, const std::vector<std::int64_t>& shape) {
        if (!checkpoint.contains(name))
            throw Error(source.origin + ": tensor '" + name + "' is missing (expected shape " + shapeText(shape)
                        + " from config.json)");
        const auto& info = checkpoint.info(name);
        if (info.shape != shape)
            throw Error(source.origin + ": tensor '" + name + "' has shape " + shapeText(info.shape)
                        + ", config.json implies " + shapeText(shape));
        auto tensor = at::empty(shape, at::kFloat);
        checkpoint.fileOf(name).readFloat32(name, std::span<float>(tensor.data_ptr<float>(), tensor.numel()));
        return tensor;
    };
    return buildCausalLM(std::move(config), device, source, progress, cancel);
}

} // namespace glvq::model
