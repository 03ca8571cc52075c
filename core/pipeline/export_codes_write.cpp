// SPDX-License-Identifier: GPL-3.0-or-later
// Writing one layer's codes (docs/FORMAT.md §4). The GLVQ and scalar code streams are packed by the kernels'
// own packer, so the file holds exactly the stream the kernels read.
#include "core/pipeline/export_codes.h"

#include "core/pipeline/packed_glvq_layer.h"
#include "core/quant/e8_quantizer.h"
#include "core/quant/glvq_codes.h"
#include "core/quant/scalar_codes.h"
#include "core/util/error.h"
#include "kernels/glvq_layout.h"

#include <ATen/ATen.h>

#include <limits>

namespace glvq::pipeline {

namespace {

using io::h5::File;
using io::h5::Storage;
using U64 = std::vector<std::uint64_t>;

template <typename T> std::span<const T> view(const std::vector<T>& v) { return { v.data(), v.size() }; }

void checkStatus(glvq_status status, const std::string& what)
{
    if (status != GLVQ_OK)
        throw Error(what + ": " + glvq_last_error());
}

// Packs groups given as (pointer to their first code, row stride) with the kernels' layout.
void writePackedStream(File& file, const std::string& group, std::int64_t rows, const std::vector<std::uint32_t>& columns,
                       const std::vector<std::uint8_t>& bits, const std::vector<const std::uint8_t*>& starts,
                       std::int64_t rowStride, Storage codeStorage)
{
    const auto count = static_cast<std::int32_t>(columns.size());
    std::vector<std::uint64_t> offsets(columns.size() + 1);
    checkStatus(glvq_compute_word_offsets(rows, count, columns.data(), bits.data(), offsets.data()), group);
    std::vector<std::uint32_t> words(offsets.back());
    for (std::size_t g = 0; g < columns.size(); ++g)
        checkStatus(glvq_pack_group(starts[g], rowStride, rows, columns[g], bits[g], words.data() + offsets[g]),
                    group + " group " + std::to_string(g));
    file.write(group + "/word_offsets", view(offsets), { offsets.size() });
    file.write(group + "/codes", view(words), { words.size() }, codeStorage);
}

void writeCommon(File& file, const std::string& group, const quant::LayerCodes& codes, std::int64_t rows,
                 std::int64_t cols, std::int64_t groupSize, std::size_t groupCount)
{
    file.setAttr(group, "method", codes.method());
    file.setAttr(group, "rows", rows);
    file.setAttr(group, "cols", cols);
    file.setAttr(group, "group_size", groupSize);
    file.setAttr(group, "group_count", static_cast<std::int64_t>(groupCount));
}

void writeGlvq(File& file, const std::string& group, const quant::GlvqLayerCodes& codes, Storage side, Storage stream)
{
    const auto packed = packGlvqLayer(codes, group);
    const auto groupCount = packed.bits.size();
    const auto d = static_cast<std::size_t>(codes.dim());
    writeCommon(file, group, codes, codes.rows(), codes.cols(), codes.groupSize(), groupCount);
    file.setAttr(group, "dim", static_cast<std::int64_t>(d));
    file.setAttr(group, "row_scale", static_cast<std::int64_t>(packed.rowScales.empty() ? 0 : 1));
    std::vector<std::int32_t> latticeSource;
    for (const auto& g : codes.groups())
        latticeSource.push_back(g.latticeSource);
    if (!packed.rowScales.empty())
        file.write(group + "/row_scales", view(packed.rowScales), { packed.rowScales.size() }, side);
    file.write(group + "/generators", view(packed.generators), { groupCount, d, d }, side);
    file.write(group + "/mu", view(packed.mu), { groupCount });
    file.write(group + "/scale", view(packed.scale), { groupCount });
    file.write(group + "/bits", view(packed.bits), { groupCount });
    file.write(group + "/first_column", view(packed.firstColumn), { groupCount });
    file.write(group + "/columns", view(packed.columns), { groupCount });
    file.write(group + "/lattice_source", view(latticeSource), { groupCount });
    file.write(group + "/word_offsets", view(packed.wordOffsets), { packed.wordOffsets.size() });
    file.write(group + "/codes", view(packed.words), { packed.words.size() }, stream);
}

void writeScalar(File& file, const std::string& group, const quant::ScalarLayerCodes& codes, Storage side,
                 Storage stream)
{
    const auto rows = codes.rows();
    const auto cols = codes.cols();
    const auto groupCount = codes.groupBits().size();
    writeCommon(file, group, codes, rows, cols, codes.groupSize(), groupCount);
    // Scales stay fp32: they are the fixtures' exact RTN/GPTQ arithmetic, and fp16 would change the decode.
    const auto scales = codes.scales().to(at::kFloat).contiguous();
    const auto zeros = codes.zeros().to(at::kInt).contiguous();
    const auto dense = codes.codes().to(at::kByte).contiguous();
    std::vector<float> scaleValues(scales.data_ptr<float>(), scales.data_ptr<float>() + scales.numel());
    std::vector<std::int16_t> zeroValues;
    for (std::int64_t i = 0; i < zeros.numel(); ++i) {
        const auto z = zeros.data_ptr<std::int32_t>()[i];
        if (z < std::numeric_limits<std::int16_t>::min() || z > std::numeric_limits<std::int16_t>::max())
            throw Error(group + ": zero point " + std::to_string(z) + " does not fit the format's int16");
        zeroValues.push_back(static_cast<std::int16_t>(z));
    }
    std::vector<std::uint8_t> bits;
    std::vector<std::uint32_t> columns;
    std::vector<const std::uint8_t*> starts;
    const auto* base = dense.data_ptr<std::uint8_t>();
    for (std::size_t g = 0; g < groupCount; ++g) {
        const auto first = static_cast<std::int64_t>(g) * codes.groupSize();
        bits.push_back(static_cast<std::uint8_t>(codes.groupBits()[g]));
        columns.push_back(static_cast<std::uint32_t>(std::min(codes.groupSize(), cols - first)));
        starts.push_back(base + first);
    }
    file.write(group + "/bits", view(bits), { bits.size() });
    file.write(group + "/scales", view(scaleValues), { std::uint64_t(rows), groupCount }, side);
    file.write(group + "/zeros", view(zeroValues), { std::uint64_t(rows), groupCount }, side);
    writePackedStream(file, group, rows, columns, bits, starts, cols, stream);
}

void writeE8(File& file, const std::string& group, const quant::E8LayerCodes& codes, Storage stream)
{
    const auto rows = codes.rows();
    const auto cols = codes.cols();
    const auto& groupBits = codes.groupBits();
    writeCommon(file, group, codes, rows, cols, codes.groupSize(), groupBits.size());
    file.setAttr(group, "codebook", std::string(codes.codebook() == quant::E8CodebookChoice::Box ? "box" : "auto"));
    const auto dense = codes.codes().contiguous();
    const auto* patterns = reinterpret_cast<const std::uint32_t*>(dense.data_ptr<std::int32_t>());
    const auto perRow = cols / 8;
    std::vector<std::uint8_t> bits;
    std::vector<std::uint16_t> scales;
    std::vector<std::uint64_t> offsets { 0 };
    std::vector<std::uint8_t> bytes;
    for (std::size_t g = 0; g < groupBits.size(); ++g) {
        const int b = groupBits[g];
        const auto first = static_cast<std::int64_t>(g) * codes.groupSize() / 8;
        const auto count = std::min(codes.groupSize() / 8, perRow - first);
        bits.push_back(static_cast<std::uint8_t>(b));
        scales.push_back(glvq_float_to_half(codes.scales()[g]));
        for (std::int64_t r = 0; r < rows; ++r) {
            for (std::int64_t k = 0; k < count; ++k) {
                const std::uint32_t code = patterns[r * perRow + first + k];
                if (b < 4 && (code >> (8 * b)) != 0)
                    throw Error(group + ": E8 code wider than " + std::to_string(8 * b) + " bits");
                for (int byte = 0; byte < b; ++byte) // b bytes, little-endian: 8b bits per 8 weights
                    bytes.push_back(static_cast<std::uint8_t>(code >> (8 * byte)));
            }
        }
        offsets.push_back(bytes.size());
    }
    file.write(group + "/bits", view(bits), { bits.size() });
    file.write(group + "/scales", view(scales), { scales.size() });
    file.write(group + "/byte_offsets", view(offsets), { offsets.size() });
    file.write(group + "/codes", view(bytes), { bytes.size() }, stream);
}

} // namespace

void writeLayerCodes(File& file, const std::string& group, const quant::LayerCodes& codes, Storage sideStorage,
                     Storage codeStorage)
{
    if (const auto* glvq = dynamic_cast<const quant::GlvqLayerCodes*>(&codes))
        writeGlvq(file, group, *glvq, sideStorage, codeStorage);
    else if (const auto* scalar = dynamic_cast<const quant::ScalarLayerCodes*>(&codes))
        writeScalar(file, group, *scalar, sideStorage, codeStorage);
    else if (const auto* e8 = dynamic_cast<const quant::E8LayerCodes*>(&codes))
        writeE8(file, group, *e8, codeStorage);
    else
        throw Error(group + ": method '" + codes.method() + "' has no export layout");
}

} // namespace glvq::pipeline
