// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/pipeline/exported_model_loader.h"

#include "core/io/hf_config.h"
#include "core/pipeline/fused_glvq_linear.h"
#include "core/quant/glvq_codes.h"
#include "core/util/error.h"
#include "core/util/host_memory.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <map>

namespace glvq::pipeline {

QuantizedKernels parseQuantizedKernels(const std::string& text)
{
    if (text == "auto")
        return QuantizedKernels::Auto;
    if (text == "fused")
        return QuantizedKernels::Fused;
    if (text == "decoded")
        return QuantizedKernels::Decoded;
    throw Error("--kernels must be auto, fused or decoded, got '" + text + "'");
}

bool fuseCompandedOnCpu(std::int64_t decodedModelBytes, std::optional<std::int64_t> availableBytes)
{
    return availableBytes && decodedModelBytes > *availableBytes / 2;
}

namespace {

bool isCompanded(const quant::GlvqLayerCodes& codes)
{
    for (const auto& group : codes.groups())
        if (group.mu > 0.0f)
            return true;
    return false;
}

// Whether companded GLVQ layers run fused under `kernels` on `device` (layers without companding do unless
// `kernels` is Decoded).
bool fuseCompandedLayers(const ExportedModel& exported, model::ComputeDevice device, QuantizedKernels kernels)
{
    if (kernels != QuantizedKernels::Auto)
        return kernels == QuantizedKernels::Fused;
    if (device == model::ComputeDevice::Cuda)
        return true;
    // fp32 bytes with the companded layers decoded: those, the other methods' layers (always decoded) and the
    // full-precision tensors (embeddings, norms, lm_head); fused layers hold only their codes.
    std::int64_t denseBytes = 0;
    for (const auto& layer : exported.layers) {
        const auto* codes = dynamic_cast<const quant::GlvqLayerCodes*>(layer.codes.get());
        if (!codes || isCompanded(*codes))
            denseBytes += layer.codes->rows() * layer.codes->cols() * std::int64_t(sizeof(float));
    }
    constexpr std::uint64_t kHuge = std::uint64_t(1) << 50; // a malformed shape saturates here (checked later)
    for (const auto& tensor : exported.tensors) {
        std::uint64_t elements = 1;
        for (const auto extent : tensor.shape)
            elements = extent != 0 && elements > kHuge / extent ? kHuge : elements * extent;
        denseBytes += static_cast<std::int64_t>(std::min(elements, kHuge)) * std::int64_t(sizeof(float));
    }
    return fuseCompandedOnCpu(denseBytes, availableHostMemoryBytes());
}

} // namespace

std::unique_ptr<model::CausalLM> loadExportedCausalLM(const ExportedModel& exported, const std::string& origin,
                                                      model::ComputeDevice device, QuantizedKernels kernels,
                                                      const ProgressCallback& progress, const CancelToken& cancel)
{
    const auto configText = exported.files.find("config.json");
    if (configText == exported.files.end())
        throw Error(origin + ": the file carries no config.json");
    auto config = io::parseModelConfig(configText->second, origin + ": config.json");

    std::map<std::string, const RawTensor*> raw;
    for (const auto& tensor : exported.tensors)
        raw.emplace(tensor.name, &tensor);
    std::map<std::string, const ExportLayer*> quantized;
    for (const auto& layer : exported.layers)
        quantized.emplace(layer.name + ".weight", &layer);

    model::ModelSource source;
    source.origin = origin;
    source.tensor = [&](const std::string& name, const std::vector<std::int64_t>& shape) -> at::Tensor {
        if (const auto layer = quantized.find(name); layer != quantized.end())
            return layer->second->codes->decode();
        const auto found = raw.find(name);
        if (found == raw.end()) {
            std::string expected;
            for (const auto extent : shape)
                expected += (expected.empty() ? "" : ", ") + std::to_string(extent);
            throw Error(origin + ": tensor '" + name + "' is missing (config.json implies shape [" + expected + "])");
        }
        const auto& tensor = *found->second;
        std::vector<std::int64_t> stored(tensor.shape.begin(), tensor.shape.end());
        if (stored != shape) {
            tensor.checkedElementCount(origin);
            return at::empty(stored); // buildCausalLM reports the mismatch with both shapes
        }
        auto values = at::empty(shape, at::kFloat);
        tensor.toFloat32Into(std::span<float>(values.data_ptr<float>(), std::size_t(values.numel())), origin);
        return values;
    };
    const bool fuseCompanded = fuseCompandedLayers(exported, device, kernels);
    if (kernels != QuantizedKernels::Decoded)
        source.linear = [&](const std::string& name, const at::Tensor& bias,
                            const at::Device& torchDevice) -> std::shared_ptr<const model::LinearOp> {
            const auto layer = quantized.find(name + ".weight");
            if (layer == quantized.end())
                return nullptr;
            const auto* glvqCodes = dynamic_cast<const quant::GlvqLayerCodes*>(layer->second->codes.get());
            if (!glvqCodes)
                return nullptr; // RTN, GPTQ, E8: no fused kernel, decoded instead
            if (!fuseCompanded && isCompanded(*glvqCodes))
                return nullptr; // Auto on the CPU: decoded (fuseCompandedOnCpu)
            return std::make_shared<FusedGlvqLinear>(*glvqCodes, bias, torchDevice, name);
        };
    return model::buildCausalLM(std::move(config), device, source, progress, cancel);
}

} // namespace glvq::pipeline
