// SPDX-License-Identifier: GPL-3.0-or-later
// Reading one layer's codes (docs/FORMAT.md §4) from an untrusted file: every count, shape, width and offset
// is checked against the others before anything is indexed, and the packed streams go through the kernels'
// full validation (glvq_validate_packed: prefix sums, stream length, zero padding bits).
#include "core/pipeline/export_codes.h"

#include "core/pipeline/packed_glvq_layer.h"
#include "core/quant/e8_quantizer.h"
#include "core/quant/glvq_codes.h"
#include "core/quant/scalar_codes.h"
#include "core/util/error.h"
#include "kernels/glvq_layout.h"

#include <ATen/ATen.h>

#include <cstring>

namespace glvq::pipeline {

namespace {

using io::h5::File;
using U64 = std::vector<std::uint64_t>;

struct Context {
    const File& file;
    std::string group;
    std::string fail(const std::string& what) const { return file.path().filename().string() + ": " + group + ": " + what; }
};

std::int64_t intAttr(const Context& c, const char* name, std::int64_t lo, std::int64_t hi)
{
    const auto value = c.file.attrInt(c.group, name);
    if (value < lo || value > hi)
        throw Error(c.fail(std::string("attribute '") + name + "' = " + std::to_string(value) + " outside "
                           + std::to_string(lo) + ".." + std::to_string(hi)));
    return value;
}

std::vector<std::uint8_t> readBits(const Context& c, std::size_t groups)
{
    auto bits = c.file.read<std::uint8_t>(c.group + "/bits", U64 { groups });
    for (std::size_t g = 0; g < groups; ++g)
        if (bits[g] < 1 || bits[g] > 4)
            throw Error(c.fail("bits[" + std::to_string(g) + "] = " + std::to_string(bits[g]) + ", not a width in 1..4"));
    return bits;
}

// Reads word_offsets + codes and checks them against the prefix sums the widths imply.
std::vector<std::uint32_t> readStream(const Context& c, std::int64_t rows, const std::vector<std::uint32_t>& columns,
                                      const std::vector<std::uint8_t>& bits, std::vector<std::uint64_t>& offsets)
{
    offsets = c.file.read<std::uint64_t>(c.group + "/word_offsets", U64 { columns.size() + 1 });
    std::vector<std::uint64_t> expected(columns.size() + 1);
    if (glvq_compute_word_offsets(rows, static_cast<std::int32_t>(columns.size()), columns.data(), bits.data(),
                                  expected.data())
        != GLVQ_OK)
        throw Error(c.fail(std::string("inconsistent group layout: ") + glvq_last_error()));
    for (std::size_t g = 0; g < expected.size(); ++g)
        if (offsets[g] != expected[g])
            throw Error(c.fail("word_offsets[" + std::to_string(g) + "] = " + std::to_string(offsets[g])
                               + ", the group widths give " + std::to_string(expected[g])));
    return c.file.read<std::uint32_t>(c.group + "/codes", U64 { expected.back() });
}

std::shared_ptr<const quant::LayerCodes> readGlvq(const Context& c, std::int64_t rows, std::int64_t cols,
                                                  std::int64_t groupSize, std::size_t groupCount)
{
    const auto d = static_cast<std::size_t>(intAttr(c, "dim", 1, 32));
    if (groupSize % static_cast<std::int64_t>(d) != 0)
        throw Error(c.fail("lattice dimension " + std::to_string(d) + " does not divide group size " + std::to_string(groupSize)));
    const bool rowScale = intAttr(c, "row_scale", 0, 1) == 1;
    PackedGlvqLayer packed;
    packed.rows = rows;
    packed.cols = cols;
    packed.dim = static_cast<std::int32_t>(d);
    packed.generators = c.file.read<std::uint16_t>(c.group + "/generators", U64 { groupCount, d, d });
    packed.mu = c.file.read<std::uint16_t>(c.group + "/mu", U64 { groupCount });
    packed.scale = c.file.read<std::uint16_t>(c.group + "/scale", U64 { groupCount });
    packed.bits = readBits(c, groupCount);
    packed.firstColumn = c.file.read<std::uint32_t>(c.group + "/first_column", U64 { groupCount });
    packed.columns = c.file.read<std::uint32_t>(c.group + "/columns", U64 { groupCount });
    const auto source = c.file.read<std::int32_t>(c.group + "/lattice_source", U64 { groupCount });
    if (rowScale)
        packed.rowScales = c.file.read<std::uint16_t>(c.group + "/row_scales", U64 { std::uint64_t(rows) });
    packed.words = readStream(c, rows, packed.columns, packed.bits, packed.wordOffsets);
    const auto layer = packed.view();
    if (glvq_validate_packed(&layer, packed.words.size()) != GLVQ_OK)
        throw Error(c.fail(std::string("invalid packed stream: ") + glvq_last_error()));
    const auto& bits = packed.bits;
    const auto& columns = packed.columns;
    const auto& words = packed.words;
    const auto& offsets = packed.wordOffsets;

    std::vector<quant::GlvqGroupCodes> groups(groupCount);
    for (std::size_t g = 0; g < groupCount; ++g) {
        auto& out = groups[g];
        out.firstColumn = packed.firstColumn[g];
        out.columns = columns[g];
        out.bits = bits[g];
        for (std::size_t k = 0; k < d * d; ++k)
            out.generator.push_back(glvq_half_to_float(packed.generators[g * d * d + k]));
        out.mu = glvq_half_to_float(packed.mu[g]);
        out.scale = glvq_half_to_float(packed.scale[g]);
        if (source[g] < -1 || source[g] >= static_cast<std::int32_t>(g))
            throw Error(c.fail("lattice_source[" + std::to_string(g) + "] = " + std::to_string(source[g])
                               + " is not an earlier group"));
        out.latticeSource = source[g];
        out.codes.resize(std::size_t(rows) * columns[g]);
        if (glvq_unpack_group(words.data() + offsets[g], rows, columns[g], bits[g], out.codes.data(), columns[g]) != GLVQ_OK)
            throw Error(c.fail(std::string("group ") + std::to_string(g) + ": " + glvq_last_error()));
    }
    std::vector<float> scalesOut;
    for (auto h : packed.rowScales)
        scalesOut.push_back(glvq_half_to_float(h));
    try {
        return std::make_shared<quant::GlvqLayerCodes>(rows, cols, int(d), groupSize, std::move(scalesOut),
                                                       std::move(groups));
    } catch (const Error& e) {
        throw Error(c.fail(e.what()));
    }
}

std::shared_ptr<const quant::LayerCodes> readScalar(const Context& c, const std::string& method, std::int64_t rows,
                                                    std::int64_t cols, std::int64_t groupSize, std::size_t groupCount)
{
    const auto bits = readBits(c, groupCount);
    const U64 gridShape { std::uint64_t(rows), groupCount };
    const auto scales = c.file.read<float>(c.group + "/scales", gridShape);
    const auto zeros = c.file.read<std::int16_t>(c.group + "/zeros", gridShape);
    for (std::size_t i = 0; i < scales.size(); ++i)
        if (!std::isfinite(scales[i]))
            throw Error(c.fail("scales[" + std::to_string(i) + "] is not finite"));
    std::vector<std::uint32_t> columns;
    for (std::size_t g = 0; g < groupCount; ++g)
        columns.push_back(static_cast<std::uint32_t>(std::min<std::int64_t>(groupSize, cols - std::int64_t(g) * groupSize)));
    std::vector<std::uint64_t> offsets;
    const auto words = readStream(c, rows, columns, bits, offsets);
    auto dense = at::empty({ rows, cols }, at::kByte);
    for (std::size_t g = 0; g < groupCount; ++g)
        if (glvq_unpack_group(words.data() + offsets[g], rows, columns[g], bits[g],
                              dense.data_ptr<std::uint8_t>() + std::int64_t(g) * groupSize, cols)
            != GLVQ_OK)
            throw Error(c.fail(std::string("group ") + std::to_string(g) + ": " + glvq_last_error()));
    auto scaleTensor = at::empty({ rows, std::int64_t(groupCount) }, at::kFloat);
    std::memcpy(scaleTensor.data_ptr<float>(), scales.data(), scales.size() * sizeof(float));
    auto zeroTensor = at::empty({ rows, std::int64_t(groupCount) }, at::kInt);
    for (std::size_t i = 0; i < zeros.size(); ++i)
        zeroTensor.data_ptr<std::int32_t>()[i] = zeros[i];
    try {
        return std::make_shared<quant::ScalarLayerCodes>(method, groupSize, std::vector<int>(bits.begin(), bits.end()),
                                                         scaleTensor, zeroTensor, dense);
    } catch (const Error& e) {
        throw Error(c.fail(e.what()));
    }
}

std::shared_ptr<const quant::LayerCodes> readE8(const Context& c, const std::string& method, std::int64_t rows,
                                                std::int64_t cols, std::int64_t groupSize, std::size_t groupCount)
{
    const auto codebook = c.file.attrString(c.group, "codebook");
    if (codebook != "auto" && codebook != "box")
        throw Error(c.fail("codebook '" + codebook + "' is neither auto nor box"));
    if ((method == "e8-box") != (codebook == "box"))
        throw Error(c.fail("method '" + method + "' disagrees with codebook '" + codebook + "'"));
    if (groupSize % 8 != 0 || cols % 8 != 0)
        throw Error(c.fail("E8 needs group size and columns divisible by 8"));
    const auto bits = readBits(c, groupCount);
    const auto scalesHalf = c.file.read<std::uint16_t>(c.group + "/scales", U64 { groupCount });
    const auto offsets = c.file.read<std::uint64_t>(c.group + "/byte_offsets", U64 { groupCount + 1 });
    const auto perRow = cols / 8;
    std::uint64_t expected = 0;
    for (std::size_t g = 0; g < groupCount; ++g) {
        if (offsets[g] != expected)
            throw Error(c.fail("byte_offsets[" + std::to_string(g) + "] = " + std::to_string(offsets[g])
                               + ", the group widths give " + std::to_string(expected)));
        const auto count = std::min<std::int64_t>(groupSize / 8, perRow - std::int64_t(g) * groupSize / 8);
        expected += std::uint64_t(rows) * std::uint64_t(count) * bits[g];
    }
    if (offsets[groupCount] != expected)
        throw Error(c.fail("byte_offsets[" + std::to_string(groupCount) + "] = " + std::to_string(offsets[groupCount])
                           + ", the group widths give " + std::to_string(expected)));
    const auto bytes = c.file.read<std::uint8_t>(c.group + "/codes", U64 { expected });
    auto dense = at::empty({ rows, perRow }, at::kInt);
    auto* patterns = reinterpret_cast<std::uint32_t*>(dense.data_ptr<std::int32_t>());
    std::vector<float> scales;
    for (std::size_t g = 0; g < groupCount; ++g) {
        scales.push_back(glvq_half_to_float(scalesHalf[g]));
        if (!glvq_half_is_finite(scalesHalf[g]) || scales.back() < 0.0f)
            throw Error(c.fail("scales[" + std::to_string(g) + "] is not a finite scale >= 0"));
        const auto first = std::int64_t(g) * groupSize / 8;
        const auto count = std::min<std::int64_t>(groupSize / 8, perRow - first);
        const std::uint8_t* p = bytes.data() + offsets[g];
        for (std::int64_t r = 0; r < rows; ++r)
            for (std::int64_t k = 0; k < count; ++k) {
                std::uint32_t code = 0;
                for (int byte = 0; byte < bits[g]; ++byte)
                    code |= std::uint32_t(*p++) << (8 * byte);
                patterns[r * perRow + first + k] = code;
            }
    }
    try {
        return std::make_shared<quant::E8LayerCodes>(codebook == "box" ? quant::E8CodebookChoice::Box
                                                                        : quant::E8CodebookChoice::Auto,
                                                     groupSize, std::vector<int>(bits.begin(), bits.end()),
                                                     std::move(scales), dense);
    } catch (const Error& e) {
        throw Error(c.fail(e.what()));
    }
}

} // namespace

std::shared_ptr<const quant::LayerCodes> readLayerCodes(const File& file, const std::string& group)
{
    const Context c { file, group };
    const auto method = file.attrString(group, "method");
    const auto rows = intAttr(c, "rows", 1, std::int64_t(1) << 31);
    const auto cols = intAttr(c, "cols", 1, (std::int64_t(1) << 32) - 1);
    const auto groupSize = intAttr(c, "group_size", 1, std::int64_t(1) << 24);
    const auto groupCount = static_cast<std::size_t>(intAttr(c, "group_count", 1, cols));
    if (method == "glvq")
        return readGlvq(c, rows, cols, groupSize, groupCount);
    if (groupCount != static_cast<std::size_t>(quant::groupCount(cols, groupSize)))
        throw Error(c.fail("group_count " + std::to_string(groupCount) + " does not match cols / group_size"));
    if (method == "rtn" || method == "gptq")
        return readScalar(c, method, rows, cols, groupSize, groupCount);
    if (method == "e8" || method == "e8-box")
        return readE8(c, method, rows, cols, groupSize, groupCount);
    throw Error(c.fail("unknown method '" + method + "'"));
}

} // namespace glvq::pipeline
