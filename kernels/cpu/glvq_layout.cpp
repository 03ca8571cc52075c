// SPDX-License-Identifier: GPL-3.0-or-later
#include "kernels/glvq_fail.h"
#include "kernels/glvq_layout.h"

#include <string>

namespace {

std::string groupText(std::int32_t g) { return "group " + std::to_string(g) + ": "; }

} // namespace

std::uint64_t glvq_group_words(std::int64_t rows, std::uint32_t columns, std::uint32_t bits)
{
    return static_cast<std::uint64_t>(rows) * glvq_row_words(columns, bits);
}

glvq_status glvq_compute_word_offsets(std::int64_t rows, std::int32_t group_count, const std::uint32_t* columns,
                                      const std::uint8_t* bits, std::uint64_t* offsets)
{
    if (rows <= 0 || group_count <= 0 || !columns || !bits || !offsets)
        return glvq_fail(GLVQ_ERR_INVALID_ARGUMENT, "word offsets: need rows > 0, groups > 0 and non-null arrays");
    offsets[0] = 0;
    for (std::int32_t g = 0; g < group_count; ++g) {
        if (bits[g] < 1 || bits[g] > 4 || columns[g] == 0)
            return glvq_fail(GLVQ_ERR_INVALID_ARGUMENT, groupText(g) + std::to_string(columns[g]) + " columns of "
                                                            + std::to_string(bits[g]) + " bits (need > 0 and 1..4)");
        offsets[g + 1] = offsets[g] + glvq_group_words(rows, columns[g], bits[g]);
    }
    return GLVQ_OK;
}

glvq_status glvq_pack_group(const std::uint8_t* codes, std::int64_t code_row_stride, std::int64_t rows,
                            std::uint32_t columns, std::uint32_t bits, std::uint32_t* words)
{
    if (!codes || !words || rows <= 0 || columns == 0 || bits < 1 || bits > 4 || code_row_stride < columns)
        return glvq_fail(GLVQ_ERR_INVALID_ARGUMENT, "pack: need codes, words, rows > 0, columns > 0, bits 1..4 and "
                                                    "a row stride >= columns");
    const std::uint32_t rowWords = glvq_row_words(columns, bits);
    const std::uint32_t maxCode = (1u << bits) - 1u;
    for (std::int64_t i = 0; i < rows; ++i) {
        const std::uint8_t* u = codes + i * code_row_stride;
        std::uint32_t* out = words + static_cast<std::uint64_t>(i) * rowWords;
        // 64-bit accumulator: append b bits per code, flush whole words; the tail word keeps zero padding.
        std::uint64_t acc = 0;
        std::uint32_t filled = 0;
        std::uint32_t w = 0;
        for (std::uint32_t j = 0; j < columns; ++j) {
            if (u[j] > maxCode)
                return glvq_fail(GLVQ_ERR_INVALID_ARGUMENT, "pack: code " + std::to_string(u[j]) + " at row "
                                                                + std::to_string(i) + ", column " + std::to_string(j)
                                                                + " exceeds 2^" + std::to_string(bits) + " - 1");
            acc |= static_cast<std::uint64_t>(u[j]) << filled;
            filled += bits;
            if (filled >= 32) {
                out[w++] = static_cast<std::uint32_t>(acc);
                acc >>= 32;
                filled -= 32;
            }
        }
        if (filled > 0)
            out[w++] = static_cast<std::uint32_t>(acc);
    }
    return GLVQ_OK;
}

glvq_status glvq_pack_layer(std::int64_t rows, std::int32_t group_count, const std::uint32_t* columns,
                            const std::uint8_t* bits, const std::uint8_t* const* group_codes, std::uint64_t* offsets,
                            std::uint32_t* words, std::uint64_t word_capacity)
{
    if (const glvq_status s = glvq_compute_word_offsets(rows, group_count, columns, bits, offsets); s != GLVQ_OK)
        return s;
    if (!group_codes || !words)
        return glvq_fail(GLVQ_ERR_INVALID_ARGUMENT, "pack layer: null codes or words");
    if (offsets[group_count] > word_capacity)
        return glvq_fail(GLVQ_ERR_INVALID_ARGUMENT, "pack layer: the stream needs " + std::to_string(offsets[group_count])
                                                        + " words, the buffer holds " + std::to_string(word_capacity));
    for (std::int32_t g = 0; g < group_count; ++g) {
        if (!group_codes[g])
            return glvq_fail(GLVQ_ERR_INVALID_ARGUMENT, groupText(g) + "null codes");
        if (const glvq_status s = glvq_pack_group(group_codes[g], columns[g], rows, columns[g], bits[g], words + offsets[g]);
            s != GLVQ_OK)
            return glvq_fail(s, groupText(g) + glvq_last_error());
    }
    return GLVQ_OK;
}

