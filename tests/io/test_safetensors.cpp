// SPDX-License-Identifier: GPL-3.0-or-later
// Reading safetensors: the real sharded bf16 fixture checkpoint, and the basics of SafetensorsFile.
#include "core/io/checkpoint.h"
#include "core/io/safetensors.h"
#include "tests/io/io_test_util.h"
#include "tests/support/fixtures.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <set>

namespace glvq::io {
namespace {

const char* kFixture = "debian-llama-16m";

TEST(FixtureCheckpoint, HasEveryTensorOfTheIndex)
{
    const auto index = test::loadFixtureJson(std::string(kFixture) + "/model.safetensors.index.json");
    const auto& weightMap = index.at("weight_map");
    const auto checkpoint = Checkpoint::open(test::fixturePath(kFixture));

    EXPECT_EQ(checkpoint.files().size(), 3u);
    const auto names = checkpoint.tensorNames();
    ASSERT_EQ(names.size(), weightMap.size());
    EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
    for (const auto& [name, shard] : weightMap.items()) {
        ASSERT_TRUE(checkpoint.contains(name)) << name;
        EXPECT_EQ(checkpoint.fileOf(name).path().filename().string(), shard.get<std::string>()) << name;
        EXPECT_EQ(checkpoint.info(name).dtype, DType::BF16) << name;
    }
    if (index.contains("metadata") && index["metadata"].contains("total_size")) {
        EXPECT_EQ(checkpoint.totalTensorBytes(), index["metadata"]["total_size"].get<std::uint64_t>());
    }
    EXPECT_FALSE(checkpoint.contains("model.layers.0.self_attn.k_proj.bias"));
}

TEST(FixtureCheckpoint, ShapesMatchTheArchitecture)
{
    const auto checkpoint = Checkpoint::open(test::fixturePath(kFixture));
    using Shape = std::vector<std::int64_t>;
    EXPECT_EQ(checkpoint.info("model.embed_tokens.weight").shape, (Shape { 8192, 384 }));
    EXPECT_EQ(checkpoint.info("lm_head.weight").shape, (Shape { 8192, 384 }));
    EXPECT_EQ(checkpoint.info("model.norm.weight").shape, (Shape { 384 }));
    for (int layer = 0; layer < 6; ++layer) {
        const std::string p = "model.layers." + std::to_string(layer) + ".";
        EXPECT_EQ(checkpoint.info(p + "self_attn.q_proj.weight").shape, (Shape { 384, 384 }));
        EXPECT_EQ(checkpoint.info(p + "self_attn.k_proj.weight").shape, (Shape { 128, 384 })); // 2 KV heads x 64
        EXPECT_EQ(checkpoint.info(p + "self_attn.v_proj.weight").shape, (Shape { 128, 384 }));
        EXPECT_EQ(checkpoint.info(p + "self_attn.o_proj.weight").shape, (Shape { 384, 384 }));
        EXPECT_EQ(checkpoint.info(p + "mlp.gate_proj.weight").shape, (Shape { 1024, 384 }));
        EXPECT_EQ(checkpoint.info(p + "mlp.up_proj.weight").shape, (Shape { 1024, 384 }));
        EXPECT_EQ(checkpoint.info(p + "mlp.down_proj.weight").shape, (Shape { 384, 1024 }));
        EXPECT_EQ(checkpoint.info(p + "input_layernorm.weight").shape, (Shape { 384 }));
        EXPECT_EQ(checkpoint.info(p + "post_attention_layernorm.weight").shape, (Shape { 384 }));
    }
}

TEST(FixtureCheckpoint, Float32ValuesAreTheBf16Bits)
{
    const auto checkpoint = Checkpoint::open(test::fixturePath(kFixture));
    for (const auto& name : checkpoint.tensorNames()) {
        const auto& file = checkpoint.fileOf(name);
        const auto raw = file.rawBytes(name);
        const auto values = checkpoint.readFloat32(name);
        ASSERT_EQ(raw.size(), values.size() * 2) << name;
        ASSERT_EQ(static_cast<std::int64_t>(values.size()), checkpoint.info(name).numel()) << name;
        double sumSquares = 0.0;
        for (std::size_t i = 0; i < values.size(); ++i) {
            // Manual decode: the two little-endian bytes are the top half of the fp32 pattern.
            const std::uint32_t bits = (static_cast<std::uint32_t>(raw[2 * i + 1]) << 24)
                | (static_cast<std::uint32_t>(raw[2 * i]) << 16);
            float expected;
            std::memcpy(&expected, &bits, 4);
            ASSERT_EQ(values[i], expected) << name << "[" << i << "]";
            ASSERT_TRUE(std::isfinite(values[i])) << name << "[" << i << "]";
            sumSquares += static_cast<double>(values[i]) * values[i];
        }
        EXPECT_GT(sumSquares, 0.0) << name << " is all zeros";
    }
}

TEST(FixtureCheckpoint, OpensThroughTheIndexOrASingleShard)
{
    const auto dir = test::fixturePath(kFixture);
    const auto viaIndex = Checkpoint::open(dir / "model.safetensors.index.json");
    EXPECT_EQ(viaIndex.tensorNames(), Checkpoint::open(dir).tensorNames());
    EXPECT_EQ(viaIndex.directory(), dir);

    const auto shardPath = dir / "model-00003-of-00003.safetensors";
    const auto shard = Checkpoint::open(shardPath);
    const SafetensorsFile file(shardPath);
    EXPECT_EQ(shard.tensorNames().size(), file.tensors().size());
    EXPECT_TRUE(shard.contains("lm_head.weight"));
    EXPECT_EQ(shard.readFloat32("lm_head.weight"), viaIndex.readFloat32("lm_head.weight"));
}

TEST(FixtureCheckpoint, TensorsAreInOffsetOrderWithinEachShard)
{
    const auto checkpoint = Checkpoint::open(test::fixturePath(kFixture));
    for (const auto& file : checkpoint.files()) {
        const auto& tensors = file->tensors();
        for (std::size_t i = 1; i < tensors.size(); ++i)
            EXPECT_LE(tensors[i - 1].dataOffset + tensors[i - 1].byteSize, tensors[i].dataOffset);
        for (const auto& tensor : tensors)
            EXPECT_EQ(file->find(tensor.name), &tensor);
    }
}

TEST(FixtureCheckpoint, UnknownTensorIsAnErrorNamingIt)
{
    const auto dir = test::fixturePath(kFixture);
    const auto checkpoint = Checkpoint::open(dir);
    test::expectMessage(test::errorOf([&] { (void)checkpoint.readFloat32("model.nope.weight"); }),
                        { dir.string(), "model.nope.weight" });
    test::expectMessage(test::errorOf([&] { (void)checkpoint.info("model.nope.weight"); }), { "model.nope.weight" });

    const auto shardPath = dir / "model-00001-of-00003.safetensors";
    const SafetensorsFile file(shardPath);
    test::expectMessage(test::errorOf([&] { (void)file.rawBytes("lm_head.weight"); }),
                        { shardPath.string(), "lm_head.weight" });
    test::expectMessage(test::errorOf([&] { (void)file.readFloat32("missing.weight"); }),
                        { shardPath.string(), "missing.weight" });
    EXPECT_EQ(file.find("missing.weight"), nullptr);

    std::vector<float> wrong(10);
    test::expectMessage(test::errorOf([&] { file.readFloat32("model.embed_tokens.weight", wrong); }),
                        { shardPath.string(), "model.embed_tokens.weight", "10" });
    std::vector<float> right(8192 * 384);
    file.readFloat32("model.embed_tokens.weight", right);
    EXPECT_EQ(right, file.readFloat32("model.embed_tokens.weight"));
}

TEST(SafetensorsFile, ReadsAHandBuiltFile)
{
    test::ScratchDir dir;
    // Two F32 tensors with a gap between them, a zero-size tensor, metadata, and space padding.
    const std::string header = R"({"__metadata__":{"format":"pt"},)"
                               R"("b":{"dtype":"F32","shape":[2],"data_offsets":[12,20]},)"
                               R"("a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                               R"("empty":{"dtype":"BF16","shape":[0,3],"data_offsets":[4,4]}}   )";
    const float values[3] = { 1.5f, -2.0f, 0.25f };
    std::string data(20, '\0');
    std::memcpy(data.data(), &values[0], 4);
    std::memcpy(data.data() + 12, &values[1], 8);
    test::writeBytes(dir / "hand.safetensors", test::safetensorsImage(header, data));

    const SafetensorsFile file(dir / "hand.safetensors");
    ASSERT_EQ(file.tensors().size(), 3u);
    EXPECT_EQ(file.tensors()[0].name, "a");
    EXPECT_EQ(file.tensors()[1].name, "empty");
    EXPECT_EQ(file.tensors()[2].name, "b");
    EXPECT_EQ(file.metadata().at("format"), "pt");
    EXPECT_EQ(file.readFloat32("a"), std::vector<float>({ 1.5f }));
    EXPECT_EQ(file.readFloat32("b"), std::vector<float>({ -2.0f, 0.25f }));
    EXPECT_TRUE(file.readFloat32("empty").empty());
    EXPECT_EQ(file.info("empty").numel(), 0);
    EXPECT_EQ(file.rawBytes("b").size(), 8u);
    EXPECT_EQ(file.fileSize(), 8 + header.size() + data.size());
}

TEST(SafetensorsFile, EmptyHeaderIsAValidFile)
{
    test::ScratchDir dir;
    test::writeBytes(dir / "empty.safetensors", test::safetensorsImage("{}"));
    const SafetensorsFile file(dir / "empty.safetensors");
    EXPECT_TRUE(file.tensors().empty());
    EXPECT_TRUE(file.metadata().empty());
}

TEST(SafetensorsFile, ScalarTensorHasOneElement)
{
    test::ScratchDir dir;
    const float value = 7.0f;
    test::writeBytes(dir / "s.safetensors",
               test::safetensorsImage(R"({"s":{"dtype":"F32","shape":[],"data_offsets":[0,4]}})",
                                      std::string(reinterpret_cast<const char*>(&value), 4)));
    const SafetensorsFile file(dir / "s.safetensors");
    EXPECT_EQ(file.info("s").numel(), 1);
    EXPECT_EQ(file.readFloat32("s"), std::vector<float>({ 7.0f }));
}

} // namespace
} // namespace glvq::io
