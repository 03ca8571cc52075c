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

// Reads the tensors named by expectedTensors() into fp32 torch tensors, checking presence and shape.
class WeightReader {
public:
    WeightReader(const io::Checkpoint& checkpoint, const io::ModelConfig& config, at::Device device)
        : m_checkpoint(checkpoint)
        , m_device(device)
    {
        for (auto& expected : expectedTensors(config))
            m_shapes.emplace(expected.name, expected.shape);
    }

    at::Tensor read(const std::string& name) const
    {
        const auto& shape = m_shapes.at(name);
        if (!m_checkpoint.contains(name))
            throw Error(m_checkpoint.directory().string() + ": tensor '" + name + "' is missing (expected shape "
                        + shapeText(shape) + " from config.json)");
        const auto& info = m_checkpoint.info(name);
        if (info.shape != shape)
            throw Error(m_checkpoint.directory().string() + ": tensor '" + name + "' has shape " + shapeText(info.shape)
                        + ", config.json implies " + shapeText(shape));
        auto tensor = at::empty(shape, at::kFloat);
        m_checkpoint.fileOf(name).readFloat32(name, std::span<float>(tensor.data_ptr<float>(), tensor.numel()));
        return tensor.to(m_device);
    }

    at::Tensor readOptional(const std::string& name, bool wanted) const { return wanted ? read(name) : at::Tensor(); }

private:
    const io::Checkpoint& m_checkpoint;
    at::Device m_device;
    std::map<std::string, std::vector<std::int64_t>> m_shapes;
};

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

std::unique_ptr<CausalLM> loadCausalLM(const std::filesystem::path& modelDir, ComputeDevice device,
                                       const ProgressCallback& progress, const CancelToken& cancel)
{
    auto config = io::loadModelConfig(modelDir / "config.json");
    const auto checkpoint = io::Checkpoint::open(modelDir);
    const auto torchDevice = device == ComputeDevice::Cuda ? at::Device(at::kCUDA, 0) : at::Device(at::kCPU);
    const WeightReader reader(checkpoint, config, torchDevice);
    ProgressReporter reporter(progress, "load", double(config.numLayers + 2));

    auto embedding = reader.read("model.embed_tokens.weight");
    reporter.advance(1, "embeddings");
    std::vector<DecoderLayer> layers(config.numLayers);
    for (std::int64_t l = 0; l < config.numLayers; ++l) {
        cancel.throwIfCancelled();
        const auto prefix = layerPrefix(l);
        auto& layer = layers[l];
        layer.inputNorm = reader.read(prefix + "input_layernorm.weight");
        layer.postAttentionNorm = reader.read(prefix + "post_attention_layernorm.weight");
        for (int s = 0; s < kLinearSlotCount; ++s) {
            const auto name = prefix + kLinearSlotNames[s];
            layer.names[s] = name;
            layer.linears[s] = std::make_shared<DenseLinear>(reader.read(name + ".weight"),
                                                             reader.readOptional(name + ".bias", linearHasBias(config, LinearSlot(s))));
        }
        reporter.advance(1, "layer " + std::to_string(l + 1) + "/" + std::to_string(config.numLayers));
    }
    auto finalNorm = reader.read("model.norm.weight");
    auto lmHeadWeight = config.tieWordEmbeddings ? embedding : reader.read("lm_head.weight");
    reporter.finish("lm_head");
    auto lmHead = std::make_shared<DenseLinear>(std::move(lmHeadWeight), at::Tensor());
    return std::make_unique<CausalLM>(std::move(config), device, std::move(embedding), std::move(layers),
                                      std::move(finalNorm), std::move(lmHead));
}

} // namespace glvq::model
