// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Internal to glvq_io: validation of a safetensors JSON header, apart from the file so that it can be
// reasoned about (and tested) on its own.
#include "core/io/safetensors.h"

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace glvq::io::detail {

struct SafetensorsHeader {
    std::vector<TensorInfo> tensors; // sorted by data offset, then name
    std::map<std::string, std::string> metadata;
};

// Parses and checks `json` against a data section of `dataSize` bytes. Throws glvq::Error with a
// one-line message that starts with `label` (the file's path) and names the tensor at fault.
SafetensorsHeader parseSafetensorsHeader(std::string_view json, std::uint64_t dataSize, const std::string& label);

} // namespace glvq::io::detail
