// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// One pre-norm decoder block (internal to core/model). Holds its seven linear layers by shared pointer so
// quantized replacements can be swapped in.
#include "core/io/hf_config.h"
#include "core/model/linear.h"

#include <ATen/core/Tensor.h>

#include <array>
#include <functional>
#include <memory>
#include <string>

namespace glvq::model {

// Slot order is the forward order; names are the checkpoint suffixes after "model.layers.N.".
enum LinearSlot { kQProj, kKProj, kVProj, kOProj, kGateProj, kUpProj, kDownProj, kLinearSlotCount };
extern const std::array<const char*, kLinearSlotCount> kLinearSlotNames; // "self_attn.q_proj", ...

// Whether the checkpoint carries a bias for this projection (q/k/v: attention_bias or qwen2; o: llama's
// attention_bias; MLP: mlp_bias).
bool linearHasBias(const io::ModelConfig& config, LinearSlot slot);

struct RotaryTables {
    at::Tensor cos; // [time, headDim]
    at::Tensor sin; // [time, headDim]
};

// One block's cached keys and values for incremental decoding, after the rotary embedding and before
// grouped-query expansion: buffers [batch, kvHeads, capacity, headDim] of which the first `length` positions
// are valid. Capacity grows geometrically, so a token appends in place instead of re-copying the cache.
struct LayerKv {
    at::Tensor keys;
    at::Tensor values;
    std::int64_t length = 0;
};

struct DecoderLayer {
    at::Tensor inputNorm;         // [hidden]
    at::Tensor postAttentionNorm; // [hidden]
    std::array<std::shared_ptr<const LinearOp>, kLinearSlotCount> linears;
    std::array<std::string, kLinearSlotCount> names; // full names, "model.layers.3.mlp.down_proj"

    using Capture = std::function<void(const std::string&, const at::Tensor&)>;
    // hidden: [batch, time, hidden]; rope: tables for the new positions; mask: additive [time, past + time].
    // With `kv` (past = kv->length), the new keys and values are appended to it and attention covers past + new
    // positions.
    // Returns the new hidden state.
    at::Tensor forward(const at::Tensor& hidden, const RotaryTables& rope, const at::Tensor& mask,
                       const io::ModelConfig& config, const Capture& capture, LayerKv* kv = nullptr) const;
};

at::Tensor rmsNorm(const at::Tensor& x, const at::Tensor& weight, double eps);

} // namespace glvq::model
