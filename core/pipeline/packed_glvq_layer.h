// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A GLVQ layer's codes and side information as the owning arrays behind a kernels/ glvq_packed_layer: the
// packed stream of docs/FORMAT.md §4 with fp16 side info. Export writes these arrays; the fused kernels
// (FusedGlvqLinear) read them. Building one from GlvqLayerCodes is exact: every stored float is
// fp16-representable (GlvqLayerCodes checks it), so the kernels decode the same Ŵ as GlvqLayerCodes::decode().
// Ownership: view() borrows the arrays; it stays valid while this object lives and is not modified.
// Thread-safety: immutable after construction.
#include "kernels/glvq_layout.h"

#include <cstdint>
#include <string>
#include <vector>

namespace glvq::quant {
class GlvqLayerCodes;
}

namespace glvq::pipeline {

struct PackedGlvqLayer {
    std::int64_t rows = 0;
    std::int64_t cols = 0;
    std::int32_t dim = 0;
    std::vector<std::uint32_t> words;
    std::vector<std::uint64_t> wordOffsets; // group_count + 1
    std::vector<std::uint16_t> generators;  // fp16, group_count · d · d
    std::vector<std::uint16_t> mu;          // fp16
    std::vector<std::uint16_t> scale;       // fp16
    std::vector<std::uint8_t> bits;
    std::vector<std::uint32_t> firstColumn;
    std::vector<std::uint32_t> columns;
    std::vector<std::uint16_t> rowScales;   // fp16, rows values, or empty (row scale off)

    glvq_packed_layer view() const;
};

// Throws glvq::Error naming `layerName` when the kernels' packer rejects the codes.
PackedGlvqLayer packGlvqLayer(const quant::GlvqLayerCodes& codes, const std::string& layerName);

} // namespace glvq::pipeline
