// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Which tensors a Llama-family checkpoint must hold, with their shapes, derived from its config.
#include "core/io/hf_config.h"

#include <cstdint>
#include <string>
#include <vector>

namespace glvq::model {

struct ExpectedTensor {
    std::string name;                 // e.g. "model.layers.0.self_attn.q_proj.weight"
    std::vector<std::int64_t> shape;
};

std::vector<ExpectedTensor> expectedTensors(const io::ModelConfig& config);

} // namespace glvq::model
