// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/model/causal_lm.h"

#include "core/model/decoder_layer.h"
#include "core/util/error.h"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>

#include <limits>

namespace glvq::model {

namespace {

constexpr std::string_view kLmHeadName = "lm_head";

at::Device torchDevice(ComputeDevice device)
{
    return device == ComputeDevice::Cuda ? at::Device(at::kCUDA, 0) : at::Device(at::kCPU);
}

// Additive causal mask [time, past + time] for new positions past .. past + time − 1 over all positions so far:
// 0 where position j may be attended from i, -inf elsewhere. With a sliding window W, i sees only j in (i − W, i].
at::Tensor causalMask(std::int64_t time, std::int64_t past, std::optional<std::int64_t> window,
                      const at::TensorOptions& options)
{
    const auto rows = at::arange(past, past + time, options.dtype(at::kLong)).unsqueeze(1);
    const auto cols = at::arange(past + time, options.dtype(at::kLong)).unsqueeze(0);
    auto allowed = cols.le(rows);
    if (window)
        allowed = allowed.logical_and(cols.gt(rows - *window));
    return at::zeros({ time, past + time }, options)
        .masked_fill_(allowed.logical_not(), -std::numeric_limits<float>::infinity());
}

} // namespace

CausalLM::CausalLM(io::ModelConfig config, ComputeDevice device, at::Tensor embedding, std::vector<DecoderLayer> layers,
                   at::Tensor finalNorm, std::shared_ptr<const LinearOp> lmHead)
    : m_config(std::move(config))
    , m_device(device)
    , m_embedding(std::move(embedding))
    , m_layers(std::move(layers))
    , m_finalNorm(std::move(finalNorm))
    , m_lmHead(std::move(lmHead))
{
    // As transformers computes it: inv_freq = 1 / theta^(2i/d) in fp32.
    const auto exponents = at::arange(0, m_config.headDim, 2, at::kLong).to(at::kFloat) / double(m_config.headDim);
    m_ropeInvFreq = (1.0 / at::pow(m_config.ropeTheta, exponents)).to(torchDevice(m_device));
    for (const auto& layer : m_layers)
        for (const auto& name : layer.names)
            m_blockLinearNames.push_back(name);
}

CausalLM::~CausalLM() = default;

KvCache::KvCache() = default;
KvCache::~KvCache() = default;
KvCache::KvCache(KvCache&&) noexcept = default;
KvCache& KvCache::operator=(KvCache&&) noexcept = default;

at::Tensor CausalLM::checkedIds(const at::Tensor& inputIds) const
{
    if (inputIds.dim() != 2)
        throw Error("forward: input ids must be [batch, time], got " + std::to_string(inputIds.dim()) + " dimensions");
    // Checked where the ids are (host ids, the usual case, cost the device no synchronisation), then moved.
    const auto ids = inputIds.to(at::kLong);
    if (ids.numel() > 0) {
        const auto [minId, maxId] = at::aminmax(ids);
        if (minId.item<std::int64_t>() < 0 || maxId.item<std::int64_t>() >= m_config.vocabSize)
            throw Error("forward: token id outside the vocabulary [0, " + std::to_string(m_config.vocabSize) + ")");
    }
    return ids.to(torchDevice(m_device));
}

at::Tensor CausalLM::embed(const at::Tensor& inputIds) const
{
    c10::InferenceMode inferenceMode;
    return at::embedding(m_embedding, checkedIds(inputIds));
}

RotaryTables CausalLM::rotaryTables(std::int64_t past, std::int64_t time, const at::Device& device) const
{
    const auto floatOptions = at::TensorOptions().dtype(at::kFloat).device(device);
    // As transformers: angles = position × inv_freq in fp32, duplicated for the two rotate-half halves.
    const auto freqs = at::outer(at::arange(past, past + time, floatOptions), m_ropeInvFreq);
    const auto angles = at::cat({ freqs, freqs }, -1); // [time, headDim]
    return { angles.cos(), angles.sin() };
}

at::Tensor CausalLM::forwardBlock(std::int64_t layer, const at::Tensor& hidden) const
{
    c10::InferenceMode inferenceMode;
    if (layer < 0 || layer >= std::int64_t(m_layers.size()))
        throw Error("forwardBlock: no decoder block " + std::to_string(layer));
    const auto time = hidden.size(1);
    const auto mask = causalMask(time, 0, m_config.slidingWindow, hidden.options().dtype(at::kFloat));
    return m_layers[layer].forward(hidden, rotaryTables(0, time, hidden.device()), mask, m_config, m_capture);
}

at::Tensor CausalLM::forwardCached(const at::Tensor& inputIds, KvCache& cache) const
{
    c10::InferenceMode inferenceMode;
    if (!cache.layers.empty() && cache.layers.size() != m_layers.size())
        throw Error("forwardCached: the cache belongs to a model with " + std::to_string(cache.layers.size())
                    + " blocks, this one has " + std::to_string(m_layers.size()));
    auto hidden = embed(inputIds);
    if (cache.length > 0 && cache.layers.front().keys.size(0) != hidden.size(0))
        throw Error("forwardCached: batch " + std::to_string(hidden.size(0)) + " differs from the cache's "
                    + std::to_string(cache.layers.front().keys.size(0)));
    const auto time = hidden.size(1);
    const auto rope = rotaryTables(cache.length, time, hidden.device());
    const auto mask = causalMask(time, cache.length, m_config.slidingWindow, hidden.options().dtype(at::kFloat));
    // Blocks append to a copy of the cache's handles, committed only when every block has run: a failure part
    // way (out of memory, a kernel error) leaves the cache as it was. The buffers themselves are shared, and
    // positions past the committed length are never read.
    auto layers = cache.layers;
    layers.resize(m_layers.size());
    for (std::size_t layer = 0; layer < m_layers.size(); ++layer)
        hidden = m_layers[layer].forward(hidden, rope, mask, m_config, m_capture, &layers[layer]);
    cache.layers = std::move(layers);
    cache.length += time;
    return head(hidden);
}

at::Tensor CausalLM::head(const at::Tensor& hidden) const
{
    c10::InferenceMode inferenceMode;
    const auto normed = rmsNorm(hidden, m_finalNorm, m_config.rmsNormEps);
    if (m_capture)
        m_capture(std::string(kLmHeadName), normed);
    return m_lmHead->forward(normed);
}

at::Tensor CausalLM::forward(const at::Tensor& inputIds) const
{
    c10::InferenceMode inferenceMode;
    auto hidden = embed(inputIds);
    for (std::int64_t layer = 0; layer < std::int64_t(m_layers.size()); ++layer)
        hidden = forwardBlock(layer, hidden);
    return head(hidden);
}

std::vector<std::string> CausalLM::blockLinearNames(std::int64_t layer) const
{
    if (layer < 0 || layer >= std::int64_t(m_layers.size()))
        throw Error("no decoder block " + std::to_string(layer));
    const auto& names = m_layers[layer].names;
    return { names.begin(), names.end() };
}

std::int64_t CausalLM::parameterCount() const
{
    std::int64_t count = m_embedding.numel() + m_finalNorm.numel();
    if (!m_config.tieWordEmbeddings)
        count += m_lmHead->inFeatures() * m_lmHead->outFeatures();
    for (const auto& layer : m_layers) {
        count += layer.inputNorm.numel() + layer.postAttentionNorm.numel();
        for (const auto& linear : layer.linears) {
            count += linear->inFeatures() * linear->outFeatures();
            if (auto bias = linear->bias())
                count += bias->numel();
        }
    }
    return count;
}

bool CausalLM::hasLinear(std::string_view name) const
{
    if (name == kLmHeadName)
        return true;
    return std::find(m_blockLinearNames.begin(), m_blockLinearNames.end(), name) != m_blockLinearNames.end();
}

const std::shared_ptr<const LinearOp>& CausalLM::slot(std::string_view name) const
{
    if (name == kLmHeadName)
        return m_lmHead;
    for (const auto& layer : m_layers)
        for (std::size_t i = 0; i < layer.names.size(); ++i)
            if (layer.names[i] == name)
                return layer.linears[i];
    throw Error("no linear layer named '" + std::string(name) + "' (names look like 'model.layers.0.mlp.down_proj')");
}

std::shared_ptr<const LinearOp>& CausalLM::slot(std::string_view name)
{
    return const_cast<std::shared_ptr<const LinearOp>&>(std::as_const(*this).slot(name));
}

const LinearOp& CausalLM::linear(std::string_view name) const { return *slot(name); }

std::shared_ptr<const LinearOp> CausalLM::linearPtr(std::string_view name) const { return slot(name); }

std::shared_ptr<const LinearOp> CausalLM::replaceLinear(std::string_view name,
                                                        std::shared_ptr<const LinearOp> replacement)
{
    auto& current = slot(name);
    if (!replacement)
        throw Error("replaceLinear '" + std::string(name) + "': replacement is null");
    if (replacement->inFeatures() != current->inFeatures() || replacement->outFeatures() != current->outFeatures())
        throw Error("replaceLinear '" + std::string(name) + "': replacement is " + std::to_string(replacement->outFeatures())
                    + "x" + std::to_string(replacement->inFeatures()) + ", the layer is "
                    + std::to_string(current->outFeatures()) + "x" + std::to_string(current->inFeatures()));
    return std::exchange(current, std::move(replacement));
}

} // namespace glvq::model
