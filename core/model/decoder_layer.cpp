// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/model/decoder_layer.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <tuple>

namespace glvq::model {

const std::array<const char*, kLinearSlotCount> kLinearSlotNames = {
    "self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.o_proj",
    "mlp.gate_proj",    "mlp.up_proj",      "mlp.down_proj",
};

bool linearHasBias(const io::ModelConfig& config, LinearSlot slot)
{
    if (slot <= kVProj)
        return config.attentionBias;
    if (slot == kOProj)
        return config.outputProjectionBias;
    return config.mlpBias;
}

at::Tensor rmsNorm(const at::Tensor& x, const at::Tensor& weight, double eps)
{
    // As transformers' LlamaRMSNorm: x * rsqrt(mean(x²) + eps), then the learned gain.
    const auto variance = x.pow(2).mean(-1, /*keepdim=*/true);
    return weight * (x * at::rsqrt(variance + eps));
}

namespace {

// HF's rotate_half convention: the head dimension is split in two halves (not interleaved pairs).
at::Tensor applyRotary(const at::Tensor& x, const RotaryTables& rope)
{
    const auto half = x.size(-1) / 2;
    const auto x1 = x.narrow(-1, 0, half);
    const auto x2 = x.narrow(-1, half, half);
    const auto rotated = at::cat({ -x2, x1 }, -1);
    return x * rope.cos + rotated * rope.sin;
}

// Writes the new positions into the cache (growing it geometrically when full) and returns views of every
// cached position [batch, kvHeads, past + time, headDim].
std::pair<at::Tensor, at::Tensor> appendToCache(LayerKv& kv, const at::Tensor& k, const at::Tensor& v)
{
    const auto past = kv.length;
    const auto time = k.size(2);
    if (!kv.keys.defined() || kv.keys.size(2) < past + time) {
        auto shape = k.sizes().vec();
        shape[2] = std::max<std::int64_t>(2 * (past + time), 64);
        auto keys = at::empty(shape, k.options());
        auto values = at::empty(shape, v.options());
        if (past > 0) {
            keys.narrow(2, 0, past).copy_(kv.keys.narrow(2, 0, past));
            values.narrow(2, 0, past).copy_(kv.values.narrow(2, 0, past));
        }
        kv.keys = std::move(keys);
        kv.values = std::move(values);
    }
    kv.keys.narrow(2, past, time).copy_(k);
    kv.values.narrow(2, past, time).copy_(v);
    kv.length = past + time;
    return { kv.keys.narrow(2, 0, past + time), kv.values.narrow(2, 0, past + time) };
}

} // namespace

at::Tensor DecoderLayer::forward(const at::Tensor& hidden, const RotaryTables& rope, const at::Tensor& mask,
                                 const io::ModelConfig& config, const Capture& capture, LayerKv* kv) const
{
    const auto batch = hidden.size(0);
    const auto time = hidden.size(1);
    const auto headDim = config.headDim;
    const auto run = [&](LinearSlot slotIndex, const at::Tensor& input) {
        if (capture)
            capture(names[slotIndex], input);
        return linears[slotIndex]->forward(input);
    };

    // Attention: [batch, heads, time, headDim] after the transpose.
    const auto normed = rmsNorm(hidden, inputNorm, config.rmsNormEps);
    auto q = run(kQProj, normed).view({ batch, time, config.numHeads, headDim }).transpose(1, 2);
    auto k = run(kKProj, normed).view({ batch, time, config.numKvHeads, headDim }).transpose(1, 2);
    auto v = run(kVProj, normed).view({ batch, time, config.numKvHeads, headDim }).transpose(1, 2);
    q = applyRotary(q, rope);
    k = applyRotary(k, rope);
    if (kv)
        std::tie(k, v) = appendToCache(*kv, k, v);
    const auto span = k.size(2); // past + time
    if (config.numKvHeads != config.numHeads) {
        // Grouped-query attention: query head h reads KV head h / group (transformers' repeat_kv order).
        const auto group = config.kvGroupSize();
        k = k.unsqueeze(2).expand({ batch, config.numKvHeads, group, span, headDim }).reshape(
            { batch, config.numHeads, span, headDim });
        v = v.unsqueeze(2).expand({ batch, config.numKvHeads, group, span, headDim }).reshape(
            { batch, config.numHeads, span, headDim });
    }
    const double scale = 1.0 / std::sqrt(static_cast<double>(headDim));
    auto scores = at::matmul(q, k.transpose(-2, -1)).mul_(scale).add_(mask);
    const auto probabilities = at::softmax(scores, -1);
    const auto context
        = at::matmul(probabilities, v).transpose(1, 2).reshape({ batch, time, config.numHeads * headDim });
    const auto attended = hidden + run(kOProj, context);

    // SwiGLU MLP.
    const auto normed2 = rmsNorm(attended, postAttentionNorm, config.rmsNormEps);
    const auto gate = at::silu(run(kGateProj, normed2));
    const auto up = run(kUpProj, normed2);
    return attended + run(kDownProj, gate * up);
}

} // namespace glvq::model
