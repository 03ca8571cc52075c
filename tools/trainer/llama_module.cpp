// SPDX-License-Identifier: GPL-3.0-or-later
#include "tools/trainer/llama_module.h"

#include <torch/torch.h>
#include <torch/version.h>

#include <cmath>
#include <limits>
#include <string>

namespace glvq::trainer {
namespace {

torch::nn::Linear linear(std::int64_t in, std::int64_t out)
{
    return torch::nn::Linear(torch::nn::LinearOptions(in, out).bias(false));
}

torch::Tensor rotateHalf(const torch::Tensor& x)
{
    const auto half = x.size(-1) / 2;
    return torch::cat({ -x.narrow(-1, half, half), x.narrow(-1, 0, half) }, -1);
}

// q, k, v: [batch, heads, time, headDim], k and v already repeated to the query heads.
torch::Tensor causalAttention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v)
{
#if TORCH_VERSION_MAJOR >= 2
    // Fused (flash / memory-efficient) kernels on CUDA; the same maths as the explicit path below.
    return at::scaled_dot_product_attention(q, k, v, {}, 0.0, /*is_causal=*/true);
#else
    const auto time = q.size(2);
    auto scores = torch::matmul(q, k.transpose(-2, -1)) / std::sqrt(static_cast<double>(q.size(-1)));
    const auto future = torch::ones({ time, time }, q.options().dtype(torch::kBool)).triu(1);
    scores = scores.masked_fill(future, -std::numeric_limits<float>::infinity());
    return torch::matmul(torch::softmax(scores, -1), v);
#endif
}

} // namespace

RmsNormImpl::RmsNormImpl(std::int64_t size, double eps_)
    : weight(register_parameter("weight", torch::ones({ size })))
    , eps(eps_)
{
}

torch::Tensor RmsNormImpl::forward(const torch::Tensor& x)
{
    const auto x32 = x.to(torch::kFloat32);
    return weight * (x32 * torch::rsqrt(x32.pow(2).mean(-1, true) + eps)).to(x.scalar_type());
}

AttentionImpl::AttentionImpl(const io::ModelConfig& config)
    : heads(config.numHeads)
    , kvHeads(config.numKvHeads)
    , headDim(config.headDim)
{
    q_proj = register_module("q_proj", linear(config.hiddenSize, heads * headDim));
    k_proj = register_module("k_proj", linear(config.hiddenSize, kvHeads * headDim));
    v_proj = register_module("v_proj", linear(config.hiddenSize, kvHeads * headDim));
    o_proj = register_module("o_proj", linear(heads * headDim, config.hiddenSize));
}

torch::Tensor AttentionImpl::forward(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin)
{
    const auto batch = x.size(0), time = x.size(1);
    auto q = q_proj->forward(x).view({ batch, time, heads, headDim }).transpose(1, 2);
    auto k = k_proj->forward(x).view({ batch, time, kvHeads, headDim }).transpose(1, 2);
    auto v = v_proj->forward(x).view({ batch, time, kvHeads, headDim }).transpose(1, 2);
    q = q * cos + rotateHalf(q) * sin;
    k = k * cos + rotateHalf(k) * sin;
    // HF's repeat_kv: KV head j serves query heads j*group .. (j+1)*group-1.
    const auto group = heads / kvHeads;
    k = k.repeat_interleave(group, 1);
    v = v.repeat_interleave(group, 1);
    const auto out = causalAttention(q, k, v).transpose(1, 2).reshape({ batch, time, heads * headDim });
    return o_proj->forward(out);
}

MlpImpl::MlpImpl(const io::ModelConfig& config)
{
    gate_proj = register_module("gate_proj", linear(config.hiddenSize, config.intermediateSize));
    up_proj = register_module("up_proj", linear(config.hiddenSize, config.intermediateSize));
    down_proj = register_module("down_proj", linear(config.intermediateSize, config.hiddenSize));
}

torch::Tensor MlpImpl::forward(const torch::Tensor& x)
{
    return down_proj->forward(torch::silu(gate_proj->forward(x)) * up_proj->forward(x));
}

DecoderBlockImpl::DecoderBlockImpl(const io::ModelConfig& config)
{
    input_layernorm = register_module("input_layernorm", RmsNorm(config.hiddenSize, config.rmsNormEps));
    self_attn = register_module("self_attn", Attention(config));
    post_attention_layernorm
        = register_module("post_attention_layernorm", RmsNorm(config.hiddenSize, config.rmsNormEps));
    mlp = register_module("mlp", Mlp(config));
}

torch::Tensor DecoderBlockImpl::forward(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin)
{
    const auto h = x + self_attn->forward(input_layernorm->forward(x), cos, sin);
    return h + mlp->forward(post_attention_layernorm->forward(h));
}

LlamaBodyImpl::LlamaBodyImpl(const io::ModelConfig& config)
{
    embed_tokens = register_module("embed_tokens", torch::nn::Embedding(config.vocabSize, config.hiddenSize));
    layers = register_module("layers", torch::nn::ModuleList());
    for (std::int64_t i = 0; i < config.numLayers; ++i)
        layers->push_back(DecoderBlock(config));
    norm = register_module("norm", RmsNorm(config.hiddenSize, config.rmsNormEps));
}

LlamaForCausalLMImpl::LlamaForCausalLMImpl(io::ModelConfig config_)
    : config(std::move(config_))
{
    model = register_module("model", LlamaBody(config));
    lm_head = register_module("lm_head", linear(config.hiddenSize, config.vocabSize));
}

torch::Tensor LlamaForCausalLMImpl::forward(const torch::Tensor& ids)
{
    const auto time = ids.size(1);
    const auto floatOptions = torch::TensorOptions().dtype(torch::kFloat32).device(ids.device());
    // As transformers: inv_freq = 1 / theta^(2i/d), angles = position x inv_freq, duplicated for both halves.
    const auto exponents = torch::arange(0, config.headDim, 2, floatOptions) / static_cast<double>(config.headDim);
    const auto invFreq = 1.0 / torch::pow(config.ropeTheta, exponents);
    const auto angles = torch::outer(torch::arange(time, floatOptions), invFreq).repeat({ 1, 2 });
    const auto cos = angles.cos(), sin = angles.sin();

    auto hidden = model->embed_tokens->forward(ids);
    for (const auto& layer : *model->layers)
        hidden = layer->as<DecoderBlock>()->forward(hidden, cos, sin);
    return lm_head->forward(model->norm->forward(hidden));
}

void LlamaForCausalLMImpl::initialiseWeights()
{
    torch::NoGradGuard noGrad;
    const double residualStd = 0.02 / std::sqrt(2.0 * static_cast<double>(config.numLayers));
    for (auto& item : named_parameters()) {
        const auto& name = item.key();
        auto& parameter = item.value();
        if (name.ends_with("norm.weight"))
            parameter.fill_(1.0);
        else if (name.ends_with("o_proj.weight") || name.ends_with("down_proj.weight"))
            parameter.normal_(0.0, residualStd);
        else
            parameter.normal_(0.0, 0.02);
    }
}

} // namespace glvq::trainer