glvq_status glvq_unpack_group(const std::uint32_t* words, std::int64_t rows, std::uint32_t columns,
                              std::uint32_t bits, std::uint8_t* codes, std::int64_t code_row_stride)
{
    if (!codes || !words || rows <= 0 || columns == 0 || bits < 1 || bits > 4 || code_row_stride < columns)
        return glvq_fail(GLVQ_ERR_INVALID_ARGUMENT, "unpack: need codes, words, rows > 0, columns > 0, bits 1..4 "
                                                    "and a row stride >= columns");
    const std::uint32_t rowWords = glvq_row_words(columns, bits);
    for (std::int64_t i = 0; i < rows; ++i) {
        const std::uint32_t* in = words + static_cast<std::uint64_t>(i) * rowWords;
        std::uint8_t* u = codes + i * code_row_stride;
        for (std::uint32_t j = 0; j < columns; ++j)
            u[j] = static_cast<std::uint8_t>(glvq_code_at(in, j, bits));
    }
    return GLVQ_OK;
}

glvq_status glvq_check_packed(const glvq_packed_layer* layer)
{
    if (!layer)
        return glvq_fail(GLVQ_ERR_INVALID_ARGUMENT, "packed layer: null");
    const glvq_packed_layer& L = *layer;
    if (L.rows <= 0 || L.cols <= 0 || L.cols > 0xffffffffLL || L.rows > (std::int64_t(1) << 40))
        return glvq_fail(GLVQ_ERR_BAD_LAYOUT, "packed layer: shape " + std::to_string(L.rows) + " x "
                                                  + std::to_string(L.cols) + " (need rows > 0, 0 < cols < 2^32)");
    if (L.dim < 1 || L.dim > 32)
        return glvq_fail(GLVQ_ERR_BAD_LAYOUT, "packed layer: lattice dimension " + std::to_string(L.dim)
                                                  + " outside 1..32");
    if (L.group_count < 1 || L.group_count > L.cols)
        return glvq_fail(GLVQ_ERR_BAD_LAYOUT, "packed layer: " + std::to_string(L.group_count) + " groups for "
                                                  + std::to_string(L.cols) + " columns");
    if (!L.words || !L.word_offsets || !L.generators || !L.mu || !L.scale || !L.bits || !L.first_column
        || !L.columns)
        return glvq_fail(GLVQ_ERR_INVALID_ARGUMENT, "packed layer: a required array is null");
    if (L.word_offsets[0] != 0)
        return glvq_fail(GLVQ_ERR_BAD_LAYOUT, "packed layer: word_offsets[0] = "
                                                  + std::to_string(L.word_offsets[0]) + ", expected 0");
    std::uint64_t nextColumn = 0;
    const std::uint32_t dd = static_cast<std::uint32_t>(L.dim * L.dim);
    for (std::int32_t g = 0; g < L.group_count; ++g) {
        const std::uint32_t n = L.columns[g];
        const std::uint32_t b = L.bits[g];
        if (L.first_column[g] != nextColumn)
            return glvq_fail(GLVQ_ERR_BAD_LAYOUT, groupText(g) + "starts at column " + std::to_string(L.first_column[g])
                                                      + ", expected " + std::to_string(nextColumn));
        if (n == 0 || n % static_cast<std::uint32_t>(L.dim) != 0)
            return glvq_fail(GLVQ_ERR_BAD_LAYOUT, groupText(g) + std::to_string(n)
                                                      + " columns, not a positive multiple of d=" + std::to_string(L.dim));
        if (b < 1 || b > 4)
            return glvq_fail(GLVQ_ERR_BAD_LAYOUT, groupText(g) + std::to_string(b) + " bits, expected 1..4");
        nextColumn += n;
        if (nextColumn > static_cast<std::uint64_t>(L.cols))
            return glvq_fail(GLVQ_ERR_BAD_LAYOUT, groupText(g) + "ends at column " + std::to_string(nextColumn)
                                                      + ", past the layer's " + std::to_string(L.cols) + " columns");
        const std::uint64_t expected = L.word_offsets[g] + glvq_group_words(L.rows, n, b);
        if (L.word_offsets[g + 1] != expected)
            return glvq_fail(GLVQ_ERR_BAD_LAYOUT, groupText(g) + "word offset " + std::to_string(L.word_offsets[g + 1])
                                                      + " for the next group, expected " + std::to_string(expected)
                                                      + " (rows x ceil(columns x bits / 32) after "
                                                      + std::to_string(L.word_offsets[g]) + ")");
        const std::uint16_t* G = L.generators + static_cast<std::uint64_t>(g) * dd;
        for (std::uint32_t e = 0; e < dd; ++e)
            if (!glvq_half_is_finite(G[e]))
                return glvq_fail(GLVQ_ERR_BAD_LAYOUT, groupText(g) + "generator entry " + std::to_string(e)
                                                          + " is not finite");
        const float mu = glvq_half_to_float(L.mu[g]);
        const float s = glvq_half_to_float(L.scale[g]);
        if (!glvq_half_is_finite(L.mu[g]) || mu < 0.0f)
            return glvq_fail(GLVQ_ERR_BAD_LAYOUT, groupText(g) + "mu = " + std::to_string(mu)
                                                      + ", expected a finite value >= 0");
        if (!glvq_half_is_finite(L.scale[g]) || s < 0.0f)
            return glvq_fail(GLVQ_ERR_BAD_LAYOUT, groupText(g) + "scale = " + std::to_string(s)
                                                      + ", expected a finite value >= 0");
    }
    if (nextColumn != static_cast<std::uint64_t>(L.cols))
        return glvq_fail(GLVQ_ERR_BAD_LAYOUT, "packed layer: groups cover " + std::to_string(nextColumn) + " of "
                                                  + std::to_string(L.cols) + " columns");
    return GLVQ_OK;
}

