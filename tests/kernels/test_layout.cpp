// SPDX-License-Identifier: GPL-3.0-or-later
// The packed layout: fp16 conversion, pack/unpack round trips for every width, rows that are not a multiple
// of 32 bits, offsets, validation of broken streams, and the GPU layout built from it.
#include "kernels/glvq_gpu_layout.h"
#include "kernels/glvq_layout.h"
#include "tests/kernels/kernel_fixtures.h"

#include <gtest/gtest.h>

#include <cstring>
#include <random>

namespace kt = glvq::kernel_test;

TEST(HalfConversion, EveryHalfRoundTrips)
{
    for (std::uint32_t h = 0; h < 65536; ++h) {
        const float f = glvq_half_to_float(static_cast<std::uint16_t>(h));
        if (std::isnan(f)) {
            EXPECT_TRUE(std::isnan(glvq_half_to_float(glvq_float_to_half(f))));
            continue;
        }
        ASSERT_EQ(glvq_float_to_half(f), h) << "half 0x" << std::hex << h;
        EXPECT_EQ(glvq_is_half_value(f), std::isfinite(f));
    }
}

TEST(HalfConversion, RoundsToNearestEven)
{
    EXPECT_EQ(glvq_half_to_float(glvq_float_to_half(1.0f + 0x1p-11f)), 1.0f);          // tie -> even
    EXPECT_EQ(glvq_half_to_float(glvq_float_to_half(1.0f + 3 * 0x1p-11f)), 1.0f + 0x1p-9f); // tie -> even (up)
    EXPECT_EQ(glvq_half_to_float(glvq_float_to_half(65519.0f)), 65504.0f);
    EXPECT_TRUE(std::isinf(glvq_half_to_float(glvq_float_to_half(65520.0f))));
    EXPECT_EQ(glvq_float_to_half(0x1p-25f), 0u);                       // tie between 0 and 2^-24 -> 0
    EXPECT_EQ(glvq_float_to_half(1.5f * 0x1p-25f), 1u);                // above the tie -> smallest subnormal
    EXPECT_EQ(glvq_float_to_half(3 * 0x1p-25f), 2u);                   // subnormal tie 1.5 -> 2 (even)
    EXPECT_EQ(glvq_float_to_half(-0.0f), 0x8000u);
    EXPECT_FALSE(glvq_is_half_value(0.1f));
    EXPECT_TRUE(glvq_is_half_value(0.099975586f));
}

#ifdef __FLT16_MAX__
TEST(HalfConversion, AgreesWithCompilerFloat16)
{
    std::mt19937 rng(7);
    for (int k = 0; k < 2000000; ++k) {
        std::uint32_t bits = rng();
        bits = (bits & 0x807fffffu) | ((100u + bits % 50u) << 23); // exponents around the half range
        float f;
        std::memcpy(&f, &bits, 4);
        const _Float16 h = static_cast<_Float16>(f);
        std::uint16_t expected;
        std::memcpy(&expected, &h, 2);
        ASSERT_EQ(glvq_float_to_half(f), expected) << f;
    }
}
#endif

namespace {

// The layout's definition, bit by bit: code j of a row at bits [j·b, j·b + b) of the row's little-endian stream.
std::vector<std::uint32_t> naivePack(const std::vector<std::uint8_t>& codes, std::int64_t rows, std::uint32_t columns,
                                     std::uint32_t bits)
{
    const std::uint32_t rowWords = (columns * bits + 31) / 32;
    std::vector<std::uint32_t> words(static_cast<std::size_t>(rows) * rowWords, 0u);
    for (std::int64_t i = 0; i < rows; ++i)
        for (std::uint32_t j = 0; j < columns; ++j)
            for (std::uint32_t k = 0; k < bits; ++k)
                if ((codes[static_cast<std::size_t>(i * columns + j)] >> k) & 1u) {
                    const std::uint32_t bit = j * bits + k;
                    words[static_cast<std::size_t>(i * rowWords + bit / 32)] |= 1u << (bit % 32);
                }
    return words;
}

} // namespace

TEST(PackedCodes, PackUnpackRoundTripsEveryWidthAndRowLength)
{
    std::mt19937 rng(3);
    for (std::uint32_t bits = 1; bits <= 4; ++bits)
        for (std::uint32_t columns : {1u, 5u, 8u, 11u, 16u, 24u, 33u, 96u, 128u, 130u}) {
            const std::int64_t rows = 7;
            std::vector<std::uint8_t> codes(static_cast<std::size_t>(rows * columns));
            for (auto& u : codes)
                u = static_cast<std::uint8_t>(rng() % (1u << bits));
            std::vector<std::uint32_t> words(glvq_group_words(rows, columns, bits), 0xdeadbeefu);
            ASSERT_EQ(glvq_pack_group(codes.data(), columns, rows, columns, bits, words.data()), GLVQ_OK);
            EXPECT_EQ(words, naivePack(codes, rows, columns, bits)) << bits << " bits, " << columns << " columns";
            std::vector<std::uint8_t> back(codes.size(), 0xff);
            ASSERT_EQ(glvq_unpack_group(words.data(), rows, columns, bits, back.data(), columns), GLVQ_OK);
            EXPECT_EQ(back, codes);
            for (std::uint32_t j = 0; j < columns; ++j)
                EXPECT_EQ(glvq_code_at(words.data() + glvq_row_words(columns, bits), j, bits), codes[columns + j]);
        }
}

