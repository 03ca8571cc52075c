// SPDX-License-Identifier: GPL-3.0-or-later
// glvq info / eval / tokenize: help, machine-readable output, and one-line errors with the right exit codes.
#include "tests/support/fixtures.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sys/wait.h>

namespace {

struct CommandResult {
    int exitCode = -1;
    std::string out;
    std::string err;
};

// Runs glvq with `args` (already shell-quoted where needed), capturing stdout and stderr separately.
CommandResult runGlvq(const std::string& args)
{
    const auto errFile = std::filesystem::temp_directory_path() / ("glvq_cli_err_" + std::to_string(::getpid()));
    const std::string command = std::string(GLVQ_CLI_PATH) + " " + args + " 2>" + errFile.string();
    CommandResult result;
    FILE* pipe = ::popen(command.c_str(), "r");
    if (!pipe)
        return result;
    std::array<char, 4096> buffer;
    std::size_t n;
    while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0)
        result.out.append(buffer.data(), n);
    const int status = ::pclose(pipe);
    result.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    std::ifstream err(errFile);
    result.err.assign(std::istreambuf_iterator<char>(err), {});
    std::filesystem::remove(errFile);
    return result;
}

std::string quoted(const std::filesystem::path& path)
{
    std::string text = "'"; // built by appending: GCC 12 warns falsely (-Wrestrict) on "'" + string + "'"
    text += path.string();
    text += '\'';
    return text;
}

std::string modelDir() { return quoted(glvq::test::fixturePath("debian-llama-16m")); }

void expectOneLineError(const CommandResult& result, int exitCode, const std::string& needle)
{
    EXPECT_EQ(result.exitCode, exitCode) << result.err;
    EXPECT_NE(result.err.find(needle), std::string::npos) << result.err;
    ASSERT_FALSE(result.err.empty());
    EXPECT_EQ(result.err.find('\n'), result.err.size() - 1) << "one line expected: " << result.err;
}

} // namespace

TEST(Cli, HelpForEveryCommand)
{
    const auto top = runGlvq("--help");
    EXPECT_EQ(top.exitCode, 0);
    for (const char* command : { "info", "eval", "tokenize", "bench" }) {
        EXPECT_NE(top.out.find(command), std::string::npos);
        const auto help = runGlvq(std::string(command) + " --help");
        EXPECT_EQ(help.exitCode, 0);
        EXPECT_NE(help.out.find(std::string("usage: glvq ") + command), std::string::npos) << help.out;
    }
    EXPECT_EQ(runGlvq("").exitCode, 2);
    expectOneLineError(runGlvq("frobnicate"), 2, "unknown command 'frobnicate'");
}

TEST(Cli, InfoJsonDescribesTheCheckpoint)
{
    const auto result = runGlvq("info " + modelDir() + " --json");
    ASSERT_EQ(result.exitCode, 0) << result.err;
    const auto info = nlohmann::json::parse(result.out);
    EXPECT_EQ(info["config"]["model_type"], "llama");
    EXPECT_EQ(info["config"]["kv_heads"], 2);
    EXPECT_EQ(info["parameters"], 15733632);
    EXPECT_EQ(info["files"].size(), 3u);
    EXPECT_EQ(info["tensors"].size(), 57u);
    EXPECT_TRUE(info["missing_tensors"].empty());
    EXPECT_EQ(info["tensors"][0]["dtype"], "BF16");
}

TEST(Cli, TokenizeMatchesTheReferenceIds)
{
    const auto reference = glvq::test::loadFixtureJson("debian-llama-16m.reference.json");
    const auto expected = reference["probe_ids"][0].get<std::vector<int>>();
    const auto result = runGlvq("tokenize " + modelDir() + " --text "
                                + quoted(glvq::test::fixturePath("eval_austen.txt")) + " --json");
    ASSERT_EQ(result.exitCode, 0) << result.err;
    const auto ids = nlohmann::json::parse(result.out)["ids"].get<std::vector<int>>();
    ASSERT_GE(ids.size(), expected.size());
    EXPECT_TRUE(std::equal(expected.begin(), expected.end(), ids.begin()));

    const auto decoded = runGlvq("tokenize " + modelDir() + " --decode '1 6332 7718' --no-special");
    EXPECT_EQ(decoded.exitCode, 0);
    EXPECT_FALSE(decoded.out.empty());
}

