// SPDX-License-Identifier: GPL-3.0-or-later
// Writing safetensors: round trips through the reader, the on-disk layout, and refusals that leave
// nothing behind.
#include "core/io/safetensors.h"
#include "core/io/safetensors_writer.h"
#include "tests/io/io_test_util.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <iterator>
#include <limits>

namespace glvq::io {
namespace {

std::string readAll(const std::filesystem::path& path)
{
    std::ifstream in(path, std::ios::binary);
    return { std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>() };
}

std::vector<float> sampleValues(std::size_t n)
{
    std::vector<float> values(n);
    for (std::size_t i = 0; i < n; ++i)
        values[i] = std::sin(static_cast<float>(i) * 0.37f) * static_cast<float>(1 + i % 7) * 3.3f;
    return values;
}

std::size_t entriesIn(const std::filesystem::path& dir)
{
    return static_cast<std::size_t>(std::distance(std::filesystem::directory_iterator(dir), {}));
}

TEST(SafetensorsWriter, RoundTripsEveryDtypeWithMetadata)
{
    test::ScratchDir dir;
    const auto path = dir / "out.safetensors";
    const auto values = sampleValues(24);
    const std::vector<float> exact = { 1.0f, -2.5f, 0.15625f, 0.0f, -0.0f, 256.0f };
    std::vector<WritableTensor> tensors;
    tensors.push_back(WritableTensor::fromFloat32("layer.f32", { 4, 6 }, values, DType::F32));
    tensors.push_back(WritableTensor::fromFloat32("layer.f16", { 2, 3, 4 }, values, DType::F16));
    tensors.push_back(WritableTensor::fromFloat32("layer.bf16", { 24 }, values, DType::BF16));
    tensors.push_back(WritableTensor::fromFloat32("exact.f16", { 6 }, exact, DType::F16));
    tensors.push_back(WritableTensor::fromFloat32("exact.bf16", { 3, 2 }, exact, DType::BF16));
    tensors.push_back(WritableTensor::fromFloat32("scalar", {}, std::vector<float> { 42.0f }, DType::F32));
    tensors.push_back(WritableTensor::fromFloat32("empty", { 0, 5 }, {}, DType::BF16));
    const std::map<std::string, std::string> metadata = { { "format", "pt" }, { "glvq.bits", "4" } };
    writeSafetensors(path, tensors, metadata);

    const SafetensorsFile file(path);
    EXPECT_EQ(file.metadata(), metadata);
    ASSERT_EQ(file.tensors().size(), tensors.size());
    for (const auto& tensor : tensors) {
        const auto& info = file.info(tensor.name);
        EXPECT_EQ(info.dtype, tensor.dtype) << tensor.name;
        EXPECT_EQ(info.shape, tensor.shape) << tensor.name;
        const auto raw = file.rawBytes(tensor.name);
        EXPECT_TRUE(std::equal(raw.begin(), raw.end(), tensor.bytes.begin(), tensor.bytes.end())) << tensor.name;
    }
    EXPECT_EQ(file.readFloat32("layer.f32"), values);
    EXPECT_EQ(file.readFloat32("exact.f16"), exact);
    EXPECT_EQ(file.readFloat32("exact.bf16"), exact);
    EXPECT_TRUE(std::signbit(file.readFloat32("exact.bf16")[4]));
    EXPECT_EQ(file.readFloat32("scalar"), std::vector<float>({ 42.0f }));
    EXPECT_TRUE(file.readFloat32("empty").empty());
    const auto f16 = file.readFloat32("layer.f16");
    const auto bf16 = file.readFloat32("layer.bf16");
    for (std::size_t i = 0; i < values.size(); ++i) {
        EXPECT_EQ(f16[i], halfToFloat(floatToHalf(values[i])));
        EXPECT_EQ(bf16[i], bf16ToFloat(floatToBf16(values[i])));
        EXPECT_NEAR(f16[i], values[i], std::abs(values[i]) * 0x1p-11f + 1e-7f);
        EXPECT_NEAR(bf16[i], values[i], std::abs(values[i]) * 0x1p-8f + 1e-7f);
    }
    EXPECT_EQ(entriesIn(dir.path()), 1u) << "no temporary file left behind";
}

TEST(SafetensorsWriter, LayoutFollowsTheReference)
{
    test::ScratchDir dir;
    const auto path = dir / "layout.safetensors";
    std::vector<WritableTensor> tensors;
    tensors.push_back(WritableTensor::fromFloat32("b.half", { 3 }, sampleValues(3), DType::F16));
    tensors.push_back(WritableTensor::fromFloat32("a.wide", { 5 }, sampleValues(5), DType::F32));
    tensors.push_back(WritableTensor::fromFloat32("c.bf", { 1 }, sampleValues(1), DType::BF16));
    writeSafetensors(path, tensors);

    const std::string bytes = readAll(path);
    ASSERT_GE(bytes.size(), 8u);
    std::uint64_t headerLength = 0;
    for (int i = 7; i >= 0; --i)
        headerLength = (headerLength << 8) | static_cast<unsigned char>(bytes[static_cast<std::size_t>(i)]);
    EXPECT_EQ(headerLength % 8, 0u) << "header padded to 8 bytes";
    const std::string header = bytes.substr(8, headerLength);
    EXPECT_EQ(header.find("__metadata__"), std::string::npos) << "no metadata key when there is none";
    EXPECT_EQ(header.find_last_not_of(' ') + 1, header.find_last_of('}') + 1) << "padding is spaces";

    const SafetensorsFile file(path);
    for (const auto& info : file.tensors())
        EXPECT_EQ((8 + headerLength + info.dataOffset) % dtypeSize(info.dtype), 0u) << info.name;
    EXPECT_EQ(file.tensors().front().name, "a.wide") << "widest dtype first";
    EXPECT_EQ(file.fileSize(), 8 + headerLength + 5 * 4 + 3 * 2 + 1 * 2);
}

TEST(SafetensorsWriter, EmptyFileAndOverwrite)
{
    test::ScratchDir dir;
    const auto path = dir / "empty.safetensors";
    writeSafetensors(path, {});
    EXPECT_TRUE(SafetensorsFile(path).tensors().empty());
    EXPECT_EQ(readAll(path).size(), 16u); // prefix + "{}" padded to 8

    writeSafetensors(path, { WritableTensor::fromFloat32("x", { 2 }, std::vector<float> { 1.0f, 2.0f }, DType::F32) });
    EXPECT_EQ(SafetensorsFile(path).readFloat32("x"), std::vector<float>({ 1.0f, 2.0f }));
    EXPECT_EQ(entriesIn(dir.path()), 1u);
}

TEST(SafetensorsWriter, RefusesDuplicateNames)
{
    test::ScratchDir dir;
    const auto path = dir / "dup.safetensors";
    std::vector<WritableTensor> tensors;
    tensors.push_back(WritableTensor::fromFloat32("same", { 1 }, std::vector<float> { 1.0f }, DType::F32));
    tensors.push_back(WritableTensor::fromFloat32("same", { 1 }, std::vector<float> { 2.0f }, DType::BF16));
    test::expectMessage(test::errorOf([&] { writeSafetensors(path, tensors); }), { path.string(), "'same'", "duplicate" });
    EXPECT_FALSE(std::filesystem::exists(path));
    EXPECT_EQ(entriesIn(dir.path()), 0u);
}

TEST(SafetensorsWriter, RefusesByteSizeMismatch)
{
    test::ScratchDir dir;
    const auto path = dir / "mismatch.safetensors";
    WritableTensor tensor;
    tensor.name = "w";
    tensor.dtype = DType::BF16;
    tensor.shape = { 2, 3 };
    tensor.bytes.resize(10);
    test::expectMessage(test::errorOf([&] { writeSafetensors(path, { tensor }); }),
                        { path.string(), "'w'", "size mismatch", "12", "10" });
    EXPECT_FALSE(std::filesystem::exists(path));

    tensor.shape = { -2, -6 };
    tensor.bytes.resize(24);
    test::expectMessage(test::errorOf([&] { writeSafetensors(path, { tensor }); }), { "'w'", "negative" });
    tensor.shape = { std::numeric_limits<std::int64_t>::max(), 4 };
    test::expectMessage(test::errorOf([&] { writeSafetensors(path, { tensor }); }), { "'w'", "too many" });
    EXPECT_EQ(entriesIn(dir.path()), 0u);
}

TEST(SafetensorsWriter, FailedWriteLeavesTheOldFileUntouched)
{
    test::ScratchDir dir;
    const auto path = dir / "keep.safetensors";
    writeSafetensors(path, { WritableTensor::fromFloat32("old", { 1 }, std::vector<float> { 5.0f }, DType::F32) });
    const std::string before = readAll(path);
    std::vector<WritableTensor> bad(2, WritableTensor::fromFloat32("x", { 1 }, std::vector<float> { 1.0f }, DType::F32));
    EXPECT_FALSE(test::errorOf([&] { writeSafetensors(path, bad); }).empty());
    EXPECT_EQ(readAll(path), before);
    EXPECT_EQ(entriesIn(dir.path()), 1u);
}

TEST(SafetensorsWriter, RefusesReservedNamesAndBadInput)
{
    test::ScratchDir dir;
    const auto path = dir / "bad.safetensors";
    const std::vector<float> one = { 1.0f };
    const auto reserved = [&] { writeSafetensors(path, { WritableTensor::fromFloat32("__metadata__", { 1 }, one, DType::F32) }); };
    test::expectMessage(test::errorOf(reserved), { "__metadata__" });
    const auto shortValues = [&] { (void)WritableTensor::fromFloat32("short", { 2, 2 }, one, DType::F16); };
    test::expectMessage(test::errorOf(shortValues), { "'short'" });
    // nlohmann refuses to encode invalid UTF-8; that must surface as an Error, not a json exception.
    const auto badUtf8 = [&] { writeSafetensors(path, { WritableTensor::fromFloat32("bad\xff", { 1 }, one, DType::F32) }); };
    test::expectMessage(test::errorOf(badUtf8), { path.string() });
    EXPECT_EQ(entriesIn(dir.path()), 0u);
}

TEST(SafetensorsWriter, MissingDirectoryIsAnError)
{
    test::ScratchDir dir;
    const auto path = dir / "no" / "such" / "dir.safetensors";
    test::expectMessage(test::errorOf([&] { writeSafetensors(path, {}); }), { path.string() });
    EXPECT_FALSE(std::filesystem::exists(path));
}

} // namespace
} // namespace glvq::io