TEST(PackedCodes, PacksFromAStridedDenseMatrixAndRejectsOutOfRangeCodes)
{
    const std::int64_t rows = 3;
    const std::uint32_t cols = 20;
    std::vector<std::uint8_t> dense(rows * cols);
    for (std::size_t k = 0; k < dense.size(); ++k)
        dense[k] = static_cast<std::uint8_t>(k % 8);
    std::vector<std::uint32_t> words(glvq_group_words(rows, 9, 3));
    ASSERT_EQ(glvq_pack_group(dense.data() + 4, cols, rows, 9, 3, words.data()), GLVQ_OK);
    std::vector<std::uint8_t> back(rows * 9);
    ASSERT_EQ(glvq_unpack_group(words.data(), rows, 9, 3, back.data(), 9), GLVQ_OK);
    for (std::int64_t i = 0; i < rows; ++i)
        for (int j = 0; j < 9; ++j)
            EXPECT_EQ(back[i * 9 + j], dense[i * cols + 4 + j]);
    dense[cols + 6] = 9; // above 2^3 − 1, inside the slice
    EXPECT_EQ(glvq_pack_group(dense.data() + 4, cols, rows, 9, 3, words.data()), GLVQ_ERR_INVALID_ARGUMENT);
    EXPECT_NE(std::string(glvq_last_error()).find("row 1, column 2"), std::string::npos) << glvq_last_error();
    EXPECT_EQ(glvq_pack_group(dense.data(), 5, rows, 9, 3, words.data()), GLVQ_ERR_INVALID_ARGUMENT); // stride < columns
}

TEST(PackedCodes, WordOffsetsArePrefixSumsOfPaddedRows)
{
    const std::vector<std::uint32_t> columns {128, 24, 40, 8};
    const std::vector<std::uint8_t> bits {3, 3, 1, 4};
    std::vector<std::uint64_t> offsets(5);
    ASSERT_EQ(glvq_compute_word_offsets(10, 4, columns.data(), bits.data(), offsets.data()), GLVQ_OK);
    EXPECT_EQ(offsets, (std::vector<std::uint64_t> {0, 120, 150, 170, 180})); // 12, 3 (72 bits), 2, 1 words/row
}

