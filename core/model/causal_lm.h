// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A Llama-family causal language model (llama, mistral, qwen2) in LibTorch, computing in fp32 on the CPU or a
// CUDA device. Mirrors Hugging Face transformers' LlamaForCausalLM: embedding, pre-norm decoder blocks (RMSNorm,
// rotary grouped-query causal attention, SwiGLU MLP), final RMSNorm, lm_head.
//
// Every linear layer of the decoder blocks (and lm_head) is addressable by its checkpoint name without the
// ".weight" suffix, e.g. "model.layers.3.mlp.down_proj", and can be replaced by another LinearOp (a quantized
// layer). An input capture hook sees the input of every linear layer during forward (calibration).
//
// Thread-safety: forward() may run concurrently with other forward() calls only when no capture hook is set.
// replaceLinear() and setInputCapture() must not race with forward().
#include "core/io/hf_config.h"
#include "core/model/compute_device.h"
#include "core/model/linear.h"
#include "core/util/cancel.h"
#include "core/util/progress.h"

#include <ATen/core/Tensor.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace glvq::model {

struct DecoderLayer;

class CausalLM {
public:
    using InputCapture = std::function<void(const std::string& linearName, const at::Tensor& input)>;

    CausalLM(io::ModelConfig config, ComputeDevice device, at::Tensor embedding, std::vector<DecoderLayer> layers,
             at::Tensor finalNorm, std::shared_ptr<const LinearOp> lmHead);
    ~CausalLM();
    CausalLM(const CausalLM&) = delete;
    CausalLM& operator=(const CausalLM&) = delete;

    // inputIds: [batch, time] int64 (on any device). Returns logits [batch, time, vocab], fp32, on the model's
    // device. Runs without autograd.
    at::Tensor forward(const at::Tensor& inputIds) const;

    // The same forward pass in stages, for block-by-block (sequential) calibration:
    // embed(ids) -> forwardBlock(0..numLayers-1) -> head(). Hidden states are [batch, time, hidden] fp32.
    at::Tensor embed(const at::Tensor& inputIds) const;
    at::Tensor forwardBlock(std::int64_t layer, const at::Tensor& hidden) const;
    at::Tensor head(const at::Tensor& hidden) const; // final RMSNorm + lm_head: logits
    // Names of block `layer`'s seven linear layers, in forward order.
    std::vector<std::string> blockLinearNames(std::int64_t layer) const;

    const io::ModelConfig& config() const { return m_config; }
    ComputeDevice device() const { return m_device; }
    std::int64_t parameterCount() const;

    // Decoder-block linear layers in forward order ("model.layers.0.self_attn.q_proj", ...), without lm_head.
    const std::vector<std::string>& blockLinearNames() const { return m_blockLinearNames; }
    bool hasLinear(std::string_view name) const;
    // Throws glvq::Error naming the layer when there is none of that name ("lm_head" is also accepted).
    const LinearOp& linear(std::string_view name) const;
    std::shared_ptr<const LinearOp> linearPtr(std::string_view name) const;
    // Swaps in `replacement` (same in/out features, same device) and returns the layer it replaced.
    std::shared_ptr<const LinearOp> replaceLinear(std::string_view name, std::shared_ptr<const LinearOp> replacement);

    void setInputCapture(InputCapture capture) { m_capture = std::move(capture); }

private:
    at::Tensor checkedIds(const at::Tensor& inputIds) const;
    std::shared_ptr<const LinearOp>& slot(std::string_view name);
    const std::shared_ptr<const LinearOp>& slot(std::string_view name) const;

    io::ModelConfig m_config;
    ComputeDevice m_device;
    at::Tensor m_embedding; // [vocab, hidden]
    std::vector<DecoderLayer> m_layers;
    at::Tensor m_finalNorm;
    std::shared_ptr<const LinearOp> m_lmHead;
    at::Tensor m_ropeInvFreq; // [headDim / 2]
    std::vector<std::string> m_blockLinearNames;
    InputCapture m_capture;
};

// Loads config.json and the safetensors weights of a checkpoint directory (converted to fp32) onto `device`.
// Missing or mis-shaped tensors are a glvq::Error naming the tensor and the expected shape.
std::unique_ptr<CausalLM> loadCausalLM(const std::filesystem::path& modelDir, ComputeDevice device,
                                       const ProgressCallback& progress = {}, const CancelToken& cancel = {});

} // namespace glvq::model
