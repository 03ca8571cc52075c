// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The packed GLVQ code stream of one linear layer W [rows, cols]: what HDF5 export writes and every kernel
// reads (the CUDA kernels after a load-time rearrangement, see glvq_gpu_layout.h). Spec §1, §2, §5.
//
// Codes.  Groups in column order; within a group, row by row; the n_g codes u ∈ [0, 2^b_g − 1] of one row of
// group g are packed LSB-first into little-endian uint32 words (code j of the row occupies bits
// [j·b, j·b + b) of the row's bit stream, so a 3-bit code may straddle two words), and every row of every
// group is padded with zero bits to a 32-bit boundary:
//     row_words(g)   = ceil(n_g · b_g / 32)
//     word of (g, i) = word_offsets[g] + i · row_words(g)
//     word_offsets   = prefix sums over groups of rows · row_words(g); word_offsets[0] = 0 and
//                      word_offsets[group_count] is the stream length in words (uint64 entries)
// Side info per group: G (d×d fp16, row-major), μ (fp16, 0 = companding off), s_g (fp16), b_g (uint8, 1..4),
// first column and width (uint32; widths are multiples of d, groups contiguous and covering all columns).
// Per row: r_i (fp16), or none (row scale off, r_i = 1).
//
// Decoding (bit-exact contract shared with core/quant decodeGlvqGroup):
//     o_b = (2^b − 1)/2,  z_b = float(u_b) − o_b,  v_a = Σ_{b = 0..d−1} G[a, b] · z_b   (fp32, increasing b)
//     Ŵ[i, c0 + k·d + a] = (r_i · s_g) · F⁻¹_μ(v_a),  F⁻¹_μ(v) = copysign(expm1f(|v| · log1pf(μ)) / μ, v)
// (F⁻¹ is the identity when μ = 0.)
//
// Ownership: glvq_packed_layer is a non-owning view; the caller keeps every array alive while it is used.
// Thread-safety: every function here is pure or writes only to caller-supplied outputs.
// Errors: functions return glvq_status and set glvq_last_error(); they never throw.
#include "kernels/glvq_half.h"
#include "kernels/glvq_status.h"

#include <cstdint>

struct glvq_packed_layer {
    std::int64_t rows = 0;                   // output features (m)
    std::int64_t cols = 0;                   // input features (n), < 2^32
    std::int32_t dim = 0;                    // lattice dimension d, 1..32
    std::int32_t group_count = 0;            // ≥ 1
    const std::uint32_t* words = nullptr;    // word_offsets[group_count] code words
    const std::uint64_t* word_offsets = nullptr; // group_count + 1 prefix sums, in words
    const std::uint16_t* generators = nullptr;   // group_count · d · d fp16 bit patterns, G row-major per group
    const std::uint16_t* mu = nullptr;       // group_count fp16 (0 = companding off)
    const std::uint16_t* scale = nullptr;    // group_count fp16, s_g ≥ 0
    const std::uint8_t* bits = nullptr;      // group_count, 1..4
    const std::uint32_t* first_column = nullptr; // group_count
    const std::uint32_t* columns = nullptr;  // group_count, n_g (multiple of d)
    const std::uint16_t* row_scales = nullptr;   // rows fp16, or null (row scale off)
};

// Words of one row of a group: ceil(columns · bits / 32).
GLVQ_HD inline std::uint32_t glvq_row_words(std::uint32_t columns, std::uint32_t bits)
{
    return static_cast<std::uint32_t>((static_cast<std::uint64_t>(columns) * bits + 31u) / 32u);
}

// Code j (0-based column within the group) of one packed row; reads the next word only when the code
// straddles it, so it never reads past the row.
GLVQ_HD inline std::uint32_t glvq_code_at(const std::uint32_t* row_words, std::uint32_t j, std::uint32_t bits)
{
    const std::uint64_t bit = static_cast<std::uint64_t>(j) * bits;
    const std::uint32_t word = static_cast<std::uint32_t>(bit >> 5);
    const std::uint32_t shift = static_cast<std::uint32_t>(bit & 31u);
    std::uint64_t window = row_words[word];
    if (shift + bits > 32u)
        window |= static_cast<std::uint64_t>(row_words[word + 1]) << 32;
    return static_cast<std::uint32_t>(window >> shift) & ((1u << bits) - 1u);
}

// ---- host functions (kernels/cpu/glvq_layout.cpp) ----

// Words of a whole group: rows · row_words.
std::uint64_t glvq_group_words(std::int64_t rows, std::uint32_t columns, std::uint32_t bits);

// Fills offsets[0 .. group_count] with the prefix sums above. Fails on bits outside 1..4 or zero widths.
glvq_status glvq_compute_word_offsets(std::int64_t rows, std::int32_t group_count, const std::uint32_t* columns,
                                      const std::uint8_t* bits, std::uint64_t* offsets);

// Packs one group: codes[i · code_row_stride + j] (uint8 per weight, i < rows, j < columns) into
// rows · row_words words at `words`, padding bits zero. code_row_stride lets the source be the group's own
// rows × columns block (stride = columns) or a slice of a dense [rows, cols] matrix (stride = cols).
// Fails with GLVQ_ERR_INVALID_ARGUMENT naming the first code above 2^bits − 1.
glvq_status glvq_pack_group(const std::uint8_t* codes, std::int64_t code_row_stride, std::int64_t rows,
                            std::uint32_t columns, std::uint32_t bits, std::uint32_t* words);

// Whole layer: fills offsets[0 .. group_count] and packs group g's codes group_codes[g] (rows × columns[g],
// row-major, e.g. core/quant GlvqGroupCodes::codes) at words + offsets[g]. Fails without writing codes when
// the stream needs more than word_capacity words (offsets are still filled: offsets[group_count] words).
glvq_status glvq_pack_layer(std::int64_t rows, std::int32_t group_count, const std::uint32_t* columns,
                            const std::uint8_t* bits, const std::uint8_t* const* group_codes, std::uint64_t* offsets,
                            std::uint32_t* words, std::uint64_t word_capacity);

// Inverse of glvq_pack_group.
glvq_status glvq_unpack_group(const std::uint32_t* words, std::int64_t rows, std::uint32_t columns,
                              std::uint32_t bits, std::uint8_t* codes, std::int64_t code_row_stride);

// Structure only, O(groups · d²): sizes, dims, group widths/bits/contiguity, offsets equal to the prefix
// sums, side info finite with μ ≥ 0 and s_g ≥ 0. Enough for memory safety of every kernel, given that
// `words` holds word_offsets[group_count] words. Every kernels/ entry point runs this check.
glvq_status glvq_check_packed(const glvq_packed_layer* layer);

// Full validation for untrusted input (e.g. an HDF5 import): glvq_check_packed, the stream length against
// `available_words`, finite row scales, and zero padding bits in every row (a shifted or corrupted stream
// almost always breaks that). O(rows · groups).
glvq_status glvq_validate_packed(const glvq_packed_layer* layer, std::uint64_t available_words);

// Bytes of the packed layer as exported: code words plus side info (G, μ, s, b, first column, width,
// offsets, row scales). Assumes glvq_check_packed passed.
std::uint64_t glvq_packed_code_bytes(const glvq_packed_layer* layer);
std::uint64_t glvq_packed_side_bytes(const glvq_packed_layer* layer);
