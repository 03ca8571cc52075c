// SPDX-License-Identifier: GPL-3.0-or-later
// HDF5 export/import (docs/FORMAT.md): bit-exact round trips for every method, and malformed files that must
// each fail with their own one-line error, without a crash.
#include "core/io/hdf5/h5_file.h"
#include "core/pipeline/export_model.h"
#include "core/pipeline/method_factory.h"
#include "core/util/error.h"

#include <ATen/ATen.h>
#include <gtest/gtest.h>
#include <hdf5.h>

#include <filesystem>
#include <fstream>

namespace {

using namespace glvq;
namespace fs = std::filesystem;

fs::path tempPath(const std::string& name)
{
    const auto dir = fs::temp_directory_path() / ("glvq_export_test_" + std::to_string(::getpid()));
    fs::create_directories(dir);
    return dir / name;
}

std::shared_ptr<const quant::LayerCodes> quantize(const std::string& method, int bits)
{
    pipeline::PipelineOptions options;
    options.method = method;
    options.bits = bits;
    options.dim = 8;
    options.maxIterations = 3;
    const auto quantizer = pipeline::makeLayerQuantizer(options);
    at::manual_seed(7);
    quant::LayerInput input;
    input.name = "model.layers.0.mlp.down_proj";
    input.weight = at::randn({ 48, 256 }, at::kFloat) * 0.02;
    const auto x = at::randn({ 512, 256 }, at::kDouble);
    input.hessian = x.t().matmul(x) / 512.0;
    input.groupSize = 128;
    input.groupBits = { bits, bits == 4 ? 3 : bits + 1 };
    return quantizer->quantize(input, {}).codes;
}

pipeline::ExportedModel smallModel(const std::string& method, int bits)
{
    pipeline::ExportedModel model;
    model.metadata = { { "format", "glvq-studio" }, { "format_version", 1 }, { "tool_version", "test" },
                       { "created_utc", pipeline::utcTimestamp() }, { "source_model", "synthetic" },
                       { "source_config_json", "{}" }, { "source_weights_sha256", std::string(64, '0') },
                       { "method", method }, { "variant", "default" }, { "target_bits", double(bits) },
                       { "dim", 8 }, { "group_size", 128 }, { "allocation", "uniform" }, { "calibration_text", "" },
                       { "calibration_text_sha256", "" }, { "calibration_samples", 0 }, { "calibration_ctx", 0 },
                       { "calibration_seed", 0 }, { "calibration_mode", "" }, { "bits_per_weight", 2.0 },
                       { "code_bits_per_weight", 2.0 } };
    model.files["config.json"] = "{\"model_type\": \"llama\"}";
    model.layers.push_back({ "model.layers.0.mlp.down_proj", quantize(method, bits), 1e-5, 0.01 });
    pipeline::RawTensor norm { "model.norm.weight", "BF16", { 4 }, {} };
    for (std::uint16_t v : { 0x3f80, 0x4000, 0xbf80, 0x0000 })
        norm.bytes.insert(norm.bytes.end(), { std::byte(v & 0xff), std::byte(v >> 8) });
    model.tensors.push_back(norm);
    return model;
}

void expectBitIdentical(const at::Tensor& a, const at::Tensor& b)
{
    ASSERT_EQ(a.sizes(), b.sizes());
    ASSERT_EQ(0, std::memcmp(a.contiguous().data_ptr<float>(), b.contiguous().data_ptr<float>(), a.numel() * sizeof(float)));
}

class RoundTrip : public ::testing::TestWithParam<std::pair<std::string, int>> {};

TEST_P(RoundTrip, DecodeIsBitIdentical)
{
    const auto [method, bits] = GetParam();
    const auto model = smallModel(method, bits);
    const auto path = tempPath(method + std::to_string(bits) + ".h5");
    const auto composition = pipeline::writeExport(model, path, { true });
    EXPECT_GT(composition.codeBytes, 0u);
    const auto imported = pipeline::importModel(path);
    ASSERT_EQ(imported.layers.size(), 1u);
    EXPECT_EQ(imported.layers[0].codes->method(), model.layers[0].codes->method());
    expectBitIdentical(imported.layers[0].codes->decode(), model.layers[0].codes->decode());
    EXPECT_DOUBLE_EQ(imported.layers[0].codes->bitsPerWeight(), model.layers[0].codes->bitsPerWeight());
    ASSERT_EQ(imported.tensors.size(), 1u);
    EXPECT_EQ(imported.tensors[0].bytes, model.tensors[0].bytes);
    EXPECT_EQ(imported.tensors[0].dtype, "BF16");
    EXPECT_EQ(imported.files.at("config.json"), model.files.at("config.json"));
}

TEST(ExportMetadata, RowScaleBitsAreOptionalAndRoundTrip)
{
    auto model = smallModel("glvq", 2);
    const auto without = tempPath("no-row-scale-bits.h5");
    pipeline::writeExport(model, without, { true });
    EXPECT_FALSE(pipeline::importModel(without).metadata.contains("row_scale_bits")); // older files: plain fp16
    model.metadata["row_scale_bits"] = 3;
    const auto with = tempPath("row-scale-bits.h5");
    pipeline::writeExport(model, with, { true });
    EXPECT_EQ(pipeline::importModel(with).metadata.at("row_scale_bits").get<std::int64_t>(), 3);
}

INSTANTIATE_TEST_SUITE_P(Methods, RoundTrip,
                         ::testing::Values(std::pair<std::string, int> { "glvq", 2 }, std::pair<std::string, int> { "glvq", 3 },
                                           std::pair<std::string, int> { "rtn", 3 }, std::pair<std::string, int> { "gptq", 2 },
                                           std::pair<std::string, int> { "e8", 2 }, std::pair<std::string, int> { "e8", 1 }));

// Rewrites one dataset of an exported file in place (same shape and type), via the C API.
template <typename T, typename F> void patchDataset(const fs::path& path, const std::string& dataset, hid_t type, F&& edit)
{
    const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    const hid_t id = H5Dopen2(file, dataset.c_str(), H5P_DEFAULT);
    const hid_t space = H5Dget_space(id);
    std::vector<T> values(std::size_t(H5Sget_simple_extent_npoints(space)));
    H5Dread(id, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data());
    edit(values);
    H5Dwrite(id, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data());
    H5Sclose(space);
    H5Dclose(id);
    H5Fclose(file);
}

void replaceDataset(const fs::path& path, const std::string& dataset, const std::vector<std::uint64_t>& values)
{
    const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    H5Ldelete(file, dataset.c_str(), H5P_DEFAULT);
    const hsize_t n = values.size();
    const hid_t space = H5Screate_simple(1, &n, nullptr);
    const hid_t id = H5Dcreate2(file, dataset.c_str(), H5T_STD_U64LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Dwrite(id, H5T_NATIVE_UINT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data());
    H5Dclose(id);
    H5Sclose(space);
    H5Fclose(file);
}

std::string importError(const fs::path& path)
{
    try {
        pipeline::importModel(path);
    } catch (const Error& e) {
        const std::string message = e.what();
        EXPECT_EQ(message.find('\n'), std::string::npos) << message;
        return message;
    }
    ADD_FAILURE() << "import of " << path << " succeeded";
    return {};
}

fs::path freshExport(const std::string& name, const std::string& method = "glvq")
{
    const auto path = tempPath(name);
    pipeline::writeExport(smallModel(method, 2), path, { true });
    return path;
}

const std::string kLayer = "/layers/model.layers.0.mlp.down_proj";

TEST(ImportErrors, TruncatedFile)
{
    const auto path = freshExport("truncated.h5");
    fs::resize_file(path, fs::file_size(path) / 2);
    EXPECT_NE(importError(path).find("truncated"), std::string::npos);
}

TEST(ImportErrors, WrongVersion)
{
    const auto path = freshExport("version.h5");
    const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    const std::int64_t two = 2;
    const hid_t attr = H5Aopen(file, "format_version", H5P_DEFAULT);
    H5Awrite(attr, H5T_NATIVE_INT64, &two);
    H5Aclose(attr);
    H5Fclose(file);
    EXPECT_NE(importError(path).find("format_version 2 is not supported"), std::string::npos);
}

TEST(ImportErrors, CorruptedOffsets)
{
    const auto path = freshExport("offsets.h5");
    patchDataset<std::uint64_t>(path, kLayer + "/word_offsets", H5T_NATIVE_UINT64, [](auto& v) { v[1] += 3; });
    EXPECT_NE(importError(path).find("word_offsets[1]"), std::string::npos);
}

TEST(ImportErrors, WrongArraySize)
{
    const auto path = freshExport("size.h5");
    replaceDataset(path, kLayer + "/word_offsets", { 0, 1 });
    EXPECT_NE(importError(path).find("word_offsets: shape [2], expected [3]"), std::string::npos);
}

TEST(ImportErrors, UnknownBitWidth)
{
    for (const std::string method : { "glvq", "rtn", "e8" }) {
        const auto path = freshExport("bits_" + method + ".h5", method);
        patchDataset<std::uint8_t>(path, kLayer + "/bits", H5T_NATIVE_UINT8, [](auto& v) { v[0] = 5; });
        EXPECT_NE(importError(path).find("bits[0] = 5, not a width in 1..4"), std::string::npos) << method;
    }
}

TEST(ImportErrors, InconsistentGroupWidths)
{
    // Widths that no longer cover the columns: the prefix sums, the stream and the layout all disagree.
    const auto path = freshExport("widths.h5");
    patchDataset<std::uint32_t>(path, kLayer + "/columns", H5T_NATIVE_UINT32, [](auto& v) { v[0] -= 8; });
    const auto message = importError(path);
    EXPECT_NE(message.find("widths.h5"), std::string::npos) << message;
}

TEST(ExportSafety, RefusesToOverwriteWithoutForce)
{
    const auto path = tempPath("existing.h5");
    { std::ofstream(path) << "precious"; }
    EXPECT_THROW(pipeline::writeExport(smallModel("rtn", 3), path, { false }), Error);
    std::ifstream in(path);
    std::string content((std::istreambuf_iterator<char>(in)), {});
    EXPECT_EQ(content, "precious");
}

TEST(ExportSafety, CancelLeavesNoFile)
{
    const auto path = tempPath("cancelled.h5");
    fs::remove(path);
    CancelSource source;
    source.requestCancel();
    EXPECT_THROW(pipeline::writeExport(smallModel("rtn", 3), path, { false }, source.token()), Cancelled);
    EXPECT_FALSE(fs::exists(path));
    for (const auto& entry : fs::directory_iterator(path.parent_path()))
        EXPECT_EQ(entry.path().filename().string().find(".cancelled.h5.tmp"), std::string::npos);
}

// Long exports show where they are: fractions only grow, end at exactly 1, and name what is being written;
// dequantizing reports its decode and write the same way.
TEST(ExportProgress, WriterAndDequantizerReportRisingFractionsToTheEnd)
{
    const auto model = smallModel("glvq", 2);
    const auto check = [](const std::vector<ProgressInfo>& reports, const std::string& stage) {
        ASSERT_FALSE(reports.empty()) << stage;
        for (std::size_t i = 1; i < reports.size(); ++i)
            EXPECT_GE(reports[i].fraction, reports[i - 1].fraction) << stage;
        EXPECT_DOUBLE_EQ(reports.back().fraction, 1.0) << stage;
        for (const auto& report : reports)
            EXPECT_EQ(report.stage, stage);
    };
    std::vector<ProgressInfo> written;
    const auto path = tempPath("progress.h5");
    pipeline::writeExport(model, path, { true }, {}, [&](const ProgressInfo& info) { written.push_back(info); });
    check(written, "export");
    std::vector<ProgressInfo> dequantized;
    const auto dir = tempPath("progress_hf");
    fs::remove_all(dir);
    pipeline::writeDequantized(pipeline::importModel(path), dir, "F32", false, {},
                               [&](const ProgressInfo& info) { dequantized.push_back(info); });
    check(dequantized, "dequantize");
    EXPECT_TRUE(fs::exists(dir / "model.safetensors"));
}

} // namespace