glvq_status glvq_validate_packed(const glvq_packed_layer* layer, std::uint64_t available_words)
{
    if (const glvq_status s = glvq_check_packed(layer); s != GLVQ_OK)
        return s;
    const glvq_packed_layer& L = *layer;
    if (L.word_offsets[L.group_count] > available_words)
        return glvq_fail(GLVQ_ERR_BAD_LAYOUT, "packed layer: offsets need " + std::to_string(L.word_offsets[L.group_count])
                                                  + " words, the stream has " + std::to_string(available_words));
    if (L.row_scales)
        for (std::int64_t i = 0; i < L.rows; ++i)
            if (!glvq_half_is_finite(L.row_scales[i]))
                return glvq_fail(GLVQ_ERR_BAD_LAYOUT, "packed layer: row scale " + std::to_string(i) + " is not finite");
    for (std::int32_t g = 0; g < L.group_count; ++g) {
        const std::uint64_t bitsPerRow = static_cast<std::uint64_t>(L.columns[g]) * L.bits[g];
        const std::uint32_t tailBits = static_cast<std::uint32_t>(bitsPerRow % 32u);
        if (tailBits == 0)
            continue;
        const std::uint32_t rowWords = glvq_row_words(L.columns[g], L.bits[g]);
        const std::uint32_t padMask = ~((1u << tailBits) - 1u);
        for (std::int64_t i = 0; i < L.rows; ++i) {
            const std::uint32_t last = L.words[L.word_offsets[g] + static_cast<std::uint64_t>(i) * rowWords + rowWords - 1];
            if (last & padMask)
                return glvq_fail(GLVQ_ERR_BAD_LAYOUT, groupText(g) + "row " + std::to_string(i)
                                                          + " has non-zero padding bits (shifted or corrupted stream)");
        }
    }
    return GLVQ_OK;
}

std::uint64_t glvq_packed_code_bytes(const glvq_packed_layer* layer)
{
    return layer->word_offsets[layer->group_count] * 4u;
}

std::uint64_t glvq_packed_side_bytes(const glvq_packed_layer* layer)
{
    const std::uint64_t groups = static_cast<std::uint64_t>(layer->group_count);
    const std::uint64_t perGroup = 2u * static_cast<std::uint64_t>(layer->dim) * layer->dim // G
                                   + 2u + 2u + 1u + 4u + 4u                                 // μ, s, b, first, width
                                   + 8u;                                                    // offset entry
    return groups * perGroup + 8u + (layer->row_scales ? 2u * static_cast<std::uint64_t>(layer->rows) : 0u);
}

glvq_status glvq_check_row_range(const glvq_packed_layer* layer, std::int64_t row_begin, std::int64_t row_end,
                                 const char* what)
{
    if (const glvq_status s = glvq_check_packed(layer); s != GLVQ_OK)
        return s;
    if (row_begin < 0 || row_end > layer->rows || row_begin > row_end)
        return glvq_fail(GLVQ_ERR_INVALID_ARGUMENT, std::string(what) + ": row range [" + std::to_string(row_begin)
                                                        + ", " + std::to_string(row_end) + ") outside 0.."
                                                        + std::to_string(layer->rows));
    return GLVQ_OK;
}
