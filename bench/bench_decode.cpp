// SPDX-License-Identifier: GPL-3.0-or-later
// Batch-1 decoding speed of a Llama-shaped model with GLVQ layers on the fused kernels, against the same model
// with dense fp16 layers (cuBLAS) — issue #6 item 4 at the sizes where it matters. The weights are synthetic:
// tokens/s does not depend on their values, and no multi-GB checkpoint is needed on the GPU machine. Every
// decoder-block linear layer is a random GLVQ layer (kernel_fixtures.h: random codes, fp16 G near 0.6·I,
// row scales); embeddings, norms and lm_head are random dense tensors, fp16 lm_head in both runs. On the CPU
// the dense model is fp32 and the fused kernel is glvq_gemm_cpu (kernels/glvq_cpu.h).
//
// usage: bench_decode [--device cuda|cpu] [--shape llama2-7b|llama3-8b|llama2-70b-layers|sample]
//                     [--layers N] [--bits 2|3|4] [--dim 8] [--companding 0|1] [--prompt N] [--tokens N]
#include "core/eval/decode_benchmark.h"
#include "core/io/hf_config.h"
#include "core/pipeline/fused_glvq_linear.h"
#include "kernels/glvq_layout.h"
#include "tests/kernels/kernel_fixtures.h"

#include <ATen/ATen.h>

#include <cstdio>
#include <cstring>
#include <string>

namespace {

using namespace glvq;

struct Shape {
    const char* name;
    std::int64_t hidden, intermediate, heads, kvHeads, vocab, layers;
};

constexpr Shape kShapes[] = {
    { "llama2-7b", 4096, 11008, 32, 32, 32000, 32 },
    { "llama3-8b", 4096, 14336, 32, 8, 128256, 32 },
    // Llama-2-70B's block shapes (8192 hidden, 28672 MLP, GQA 64/8); --layers picks how many blocks to run.
    { "llama2-70b-layers", 8192, 28672, 64, 8, 32000, 8 },
    { "sample", 256, 704, 4, 2, 4096, 6 },
};

std::unique_ptr<model::CausalLM> buildModel(const Shape& shape, model::ComputeDevice device, bool quantized, int bits,
                                            int dim, int companding)
{
    char json[512];
    std::snprintf(json, sizeof json,
                  R"({"model_type": "llama", "hidden_size": %lld, "intermediate_size": %lld,
                      "num_attention_heads": %lld, "num_key_value_heads": %lld, "num_hidden_layers": %lld,
                      "vocab_size": %lld, "max_position_embeddings": 4096, "rms_norm_eps": 1e-5,
                      "rope_theta": 10000.0, "tie_word_embeddings": false, "torch_dtype": "float16"})",
                  (long long)shape.hidden, (long long)shape.intermediate, (long long)shape.heads,
                  (long long)shape.kvHeads, (long long)shape.layers, (long long)shape.vocab);
    auto config = io::parseModelConfig(json, std::string("synthetic ") + shape.name);
    std::uint64_t seed = 1;
    model::ModelSource source;
    source.origin = shape.name;
    // Generated where the model runs: 7B of random fp32 weights take seconds on a GPU, minutes on the host.
    const auto options = at::TensorOptions()
                             .dtype(at::kFloat)
                             .device(device == model::ComputeDevice::Cuda ? at::Device(at::kCUDA, 0) : at::Device(at::kCPU));
    source.tensor = [&](const std::string&, const std::vector<std::int64_t>& sizes) {
        if (sizes.size() == 1)
            return at::ones(sizes, options); // RMSNorm gains
        at::manual_seed(seed++);
        return at::randn(sizes, options).mul_(0.02);
    };
    if (quantized)
        source.linear = [&](const std::string& name, const at::Tensor& bias,
                            const at::Device& torchDevice) -> std::shared_ptr<const model::LinearOp> {
            const bool down = name.find("down_proj") != std::string::npos;
            const bool mlpIn = name.find("gate_proj") != std::string::npos || name.find("up_proj") != std::string::npos;
            const bool kv = name.find("k_proj") != std::string::npos || name.find("v_proj") != std::string::npos;
            const std::int64_t headDim = shape.hidden / shape.heads;
            const std::int64_t rows = mlpIn ? shape.intermediate : kv ? shape.kvHeads * headDim : shape.hidden;
            const std::int64_t cols = down ? shape.intermediate : shape.hidden;
            const auto spec = kernel_test::uniformSpec(rows, cols, 128, { std::uint8_t(bits) }, dim, companding,
                                                       true, seed++);
            // The synthetic layer's packed arrays, without its dense uint8 codes (a deliberate slice).
            pipeline::PackedGlvqLayer packed = kernel_test::makeLayer(spec);
            return std::make_shared<pipeline::FusedGlvqLinear>(std::move(packed), bias, torchDevice, name);
        };
    auto model = model::buildCausalLM(std::move(config), device, source);
    auto names = quantized ? std::vector<std::string>{} : model->blockLinearNames();
    names.push_back("lm_head");
    if (device == model::ComputeDevice::Cuda)
        for (const auto& name : names)
            model->replaceLinear(name, std::make_shared<model::HalfDenseLinear>(model->linear(name)));
    return model;
}

} // namespace

