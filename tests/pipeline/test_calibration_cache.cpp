// SPDX-License-Identifier: GPL-3.0-or-later
// The on-disk calibration cache: a second run reads back exactly what the first computed, any change of the
// checkpoint's calibration protocol gets its own file, a damaged file is recomputed, a foreign file is named
// in the error, and a cancelled run leaves no file behind.
#include "core/pipeline/calibration_cache.h"
#include "core/util/error.h"
#include "core/util/text_file.h"
#include "tests/support/fixtures.h"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;
using namespace glvq::pipeline;

namespace {

struct CacheTest : ::testing::Test {
    fs::path modelDir = glvq::test::fixturePath("debian-llama-16m");
    glvq::tok::Tokenizer tokenizer = glvq::tok::Tokenizer::fromFile(modelDir / "tokenizer.json");
    std::unique_ptr<glvq::model::CausalLM> model = glvq::model::loadCausalLM(modelDir, glvq::model::ComputeDevice::Cpu);
    fs::path dir = fs::temp_directory_path() / ("glvq-calib-cache-" + std::to_string(::getpid()));
    PipelineOptions options;

    void SetUp() override
    {
        fs::remove_all(dir);
        options.calibrationText = glvq::test::fixturePath("calib.txt");
        options.samples = 3;
        options.ctx = 64;
        options.klSampleRows = 32;
        options.seed = 5;
    }
    void TearDown() override { fs::remove_all(dir); }

    std::size_t filesInCache() const
    {
        std::size_t n = 0;
        for (const auto& entry : fs::directory_iterator(dir))
            n += entry.is_regular_file() ? 1 : 0;
        return n;
    }
};

void expectSameStatistics(const CalibrationStatistics& a, const CalibrationStatistics& b)
{
    ASSERT_EQ(a.hessians.size(), b.hessians.size());
    for (const auto& [name, h] : a.hessians) {
        ASSERT_TRUE(b.hessians.count(name)) << name;
        EXPECT_TRUE(at::equal(h, b.hessians.at(name))) << name; // bit for bit: f64 stored as f64
        EXPECT_TRUE(at::equal(a.samples.at(name), b.samples.at(name))) << name;
    }
    EXPECT_EQ(a.protocol.describe(), b.protocol.describe());
}

} // namespace

TEST_F(CacheTest, SecondRunReadsExactlyWhatTheFirstComputed)
{
    const auto first = cachedCalibrationStatistics(*model, tokenizer, options, modelDir, dir);
    EXPECT_FALSE(first.fromCache);
    ASSERT_TRUE(fs::exists(first.file));
    EXPECT_EQ(first.statistics->hessians.size(), 42u); // 6 blocks × 7 linear layers
    const auto second = cachedCalibrationStatistics(*model, tokenizer, options, modelDir, dir);
    EXPECT_TRUE(second.fromCache);
    EXPECT_EQ(second.file, first.file);
    expectSameStatistics(*first.statistics, *second.statistics);
    EXPECT_TRUE(second.statistics->matches(options));
    EXPECT_EQ(filesInCache(), 1u); // no temporary left
}

TEST_F(CacheTest, EveryProtocolChangeGetsItsOwnFile)
{
    const auto base = cachedCalibrationStatistics(*model, tokenizer, options, modelDir, dir);
    auto otherSeed = options;
    otherSeed.seed = 6;
    const auto seeded = cachedCalibrationStatistics(*model, tokenizer, otherSeed, modelDir, dir);
    EXPECT_FALSE(seeded.fromCache);
    EXPECT_NE(seeded.file, base.file);
    // Same file name, different contents: the text's SHA-256 keys the cache, not its name.
    const auto renamedText = dir / "texts" / "calib.txt";
    fs::create_directories(renamedText.parent_path());
    std::ofstream(renamedText) << glvq::readTextFile(options.calibrationText) << "\nOne more line.\n";
    auto otherText = options;
    otherText.calibrationText = renamedText;
    const auto edited = cachedCalibrationStatistics(*model, tokenizer, otherText, modelDir, dir / "cache2");
    EXPECT_NE(edited.file.filename(), base.file.filename());
}

TEST_F(CacheTest, DamagedFileIsRecomputedAndForeignFileIsNamed)
{
    const auto first = cachedCalibrationStatistics(*model, tokenizer, options, modelDir, dir);
    const auto size = fs::file_size(first.file);
    fs::resize_file(first.file, size / 2);
    std::string note;
    const auto again = cachedCalibrationStatistics(*model, tokenizer, options, modelDir, dir,
                                                   [&](const glvq::ProgressInfo& p) {
                                                       if (p.stage == "calibration cache")
                                                           note = p.detail;
                                                   });
    EXPECT_FALSE(again.fromCache);
    EXPECT_NE(note.find("recomputing"), std::string::npos) << note;
    EXPECT_EQ(fs::file_size(again.file), size);
    expectSameStatistics(*first.statistics, *again.statistics);

    // A valid cache of another protocol under this protocol's name: the mismatch is named, never used.
    auto other = options;
    other.samples = 2;
    const auto otherFile = cachedCalibrationStatistics(*model, tokenizer, other, modelDir, dir).file;
    fs::copy_file(otherFile, first.file, fs::copy_options::overwrite_existing);
    try {
        readCalibrationCache(first.file, checkpointWeightsSha256(modelDir), first.statistics->protocol);
        FAIL() << "a cache of another protocol was accepted";
    } catch (const glvq::Error& error) {
        EXPECT_NE(std::string(error.what()).find("samples is 2, expected 3"), std::string::npos) << error.what();
        EXPECT_NE(std::string(error.what()).find(first.file.filename().string()), std::string::npos) << error.what();
    }
}

TEST_F(CacheTest, CancelledRunLeavesNoFile)
{
    glvq::CancelSource source;
    source.requestCancel();
    EXPECT_THROW(cachedCalibrationStatistics(*model, tokenizer, options, modelDir, dir, {}, source.token()),
                 glvq::Cancelled);
    EXPECT_EQ(filesInCache(), 0u);
}
