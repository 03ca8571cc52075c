// SPDX-License-Identifier: GPL-3.0-or-later
// Checkpoint layouts and the index checks: missing shards, tensors missing from their shard, tensors
// present twice, and directories that hold no checkpoint at all. Shards are written with the writer.
#include "core/io/checkpoint.h"
#include "core/io/safetensors_writer.h"
#include "tests/io/io_test_util.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace glvq::io {
namespace {

WritableTensor tensor(const std::string& name, float value)
{
    return WritableTensor::fromFloat32(name, { 2 }, std::vector<float> { value, -value }, DType::BF16);
}

void writeIndex(const std::filesystem::path& path, const nlohmann::json& weightMap)
{
    test::writeBytes(path, nlohmann::json { { "metadata", { { "total_size", 0 } } }, { "weight_map", weightMap } }.dump(2));
}

// Two shards: a, b in shard 1 and c in shard 2.
void writeShards(const test::ScratchDir& dir)
{
    writeSafetensors(dir / "s1.safetensors", { tensor("a", 1.0f), tensor("b", 2.0f) });
    writeSafetensors(dir / "s2.safetensors", { tensor("c", 3.0f) });
}

TEST(Checkpoint, OpensAShardedDirectory)
{
    test::ScratchDir dir;
    writeShards(dir);
    writeIndex(dir / "model.safetensors.index.json", { { "a", "s1.safetensors" }, { "b", "s1.safetensors" },
                                                        { "c", "s2.safetensors" } });
    const auto checkpoint = Checkpoint::open(dir.path());
    EXPECT_EQ(checkpoint.tensorNames(), (std::vector<std::string> { "a", "b", "c" }));
    EXPECT_EQ(checkpoint.files().size(), 2u);
    EXPECT_EQ(checkpoint.readFloat32("c"), std::vector<float>({ 3.0f, -3.0f }));
    EXPECT_EQ(checkpoint.fileOf("b").path(), dir / "s1.safetensors");
    EXPECT_EQ(checkpoint.totalTensorBytes(), 12u);
    EXPECT_EQ(checkpoint.directory(), dir.path());
}

TEST(Checkpoint, OpensASingleFileDirectory)
{
    test::ScratchDir dir;
    writeSafetensors(dir / "model.safetensors", { tensor("x", 4.0f), tensor("y", 5.0f) });
    const auto checkpoint = Checkpoint::open(dir.path());
    EXPECT_EQ(checkpoint.tensorNames(), (std::vector<std::string> { "x", "y" }));
    EXPECT_EQ(checkpoint.readFloat32("y"), std::vector<float>({ 5.0f, -5.0f }));

    const auto direct = Checkpoint::open(dir / "model.safetensors");
    EXPECT_EQ(direct.directory(), dir.path());
    EXPECT_EQ(direct.tensorNames(), checkpoint.tensorNames());
}

TEST(Checkpoint, ExtraTensorsInAShardAreTolerated)
{
    test::ScratchDir dir;
    writeShards(dir);
    writeIndex(dir / "model.safetensors.index.json", { { "a", "s1.safetensors" }, { "c", "s2.safetensors" } });
    const auto checkpoint = Checkpoint::open(dir.path());
    EXPECT_EQ(checkpoint.tensorNames(), (std::vector<std::string> { "a", "c" })); // the index is the list
}

TEST(Checkpoint, IndexNamingAMissingShard)
{
    test::ScratchDir dir;
    writeShards(dir);
    const auto index = dir / "model.safetensors.index.json";
    writeIndex(index, { { "a", "s1.safetensors" }, { "c", "s3.safetensors" } });
    test::expectMessage(test::errorOf([&] { (void)Checkpoint::open(dir.path()); }),
                        { index.string(), "s3.safetensors", "'c'", "does not exist" });
}

TEST(Checkpoint, IndexNamingATensorItsShardLacks)
{
    test::ScratchDir dir;
    writeShards(dir);
    writeIndex(dir / "model.safetensors.index.json", { { "a", "s1.safetensors" }, { "c", "s1.safetensors" } });
    test::expectMessage(test::errorOf([&] { (void)Checkpoint::open(dir.path()); }),
                        { (dir / "s1.safetensors").string(), "'c'", "does not contain" });
}

TEST(Checkpoint, TensorInTwoShards)
{
    test::ScratchDir dir;
    writeSafetensors(dir / "s1.safetensors", { tensor("a", 1.0f), tensor("b", 2.0f) });
    writeSafetensors(dir / "s2.safetensors", { tensor("b", 2.0f), tensor("c", 3.0f) });
    writeIndex(dir / "model.safetensors.index.json", { { "a", "s1.safetensors" }, { "b", "s1.safetensors" },
                                                        { "c", "s2.safetensors" } });
    test::expectMessage(test::errorOf([&] { (void)Checkpoint::open(dir.path()); }),
                        { "'b'", "s1.safetensors", "s2.safetensors", "also present" });
}

TEST(Checkpoint, MalformedIndex)
{
    test::ScratchDir dir;
    writeShards(dir);
    const auto index = dir / "model.safetensors.index.json";

    test::writeBytes(index, "{\"weight_map\": {\"a\": ");
    test::expectMessage(test::errorOf([&] { (void)Checkpoint::open(dir.path()); }), { index.string(), "malformed JSON" });

    test::writeBytes(index, R"({"metadata": {}})");
    test::expectMessage(test::errorOf([&] { (void)Checkpoint::open(dir.path()); }), { index.string(), "weight_map" });

    test::writeBytes(index, R"({"weight_map": ["a"]})");
    test::expectMessage(test::errorOf([&] { (void)Checkpoint::open(dir.path()); }), { index.string(), "weight_map" });

    test::writeBytes(index, R"([1, 2])");
    test::expectMessage(test::errorOf([&] { (void)Checkpoint::open(dir.path()); }), { index.string(), "weight_map" });

    test::writeBytes(index, R"({"weight_map": {"a": 1}})");
    test::expectMessage(test::errorOf([&] { (void)Checkpoint::open(dir.path()); }), { index.string(), "'a'" });

    writeIndex(index, { { "a", "/etc/passwd" } });
    test::expectMessage(test::errorOf([&] { (void)Checkpoint::open(dir.path()); }), { index.string(), "'a'", "relative" });

    writeIndex(index, { { "a", "../s1.safetensors" } });
    test::expectMessage(test::errorOf([&] { (void)Checkpoint::open(dir.path()); }), { index.string(), "relative" });
}

TEST(Checkpoint, MalformedShardNamesTheShard)
{
    test::ScratchDir dir;
    test::writeBytes(dir / "s1.safetensors", "short");
    writeIndex(dir / "model.safetensors.index.json", { { "a", "s1.safetensors" } });
    test::expectMessage(test::errorOf([&] { (void)Checkpoint::open(dir.path()); }),
                        { (dir / "s1.safetensors").string(), "too short" });
}

TEST(Checkpoint, NoCheckpointHere)
{
    test::ScratchDir dir;
    writeSafetensors(dir / "weights.safetensors", { tensor("a", 1.0f) });
    test::expectMessage(test::errorOf([&] { (void)Checkpoint::open(dir.path()); }),
                        { dir.path().string(), "model.safetensors", "model.safetensors.index.json" });
    test::expectMessage(test::errorOf([&] { (void)Checkpoint::open(dir / "absent"); }),
                        { (dir / "absent").string(), "no such file" });
}

TEST(Checkpoint, UnknownTensor)
{
    test::ScratchDir dir;
    writeSafetensors(dir / "model.safetensors", { tensor("x", 4.0f) });
    const auto checkpoint = Checkpoint::open(dir.path());
    EXPECT_FALSE(checkpoint.contains("nope"));
    for (const auto& call : std::vector<std::function<void()>> {
             [&] { (void)checkpoint.readFloat32("nope"); },
             [&] { (void)checkpoint.info("nope"); },
             [&] { (void)checkpoint.fileOf("nope"); },
         })
        test::expectMessage(test::errorOf(call), { dir.path().string(), "'nope'" });
}

TEST(Checkpoint, IsMovable)
{
    test::ScratchDir dir;
    writeShards(dir);
    writeIndex(dir / "model.safetensors.index.json", { { "a", "s1.safetensors" }, { "c", "s2.safetensors" } });
    auto first = Checkpoint::open(dir.path());
    const Checkpoint moved = std::move(first);
    EXPECT_EQ(moved.readFloat32("a"), std::vector<float>({ 1.0f, -1.0f }));
}

} // namespace
} // namespace glvq::io