TEST(PackedCodes, PackLayerFillsOffsetsAndChecksTheCapacity)
{
    const auto layer = kt::makeLayer(kt::uniformSpec(6, 8 * 13, 40, {3, 2, 4}, 8, 0, true, 12));
    std::vector<std::vector<std::uint8_t>> perGroup(layer.columns.size());
    std::vector<const std::uint8_t*> pointers;
    for (std::size_t g = 0; g < perGroup.size(); ++g) {
        for (std::int64_t i = 0; i < layer.rows; ++i)
            for (std::uint32_t j = 0; j < layer.columns[g]; ++j)
                perGroup[g].push_back(layer.codes[i * layer.cols + layer.firstColumn[g] + j]);
        pointers.push_back(perGroup[g].data());
    }
    const auto groups = static_cast<std::int32_t>(layer.columns.size());
    std::vector<std::uint64_t> offsets(layer.columns.size() + 1);
    std::vector<std::uint32_t> words(layer.words.size());
    ASSERT_EQ(glvq_pack_layer(layer.rows, groups, layer.columns.data(), layer.bits.data(), pointers.data(),
                              offsets.data(), words.data(), words.size()),
              GLVQ_OK)
        << glvq_last_error();
    EXPECT_EQ(offsets, layer.wordOffsets);
    EXPECT_EQ(words, layer.words);
    EXPECT_EQ(glvq_pack_layer(layer.rows, groups, layer.columns.data(), layer.bits.data(), pointers.data(),
                              offsets.data(), words.data(), words.size() - 1),
              GLVQ_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(offsets.back(), layer.words.size()) << "offsets tell the caller how much to allocate";
}

namespace {

void expectBad(const glvq_packed_layer& L, std::uint64_t words, glvq_status expected, const char* fragment)
{
    EXPECT_EQ(glvq_validate_packed(&L, words), expected) << fragment;
    EXPECT_NE(std::string(glvq_last_error()).find(fragment), std::string::npos)
        << "message '" << glvq_last_error() << "' should mention '" << fragment << "'";
}

} // namespace

TEST(PackedCodes, ValidationNamesWhatIsWrong)
{
    const auto layer = kt::makeLayer(kt::uniformSpec(9, 72, 24, {3, 1, 4}, 8, 2, true, 11));
    const std::uint64_t n = layer.words.size();
    const auto good = layer.view();
    ASSERT_EQ(glvq_validate_packed(&good, n), GLVQ_OK) << glvq_last_error();
    {
        auto bad = layer;
        bad.wordOffsets[2] += 1;
        expectBad(bad.view(), n, GLVQ_ERR_BAD_LAYOUT, "group 1: word offset");
    }
    {
        auto bad = layer;
        bad.wordOffsets[0] = 4;
        expectBad(bad.view(), n, GLVQ_ERR_BAD_LAYOUT, "word_offsets[0]");
    }
    expectBad(layer.view(), n - 1, GLVQ_ERR_BAD_LAYOUT, "the stream has");
    {
        auto bad = layer;
        bad.firstColumn[1] = 23;
        expectBad(bad.view(), n, GLVQ_ERR_BAD_LAYOUT, "group 1: starts at column 23");
    }
    {
        auto bad = layer;
        bad.columns[2] = 20;
        expectBad(bad.view(), n, GLVQ_ERR_BAD_LAYOUT, "not a positive multiple of d=8");
    }
    {
        auto bad = layer;
        bad.bits[0] = 5;
        expectBad(bad.view(), n, GLVQ_ERR_BAD_LAYOUT, "5 bits");
    }
    {
        auto view = layer.view();
        view.cols = 80;
        expectBad(view, n, GLVQ_ERR_BAD_LAYOUT, "groups cover 72 of 80");
    }
    {
        auto bad = layer;
        bad.generators[5] = 0x7e00; // NaN
        expectBad(bad.view(), n, GLVQ_ERR_BAD_LAYOUT, "generator entry 5");
    }
    {
        auto bad = layer;
        bad.mu[1] = kt::half(-1.0f);
        expectBad(bad.view(), n, GLVQ_ERR_BAD_LAYOUT, "group 1: mu");
    }
    {
        auto bad = layer;
        bad.scale[2] = 0x7c00; // inf
        expectBad(bad.view(), n, GLVQ_ERR_BAD_LAYOUT, "group 2: scale");
    }
    {
        auto bad = layer;
        bad.rowScales[4] = 0x7c00;
        expectBad(bad.view(), n, GLVQ_ERR_BAD_LAYOUT, "row scale 4");
    }
    {
        auto bad = layer; // group 0: 24 codes x 3 bits = 72 bits -> 3 words, top 24 bits of the last are padding
        bad.words[bad.wordOffsets[0] + 2 * 3 + 2] |= 0x80000000u;
        expectBad(bad.view(), n, GLVQ_ERR_BAD_LAYOUT, "group 0: row 2 has non-zero padding");
    }
    {
        auto view = layer.view();
        view.mu = nullptr;
        EXPECT_EQ(glvq_check_packed(&view), GLVQ_ERR_INVALID_ARGUMENT);
        view = layer.view();
        view.dim = 33;
        EXPECT_EQ(glvq_check_packed(&view), GLVQ_ERR_BAD_LAYOUT);
    }
    EXPECT_EQ(glvq_check_packed(nullptr), GLVQ_ERR_INVALID_ARGUMENT);
    EXPECT_STREQ(glvq_status_string(GLVQ_ERR_BAD_LAYOUT), "bad layout");
}

TEST(GpuLayout, ImageHoldsEveryCodeInWordColumns)
{
    const auto layer = kt::makeLayer(kt::uniformSpec(130, 8 * 41, 48, {3, 2, 1, 4, 3}, 8, 2, false, 21));
    const auto view = layer.view();
    glvq_gpu_image image;
    ASSERT_EQ(glvq_gpu_image_build(&view, &image), GLVQ_OK) << glvq_last_error();
    EXPECT_EQ(image.rows_pad, 256);
    EXPECT_FALSE(image.all_linear);
    ASSERT_EQ(image.words.size(), static_cast<std::size_t>(image.word_columns) * image.rows_pad);
    for (std::size_t g = 0; g < image.groups.size(); ++g) {
        const glvq_gpu_group& G = image.groups[g];
        const std::uint32_t cpw = glvq_gpu_codes_per_word(G.bits);
        EXPECT_EQ(G.word_columns, (G.columns + cpw - 1) / cpw);
        for (std::int64_t i = 0; i < image.rows_pad; ++i)
            for (std::uint32_t wc = 0; wc < G.word_columns; ++wc) {
                const std::uint32_t word = image.words[(G.word_column_begin + wc) * image.rows_pad + i];
                for (std::uint32_t p = 0; p < 32 / G.bits; ++p) {
                    const std::uint32_t j = wc * cpw + p;
                    const std::uint32_t u = (word >> (p * G.bits)) & ((1u << G.bits) - 1u);
                    const bool real = i < layer.rows && j < G.columns;
                    ASSERT_EQ(u, real ? layer.codes[i * layer.cols + G.first_column + j] : 0u)
                        << "group " << g << " row " << i << " code " << j;
                }
            }
        for (std::uint32_t k = 0; k < G.columns / 8; ++k)
            EXPECT_EQ(image.subvector_group[G.first_column / 8 + k], g);
    }
    EXPECT_EQ(image.row_scales[129], 1.0f); // row scale off
    EXPECT_EQ(image.row_scales[130], 0.0f); // padding row
}
