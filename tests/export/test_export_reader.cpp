// SPDX-License-Identifier: GPL-3.0-or-later
// End to end on debian-llama-16m: glvq quantize --out (RTN 3-bit uniform; GLVQ 2-bit, few iterations, small
// calibration), the independent Python reader against the C++ decode (max abs diff <= 1e-6), and
// glvq dequantize --dtype fp32 evaluating to exactly the in-memory quantized model's perplexity.
#include "core/io/dtype.h"
#include "core/pipeline/export_model.h"
#include "tests/support/fixtures.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sys/wait.h>

namespace {

namespace fs = std::filesystem;

std::pair<int, std::string> run(const std::string& command)
{
    std::string out;
    FILE* pipe = ::popen(command.c_str(), "r");
    std::array<char, 4096> buffer;
    std::size_t n;
    while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0)
        out.append(buffer.data(), n);
    const int status = ::pclose(pipe);
    return { WIFEXITED(status) ? WEXITSTATUS(status) : -1, out };
}

fs::path workDir()
{
    const auto dir = fs::temp_directory_path() / ("glvq_export_reader_" + std::to_string(::getpid()));
    fs::create_directories(dir);
    return dir;
}

std::string common()
{
    return " '" + glvq::test::fixturePath("debian-llama-16m").string() + "' --eval-text '"
        + glvq::test::fixturePath("eval_tech.txt").string() + "' --eval-ctx 128 --eval-max-windows 2 --json --quiet";
}

void checkReader(const fs::path& h5)
{
    const auto model = glvq::pipeline::importModel(h5);
    const auto ref = h5.parent_path() / (h5.stem().string() + "_ref");
    fs::create_directories(ref);
    auto dump = [&](const std::string& name, const std::vector<float>& values) {
        std::ofstream(ref / (name + ".f32"), std::ios::binary)
            .write(reinterpret_cast<const char*>(values.data()), std::streamsize(values.size() * sizeof(float)));
    };
    for (const auto& layer : model.layers) {
        const auto decoded = layer.codes->decode().contiguous();
        dump(layer.name + ".weight", { decoded.data_ptr<float>(), decoded.data_ptr<float>() + decoded.numel() });
    }
    for (const auto& tensor : model.tensors) {
        std::vector<float> values(tensor.bytes.size() / (tensor.dtype == "F32" ? 4 : 2));
        const auto dtype = *glvq::io::parseDType(tensor.dtype);
        glvq::io::convertToFloat32(dtype, tensor.bytes, values);
        dump(tensor.name, values);
    }
    const auto [code, out] = run("/usr/bin/python3 '" GLVQ_H5_READER "' '" + h5.string() + "' --compare '" + ref.string() + "' 2>&1");
    EXPECT_EQ(code, 0) << out;
    EXPECT_NE(out.find("compared " + std::to_string(model.layers.size() + model.tensors.size()) + " tensors"), std::string::npos) << out;
}

TEST(ExportReader, RtnExportDecodesInPythonAndDequantizesExactly)
{
    const auto dir = workDir();
    const auto h5 = dir / "rtn3.h5";
    fs::remove(h5);
    const auto [code, out] = run(std::string(GLVQ_CLI_PATH) + " quantize" + common()
                                 + " --method rtn --bits 3 --alloc uniform --out '" + h5.string() + "'");
    ASSERT_EQ(code, 0) << out;
    const auto quantized = nlohmann::json::parse(out)["evaluation"]["candidate"]["perplexity"].get<double>();
    checkReader(h5);

    // Refuses to overwrite, leaving the file untouched.
    const auto before = fs::file_size(h5);
    const auto [again, againOut] = run(std::string(GLVQ_CLI_PATH) + " quantize" + common()
                                       + " --method rtn --bits 3 --alloc uniform --out '" + h5.string() + "' 2>&1");
    EXPECT_EQ(again, 1) << againOut;
    EXPECT_NE(againOut.find("file exists"), std::string::npos) << againOut;
    EXPECT_EQ(fs::file_size(h5), before);

    const auto hf = dir / "rtn3_fp32";
    fs::remove_all(hf);
    ASSERT_EQ(run(std::string(GLVQ_CLI_PATH) + " dequantize '" + h5.string() + "' --dtype fp32 --out '" + hf.string() + "'").first, 0);
    const auto [evalCode, evalOut] = run(std::string(GLVQ_CLI_PATH) + " eval '" + hf.string() + "' --text '"
                                         + glvq::test::fixturePath("eval_tech.txt").string()
                                         + "' --ctx 128 --max-windows 2 --json --quiet");
    ASSERT_EQ(evalCode, 0) << evalOut;
    // Same weights bit for bit; the KL pass of quantize and the plain eval batch windows differently, so the
    // fp32 forward passes differ in rounding (measured: 1.8e-8 relative). Weights: see test_export.
    EXPECT_NEAR(nlohmann::json::parse(evalOut)["perplexity"].get<double>(), quantized, 1e-6 * quantized);

    const auto [inspectCode, inspectOut] = run(std::string(GLVQ_CLI_PATH) + " inspect '" + h5.string() + "' --json");
    ASSERT_EQ(inspectCode, 0) << inspectOut;
    const auto inspected = nlohmann::json::parse(inspectOut);
    EXPECT_GT(inspected["composition"]["code_bytes"].get<double>(), 0);
    // RTN layers have no fused kernel: on a GPU they run decoded (dense).
    EXPECT_EQ(inspected["cuda_products"], (nlohmann::json { { "decoded", inspected["layers"].size() } })) << inspectOut;
}