TEST(Cli, EvalJsonCarriesItsProtocol)
{
    const auto text = glvq::test::fixturePath("eval_austen.txt");
    const auto result = runGlvq("eval " + modelDir() + " --text " + quoted(text) + " --ctx 128 --max-windows 3 --json");
    ASSERT_EQ(result.exitCode, 0) << result.err;
    const auto output = nlohmann::json::parse(result.out);
    const auto& protocol = output["protocol"];
    EXPECT_EQ(protocol["text"], "eval_austen.txt");
    EXPECT_EQ(protocol["text_sha256"].get<std::string>().size(), 64u);
    EXPECT_EQ(protocol["ctx"], 128);
    EXPECT_EQ(protocol["windows"], 3);
    EXPECT_EQ(protocol["scored_tokens"], 3 * 127);
    EXPECT_EQ(protocol["device"], "cpu");
    EXPECT_EQ(output["window_mean_nll"].size(), 3u);
    // The first windows of the fixture's own per-window NLLs.
    const auto reference = glvq::test::loadFixtureJson("debian-llama-16m.reference.json");
    const auto& windows = reference["ppl_fp32"]["eval_austen"]["128"]["window_mean_nll"];
    for (int w = 0; w < 3; ++w)
        EXPECT_NEAR(output["window_mean_nll"][w].get<double>(), windows[w].get<double>(), 1e-3);
}

TEST(Cli, BadInputGivesOneLineAndANonZeroExit)
{
    const auto text = quoted(glvq::test::fixturePath("eval_austen.txt"));
    expectOneLineError(runGlvq("info /no/such/model"), 1, "/no/such/model");
    expectOneLineError(runGlvq("eval " + modelDir() + " --ctx 128"), 2, "--text");
    expectOneLineError(runGlvq("eval " + modelDir() + " --text /no/such.txt --ctx 128"), 1, "/no/such.txt");
    expectOneLineError(runGlvq("eval " + modelDir() + " --text " + text + " --ctx many"), 2, "--ctx");
    expectOneLineError(runGlvq("eval " + modelDir() + " --text " + text + " --ctx 128 --device tpu"), 1, "tpu");
    expectOneLineError(runGlvq("eval " + modelDir() + " --text " + text + " --ctx 128 --bogus"), 2, "--bogus");
    expectOneLineError(runGlvq("tokenize " + modelDir()), 2, "exactly one of");
    expectOneLineError(runGlvq("bench " + modelDir() + " --kernels fastest"), 1, "--kernels");
    expectOneLineError(runGlvq("bench " + modelDir() + " --tokens 0"), 2, "--tokens");
    expectOneLineError(runGlvq("bench /no/such.h5"), 1, "/no/such.h5");
    expectOneLineError(runGlvq("eval " + text + " --text " + text + " --ctx 128"), 1, "eval_austen.txt");

    // A checkpoint whose shard is cut short: the error names the file.
    const auto broken = std::filesystem::temp_directory_path() / ("glvq_cli_broken_" + std::to_string(::getpid()));
    std::filesystem::create_directories(broken);
    const auto source = glvq::test::fixturePath("debian-llama-16m");
    std::filesystem::copy_file(source / "config.json", broken / "config.json");
    {
        std::ifstream in(source / "model-00003-of-00003.safetensors", std::ios::binary);
        std::string bytes(4096, '\0');
        in.read(bytes.data(), std::streamsize(bytes.size()));
        std::ofstream(broken / "model.safetensors", std::ios::binary).write(bytes.data(), in.gcount());
    }
    expectOneLineError(runGlvq("info " + quoted(broken)), 1, "model.safetensors");
    std::filesystem::remove_all(broken);
}
