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
struct LayerKv;
struct RotaryTables;

// Keys and values of every position run so far, for incremental (token-by-token) decoding. Owned by the
// caller, one per sequence batch; grows by the new positions at each forwardCached call.
struct KvCache {
    std::vector<LayerKv> layers; // per decoder block; sized by the first forwardCached call
    std::int64_t length = 0;     // positions cached
    KvCache();
    ~KvCache();
    KvCache(KvCache&&) noexcept;
    KvCache& operator=(KvCache&&) noexcept;
};

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
    // Incremental forward: inputIds [batch, time] are the positions after the cache.length cached ones; returns
    // their logits [batch, time, vocab] (equal to the matching rows of forward() over the whole sequence) and
    // appends their keys and values to `cache`. Prefill with the prompt, then one token per call.
    at::Tensor forwardCached(const at::Tensor& inputIds, KvCache& cache) const;
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
    RotaryTables rotaryTables(std::int64_t past, std::int64_t time, const at::Device& device) const;
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

// Where a model's tensors come from (a checkpoint directory, an exported file). `tensor` returns the named
// tensor (any float dtype, CPU) or throws glvq::Error naming it; `shape` is what config.json implies.
// `linear`, when set, may supply a decoder-block linear layer itself (a quantized one) given its module name,
// bias (fp32 on `device`, undefined when none) and device; returning null falls back to a dense layer from
// tensor(name + ".weight"). `origin` names the source in errors.
struct ModelSource {
    std::string origin;
    std::function<at::Tensor(const std::string& name, const std::vector<std::int64_t>& shape)> tensor;
    std::function<std::shared_ptr<const LinearOp>(const std::string& name, const at::Tensor& bias,
                                                  const at::Device& device)>
        linear;
};

// Builds the model from `source`, checking every tensor's shape against `config`.
std::unique_ptr<CausalLM> buildCausalLM(io::ModelConfig config, ComputeDevice device, const ModelSource& source,
                                        const ProgressCallback& progress = {}, const CancelToken& cancel = {});

// Loads config.json and the safetensors weights of a checkpoint directory (converted to fp32) onto `device`.
// Missing or mis-shaped tensors are a glvq::Error naming the tensor and the expected shape.
std::unique_ptr<CausalLM> loadCausalLM(const std::filesystem::path& modelDir, ComputeDevice device,
                                       const ProgressCallback& progress = {}, const CancelToken& cancel = {});

} // namespace glvq::model
