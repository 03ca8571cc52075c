// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The trainer's Llama model as a torch::nn module with autograd (core/model's forward runs without it).
// Parameter names are Hugging Face's ("model.layers.0.self_attn.q_proj.weight", "lm_head.weight"), so the
// state dict is saved as a transformers-loadable checkpoint as it is. The arithmetic mirrors
// LlamaForCausalLM: pre-norm blocks, RMSNorm in fp32, rotate-half RoPE, grouped-query causal attention,
// SwiGLU MLP, untied lm_head. tests/sample_data checks that core/model reproduces its logits.
#include "core/io/hf_config.h"

#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/linear.h>

namespace glvq::trainer {

struct RmsNormImpl : torch::nn::Module {
    RmsNormImpl(std::int64_t size, double eps);
    torch::Tensor forward(const torch::Tensor& x);
    torch::Tensor weight;
    double eps;
};
TORCH_MODULE(RmsNorm);

struct AttentionImpl : torch::nn::Module {
    explicit AttentionImpl(const io::ModelConfig& config);
    // x: [batch, time, hidden]; cos/sin: [time, headDim].
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin);
    torch::nn::Linear q_proj { nullptr }, k_proj { nullptr }, v_proj { nullptr }, o_proj { nullptr };
    std::int64_t heads, kvHeads, headDim;
};
TORCH_MODULE(Attention);

struct MlpImpl : torch::nn::Module {
    explicit MlpImpl(const io::ModelConfig& config);
    torch::Tensor forward(const torch::Tensor& x);
    torch::nn::Linear gate_proj { nullptr }, up_proj { nullptr }, down_proj { nullptr };
};
TORCH_MODULE(Mlp);

struct DecoderBlockImpl : torch::nn::Module {
    explicit DecoderBlockImpl(const io::ModelConfig& config);
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin);
    RmsNorm input_layernorm { nullptr }, post_attention_layernorm { nullptr };
    Attention self_attn { nullptr };
    Mlp mlp { nullptr };
};
TORCH_MODULE(DecoderBlock);

// The "model." part of LlamaForCausalLM: embeddings, blocks, final norm.
struct LlamaBodyImpl : torch::nn::Module {
    explicit LlamaBodyImpl(const io::ModelConfig& config);
    torch::nn::Embedding embed_tokens { nullptr };
    torch::nn::ModuleList layers { nullptr };
    RmsNorm norm { nullptr };
};
TORCH_MODULE(LlamaBody);

struct LlamaForCausalLMImpl : torch::nn::Module {
    explicit LlamaForCausalLMImpl(io::ModelConfig config);
    // ids: [batch, time] int64 on the module's device. Returns fp32 logits [batch, time, vocab].
    torch::Tensor forward(const torch::Tensor& ids);
    // GPT-2-style init: N(0, 0.02), residual output projections scaled by 1/sqrt(2 * layers), norms 1.
    void initialiseWeights();

    io::ModelConfig config;
    LlamaBody model { nullptr };
    torch::nn::Linear lm_head { nullptr };
};
TORCH_MODULE(LlamaForCausalLM);

} // namespace glvq::trainer