int main(int argc, char** argv)
{
    std::string shapeName = "llama2-7b";
    std::string deviceName = "cuda";
    int bits = 2, dim = 8, companding = 0;
    std::int64_t layers = -1;
    eval::DecodeBenchmarkOptions options;
    options.promptTokens = 128;
    options.newTokens = 128;
    for (int i = 1; i < argc; i += 2) {
        const std::string flag = argv[i];
        if (i + 1 >= argc) {
            std::fprintf(stderr, "bench_decode: %s needs a value\n", argv[i]);
            return 2;
        }
        const char* value = argv[i + 1];
        if (flag == "--shape") shapeName = value;
        else if (flag == "--device") deviceName = value;
        else if (flag == "--bits") bits = std::stoi(value);
        else if (flag == "--dim") dim = std::stoi(value);
        else if (flag == "--companding") companding = std::stoi(value);
        else if (flag == "--layers") layers = std::stoll(value);
        else if (flag == "--prompt") options.promptTokens = std::stoll(value);
        else if (flag == "--tokens") options.newTokens = std::stoll(value);
        else {
            std::fprintf(stderr, "bench_decode: unknown option %s\n", argv[i]);
            return 2;
        }
    }
    const Shape* shape = nullptr;
    for (const auto& s : kShapes)
        if (shapeName == s.name)
            shape = &s;
    if (!shape) {
        std::fprintf(stderr, "bench_decode: unknown shape %s\n", shapeName.c_str());
        return 2;
    }
    Shape chosen = *shape;
    if (layers > 0)
        chosen.layers = layers;
    try {
        const auto device = model::parseComputeDevice(deviceName);
        std::printf("shape %s: hidden %lld, MLP %lld, heads %lld/%lld, %lld layers; %d-bit GLVQ d=%d, companding %s; "
                    "batch 1, prompt %lld, %lld timed tokens, device %s\n\n",
                    chosen.name, (long long)chosen.hidden, (long long)chosen.intermediate, (long long)chosen.heads,
                    (long long)chosen.kvHeads, (long long)chosen.layers, bits, dim, companding ? "on" : "off",
                    (long long)options.promptTokens, (long long)options.newTokens,
                    model::computeDeviceName(device).c_str());
        std::printf("| model | tokens/s (median) | ms/token | mean tokens/s |\n|---|---|---|---|\n");
        double rates[2] = { 0, 0 };
        for (int quantized = 1; quantized >= 0; --quantized) {
            const auto model = buildModel(chosen, device, quantized, bits, dim, companding);
            const auto result = eval::benchmarkDecoding(*model, options);
            rates[quantized] = result.tokensPerSecond;
            const char* dense = device == model::ComputeDevice::Cuda ? "dense fp16 (cuBLAS)" : "dense fp32";
            std::printf("| %s | %.1f | %.3f | %.1f |\n", quantized ? "GLVQ fused kernels" : dense,
                        result.tokensPerSecond, result.medianTokenSeconds * 1e3, result.meanTokensPerSecond);
            std::fflush(stdout);
        }
        std::printf("\nspeed-up of the GLVQ model over the dense model: %.2f×\n", rates[1] / rates[0]);
    } catch (const std::exception& error) {
        std::fprintf(stderr, "bench_decode: %s\n", error.what());
        return 1;
    }
    return 0;
}
