// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Owning storage for one packed GLVQ layer (the arrays of docs/FORMAT.md §4 / glvq_layout.h), viewed as the
// non-owning glvq_packed_layer every kernel takes. Used by core (export, FusedGlvqLinear) and by the kernel
// tests and benches (synthetic layers), so one struct describes the layout's arrays.
// Ownership: view() borrows the vectors; it is valid while this object lives unmodified. Thread-safety: a
// plain value type.
#include "kernels/glvq_layout.h"

#include <cstdint>
#include <vector>

namespace glvq::kernels {

struct PackedLayerStorage {
    std::int64_t rows = 0;
    std::int64_t cols = 0;
    std::int32_t dim = 0;
    std::vector<std::uint32_t> words;
    std::vector<std::uint64_t> wordOffsets; // group_count + 1 prefix sums, in words
    std::vector<std::uint16_t> generators;  // fp16, group_count · d · d, G row-major per group
    std::vector<std::uint16_t> mu;          // fp16 per group (0 = companding off)
    std::vector<std::uint16_t> scale;       // fp16 per group
    std::vector<std::uint8_t> bits;         // per group, 1..4
    std::vector<std::uint32_t> firstColumn; // per group
    std::vector<std::uint32_t> columns;     // per group
    std::vector<std::uint16_t> rowScales;   // fp16 per row, or empty (row scale off)

    glvq_packed_layer view() const
    {
        glvq_packed_layer layer;
        layer.rows = rows;
        layer.cols = cols;
        layer.dim = dim;
        layer.group_count = static_cast<std::int32_t>(bits.size());
        layer.words = words.data();
        layer.word_offsets = wordOffsets.data();
        layer.generators = generators.data();
        layer.mu = mu.data();
        layer.scale = scale.data();
        layer.bits = bits.data();
        layer.first_column = firstColumn.data();
        layer.columns = columns.data();
        layer.row_scales = rowScales.empty() ? nullptr : rowScales.data();
        return layer;
    }
};

} // namespace glvq::kernels
