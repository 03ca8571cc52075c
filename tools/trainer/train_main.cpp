// SPDX-License-Identifier: GPL-3.0-or-later
// glvq-train: trains the sample model (sample_data/make_sample.sh). One process, one device; progress lines
// go to stdout. Ctrl-C finishes the current step, saves a checkpoint and exits 130; the checkpoint files are
// replaced atomically, so an interrupted save leaves the previous one intact.
#include "app/cli/cli_args.h"
#include "core/io/hf_config.h"
#include "core/util/error.h"
#include "core/util/text_file.h"
#include "tools/trainer/checkpoint_io.h"
#include "tools/trainer/llama_module.h"
#include "tools/trainer/lr_schedule.h"
#include "tools/trainer/token_file.h"
#include "tools/trainer/trainer_options.h"

#include <torch/torch.h>
#include <torch/version.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <iostream>

namespace glvq::trainer {
namespace {

std::atomic<bool> g_interrupted { false };
// A --time-budget run fixes its step count from the speed of steps kProbeStart..kProbeSteps: the first steps
// are slower (CUDA context, allocator and kernel selection warm-up) and would underestimate the budget.
constexpr std::int64_t kProbeStart = 10;
constexpr std::int64_t kProbeSteps = 30;
constexpr std::int64_t kEvalWindows = 64;  // held-out windows scored at each save

extern "C" void onInterrupt(int)
{
    g_interrupted = true;
    std::signal(SIGINT, SIG_DFL); // a second Ctrl-C kills at once; the saved files are still whole
}

double secondsSince(std::chrono::steady_clock::time_point start)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

torch::Tensor idsTensor(std::vector<std::int64_t> ids, std::int64_t rows, const torch::Device& device)
{
    auto cpu = torch::from_blob(ids.data(), { rows, static_cast<std::int64_t>(ids.size()) / rows }, torch::kInt64);
    return cpu.clone().to(device); // own the data: on the CPU .to() would alias `ids`, freed on return
}

// Mean next-token NLL over windows spread over the held-out file, positions 1..len-1 of each (as the
// perplexity protocol scores a window).
double heldOutLoss(LlamaForCausalLM& model, const TokenFile& tokens, std::int64_t length, const torch::Device& device)
{
    torch::NoGradGuard noGrad;
    model->eval();
    const auto rows = std::min(kEvalWindows, tokens.size() / length);
    const auto all = idsTensor(tokens.spreadWindows(kEvalWindows, length), rows, device);
    double total = 0.0;
    for (std::int64_t start = 0; start < all.size(0); start += 8) {
        const auto ids = all.narrow(0, start, std::min<std::int64_t>(8, all.size(0) - start));
        const auto logits = model->forward(ids).narrow(1, 0, length - 1);
        total += torch::nn::functional::cross_entropy(logits.reshape({ -1, logits.size(-1) }),
                                                      ids.narrow(1, 1, length - 1).reshape({ -1 }),
                                                      torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum))
                     .item<double>();
    }
    model->train();
    return total / static_cast<double>(all.size(0) * (length - 1));
}

std::unique_ptr<torch::optim::AdamW> makeOptimizer(LlamaForCausalLM& model, const TrainerOptions& o)
{
    // Decay matrices only: norms' gains pulled towards 0 would only fight the normalisation.
    std::vector<torch::Tensor> decay, noDecay;
    for (auto& parameter : model->parameters())
        (parameter.dim() >= 2 ? decay : noDecay).push_back(parameter);
    auto options = torch::optim::AdamWOptions(o.lr).betas({ 0.9, 0.95 }).eps(1e-8).weight_decay(o.weightDecay);
    std::vector<torch::optim::OptimizerParamGroup> groups;
    groups.emplace_back(decay, std::make_unique<torch::optim::AdamWOptions>(options));
    groups.emplace_back(noDecay, std::make_unique<torch::optim::AdamWOptions>(options.weight_decay(0.0)));
    return std::make_unique<torch::optim::AdamW>(std::move(groups), options);
}

int train(const TrainerOptions& o)
{
    const auto configText = readTextFile(o.configJson);
    const auto config = io::parseModelConfig(configText, o.configJson.string());
    if (config.modelType != "llama" || config.tieWordEmbeddings || config.attentionBias || config.mlpBias)
        throw Error(o.configJson.string() + ": the trainer builds untied, bias-free llama models only");
    if (o.timeBudgetSeconds > 0 && o.warmupSteps < kProbeSteps)
        throw Error("--time-budget needs --warmup >= " + std::to_string(kProbeSteps) + " (the timing probe runs in warm-up)");
    if (o.device == "cuda" && !torch::cuda::is_available())
        throw Error("--device cuda: this LibTorch has no usable CUDA device (Debian's libtorch is CPU-only)");
    if (o.device != "cuda" && o.device != "cpu")
        throw Error("--device must be cpu or cuda, got '" + o.device + "'");
    const torch::Device device(o.device == "cuda" ? torch::kCUDA : torch::kCPU);
    if (o.threads > 0)
        torch::set_num_threads(static_cast<int>(o.threads));
    at::globalContext().setAllowTF32CuBLAS(true); // fp32 weights and optimizer, TF32 matrix products
    at::globalContext().setAllowTF32CuDNN(true);

    const TokenFile tokens(o.tokens, config.vocabSize, o.seqLen + 1);
    std::unique_ptr<TokenFile> evalTokens;
    if (!o.evalTokens.empty())
        evalTokens = std::make_unique<TokenFile>(o.evalTokens, config.vocabSize, o.seqLen);

    torch::manual_seed(static_cast<std::uint64_t>(o.seed));
    std::mt19937_64 rng(static_cast<std::uint64_t>(o.seed));
    LlamaForCausalLM model(config);
    model->initialiseWeights();
    model->to(device);
    std::int64_t parameters = 0;
    for (const auto& p : model->parameters())
        parameters += p.numel();
    auto optimizer = makeOptimizer(model, o);
    std::printf("train: %s; %lld parameters; %lld training tokens; torch %s on %s; batch %lld x %lld tokens\n",
                config.summary().c_str(), static_cast<long long>(parameters), static_cast<long long>(tokens.size()),
                TORCH_VERSION, o.device.c_str(), static_cast<long long>(o.batch), static_cast<long long>(o.seqLen));
    std::fflush(stdout);

    std::int64_t totalSteps = o.steps > 0 ? o.steps : INT64_MAX;
    const auto start = std::chrono::steady_clock::now();
    auto lastLog = start, probeStart = start;
    double lastLoss = 0.0, evalLoss = -1.0;
    std::int64_t step = 0, loggedSteps = 0;
    torch::Tensor lossSum = torch::zeros({}, torch::TensorOptions().device(device));
    const auto save = [&](std::int64_t done, const char* why) { // `done`: optimizer steps completed
        if (evalTokens)
            evalLoss = heldOutLoss(model, *evalTokens, o.seqLen, device);
        nlohmann::json state { { "step", done }, { "total_steps", totalSteps }, { "tokens_trained", done * o.batch * o.seqLen },
                               { "train_loss", lastLoss }, { "seconds", secondsSince(start) }, { "parameters", parameters },
                               { "torch", TORCH_VERSION }, { "saved_because", why }, { "options", o.toJson() } };
        if (evalTokens)
            state["held_out"] = { { "windows", std::min(kEvalWindows, evalTokens->size() / o.seqLen) }, { "ctx", o.seqLen },
                                  { "mean_nll", evalLoss }, { "ppl", std::exp(evalLoss) } };
        saveCheckpoint(model, o.outDir, configText, state);
        std::printf("save: step %lld -> %s (%s)%s\n", static_cast<long long>(done), o.outDir.c_str(), why,
                    evalTokens ? (" held-out ppl " + std::to_string(std::exp(evalLoss))).c_str() : "");
        std::fflush(stdout);
    };

    std::signal(SIGINT, onInterrupt);
    for (; step < totalSteps && !g_interrupted; ++step) {
        const double lr = learningRate(step, totalSteps, o.warmupSteps, o.lr, o.minLrRatio);
        for (auto& group : optimizer->param_groups())
            static_cast<torch::optim::AdamWOptions&>(group.options()).lr(lr);
        const auto batch = idsTensor(tokens.sampleWindows(rng, o.batch, o.seqLen + 1), o.batch, device);
        const auto logits = model->forward(batch.narrow(1, 0, o.seqLen));
        const auto loss = torch::nn::functional::cross_entropy(logits.reshape({ -1, config.vocabSize }),
                                                               batch.narrow(1, 1, o.seqLen).reshape({ -1 }));
        optimizer->zero_grad();
        loss.backward();
        if (o.gradClip > 0)
            torch::nn::utils::clip_grad_norm_(model->parameters(), o.gradClip);
        optimizer->step();
        lossSum += loss.detach();
        ++loggedSteps;

        const bool probeDone = o.timeBudgetSeconds > 0 && step + 1 == kProbeSteps;
        if (o.timeBudgetSeconds > 0 && step + 1 == kProbeStart) {
            lossSum.item<double>(); // wait for the device so the probe times only its own steps
            probeStart = std::chrono::steady_clock::now();
        }
        if ((step + 1) % o.logEvery == 0 || probeDone || step + 1 == totalSteps) {
            lastLoss = lossSum.item<double>() / static_cast<double>(loggedSteps); // also waits for the device
            const double elapsed = secondsSince(start), window = secondsSince(lastLog);
            if (probeDone) {
                const double stepTime = secondsSince(probeStart) / static_cast<double>(kProbeSteps - kProbeStart);
                const double left = std::max(0.0, o.timeBudgetSeconds - elapsed);
                totalSteps = kProbeSteps + static_cast<std::int64_t>(left / stepTime);
                std::printf("budget: %.0f s at %.4f s/step -> %lld steps\n", o.timeBudgetSeconds, stepTime,
                            static_cast<long long>(totalSteps));
            }
            const double stepSeconds = elapsed / static_cast<double>(step + 1);
            std::printf("step %lld/%lld  loss %.4f  lr %.2e  %.0f tokens/s  elapsed %.0f s  ETA %.0f s\n",
                        static_cast<long long>(step + 1), static_cast<long long>(totalSteps), lastLoss, lr,
                        static_cast<double>(loggedSteps * o.batch * o.seqLen) / window, elapsed,
                        stepSeconds * static_cast<double>(totalSteps - step - 1));
            std::fflush(stdout);
            lossSum.zero_();
            loggedSteps = 0;
            lastLog = std::chrono::steady_clock::now();
        }
        if ((step + 1) % o.saveEvery == 0 && step + 1 < totalSteps)
            save(step + 1, "periodic");
    }
    save(step, g_interrupted ? "interrupted" : "finished");
    std::printf("train: %lld steps, %lld tokens in %.1f s\n", static_cast<long long>(step),
                static_cast<long long>(step * o.batch * o.seqLen), secondsSince(start));
    return g_interrupted ? 130 : 0;
}

} // namespace
} // namespace glvq::trainer

int main(int argc, char** argv)
{
    try {
        glvq::trainer::TrainerOptions options;
        if (!glvq::trainer::parseTrainerOptions({ argv + 1, argv + argc }, options))
            return 0;
        return glvq::trainer::train(options);
    } catch (const glvq::cli::UsageError& e) {
        std::cerr << e.what() << "\n";
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "glvq-train: " << e.what() << "\n";
        return 1;
    }
}