TEST(ExportReader, GlvqExportDecodesInPython)
{
    const auto h5 = workDir() / "glvq2.h5";
    fs::remove(h5);
    const auto [code, out] = run(std::string(GLVQ_CLI_PATH) + " quantize" + common() + " --method glvq --bits 2 --dim 8"
                                 + " --alloc uniform --iterations 3 --samples 4 --ctx 64 --calib '"
                                 + glvq::test::fixturePath("calib.txt").string() + "' --out '" + h5.string() + "'");
    ASSERT_EQ(code, 0) << out;
    checkReader(h5);

    // The file runs as a model (issue #6): glvq eval on the .h5, decoded or through the fused kernels, gives the
    // perplexity quantize measured in memory; glvq bench decodes tokens through the fused kernels.
    const auto quantized = nlohmann::json::parse(out)["evaluation"]["candidate"]["perplexity"].get<double>();
    for (const char* kernels : { "decoded", "fused" }) {
        const auto [evalCode, evalOut]
            = run(std::string(GLVQ_CLI_PATH) + " eval '" + h5.string() + "' --kernels " + kernels + " --text '"
                  + glvq::test::fixturePath("eval_tech.txt").string() + "' --ctx 128 --max-windows 2 --json --quiet");
        ASSERT_EQ(evalCode, 0) << evalOut;
        EXPECT_NEAR(nlohmann::json::parse(evalOut)["perplexity"].get<double>(), quantized, 1e-5 * quantized) << kernels;
    }
    const auto [benchCode, benchOut] = run(std::string(GLVQ_CLI_PATH) + " bench '" + h5.string()
                                           + "' --kernels fused --prompt 4 --tokens 4 --json --quiet");
    ASSERT_EQ(benchCode, 0) << benchOut;
    const auto bench = nlohmann::json::parse(benchOut);
    EXPECT_GT(bench["model_result"]["tokens_per_second"].get<double>(), 0.0);
    EXPECT_GT(bench["baseline_result"]["tokens_per_second"].get<double>(), 0.0);
    EXPECT_NE(bench["layers"].get<std::string>().find("fused CPU ("), std::string::npos) << benchOut;

    // glvq inspect says how each layer will run on a GPU: d = 8 GLVQ layers on tensor cores, companded (the
    // default learns μ) unless every group of the layer ended with μ = 0.
    const auto [inspectCode, inspectOut] = run(std::string(GLVQ_CLI_PATH) + " inspect '" + h5.string() + "' --json");
    ASSERT_EQ(inspectCode, 0) << inspectOut;
    const auto inspected = nlohmann::json::parse(inspectOut);
    std::int64_t groups = 0, companded = 0;
    std::map<std::string, int> products;
    for (const auto& layer : inspected["layers"]) {
        groups += layer["glvq_groups"].get<std::int64_t>();
        companded += layer["companded_groups"].get<std::int64_t>();
        const bool linear = layer["companded_groups"].get<std::int64_t>() == 0;
        EXPECT_EQ(layer["cuda_product"], linear ? "tensor-core linear" : "tensor-core companded") << layer.dump();
        ++products[layer["cuda_product"].get<std::string>()];
    }
    EXPECT_EQ(groups, inspected["companding"]["groups"].get<std::int64_t>());
    EXPECT_EQ(companded, inspected["companding"]["companded_groups"].get<std::int64_t>());
    EXPECT_GT(companded, 0) << "learnable μ starts at 1";
    EXPECT_EQ(inspected["cuda_products"], nlohmann::json(products));
}

TEST(ExportReader, E8ExportsDecodeInPython)
{
    // 2 bits: the E8P codebook (16-bit codes, pattern table); 3 bits: the shifted E8 box (24-bit codes).
    for (const int bits : { 2, 3 }) {
        const auto h5 = workDir() / ("e8_" + std::to_string(bits) + ".h5");
        fs::remove(h5);
        const auto [code, out] = run(std::string(GLVQ_CLI_PATH) + " quantize" + common() + " --method e8 --bits "
                                     + std::to_string(bits) + " --alloc uniform --samples 4 --ctx 64 --calib '"
                                     + glvq::test::fixturePath("calib.txt").string() + "' --out '" + h5.string() + "'");
        ASSERT_EQ(code, 0) << out;
        checkReader(h5);
    }
}

} // namespace
