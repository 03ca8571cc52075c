// SPDX-License-Identifier: GPL-3.0-or-later
// Incremental decoding on a small random Mistral-type model with a sliding window shorter than the sequence:
// the cached path must mask exactly as the full forward does, whatever the prefill length, and a failed step
// must leave the cache usable.
#include "core/io/hf_config.h"
#include "core/model/causal_lm.h"
#include "core/model/decoder_layer.h"
#include "core/util/error.h"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

namespace {

std::unique_ptr<glvq::model::CausalLM> slidingWindowModel()
{
    auto config = glvq::io::parseModelConfig(R"({"model_type": "mistral", "hidden_size": 64, "intermediate_size": 96,
        "num_attention_heads": 4, "num_key_value_heads": 2, "num_hidden_layers": 2, "vocab_size": 50,
        "max_position_embeddings": 128, "rms_norm_eps": 1e-5, "rope_theta": 10000.0, "sliding_window": 4,
        "tie_word_embeddings": false})",
                                             "test config");
    EXPECT_EQ(config.slidingWindow, 4);
    std::uint64_t seed = 1;
    glvq::model::ModelSource source;
    source.origin = "random";
    source.tensor = [&](const std::string&, const std::vector<std::int64_t>& shape) {
        at::manual_seed(seed++);
        return shape.size() == 1 ? at::ones(shape) + 0.1 * at::randn(shape) : at::randn(shape) * 0.2;
    };
    return glvq::model::buildCausalLM(std::move(config), glvq::model::ComputeDevice::Cpu, source);
}

// Fails like an out-of-memory kernel would, after the earlier blocks have already appended their keys.
class FailingLinear final : public glvq::model::LinearOp {
public:
    explicit FailingLinear(std::shared_ptr<const glvq::model::LinearOp> wrapped) : m_wrapped(std::move(wrapped)) {}
    at::Tensor forward(const at::Tensor&) const override { throw glvq::Error("simulated device failure"); }
    at::Tensor denseWeight() const override { return m_wrapped->denseWeight(); }
    std::optional<at::Tensor> bias() const override { return m_wrapped->bias(); }
    std::int64_t inFeatures() const override { return m_wrapped->inFeatures(); }
    std::int64_t outFeatures() const override { return m_wrapped->outFeatures(); }
    std::string kind() const override { return "failing"; }

private:
    std::shared_ptr<const glvq::model::LinearOp> m_wrapped;
};

double relativeDifference(const at::Tensor& a, const at::Tensor& b)
{
    return (a - b).abs().max().item<double>() / b.abs().max().item<double>();
}

} // namespace

TEST(KvCache, SlidingWindowIncrementalDecodingMatchesFullForward)
{
    const auto model = slidingWindowModel();
    const auto ids = at::arange(3, 3 + 2 * 13, at::kLong).remainder(50).view({ 2, 13 });
    const auto full = model->forward(ids);
    for (const std::int64_t prefill : { 1, 3, 6 }) {
        glvq::model::KvCache cache;
        std::vector<at::Tensor> pieces { model->forwardCached(ids.narrow(1, 0, prefill), cache) };
        for (std::int64_t t = prefill; t < ids.size(1); t += 2) // two positions per step: the mask spans both
            pieces.push_back(model->forwardCached(ids.narrow(1, t, std::min<std::int64_t>(2, ids.size(1) - t)), cache));
        EXPECT_EQ(cache.length, 13);
        EXPECT_LE(relativeDifference(at::cat(pieces, 1), full), 1e-5) << "prefill " << prefill;
    }
}

TEST(KvCache, AFailedStepLeavesTheCacheAsItWas)
{
    const auto model = slidingWindowModel();
    const auto ids = at::arange(1, 9, at::kLong).unsqueeze(0);
    glvq::model::KvCache cache;
    model->forwardCached(ids.narrow(1, 0, 5), cache);
    const std::string last = "model.layers.1.mlp.down_proj"; // block 0 has appended when this throws
    const auto original = model->replaceLinear(last, std::make_shared<FailingLinear>(model->linearPtr(last)));
    EXPECT_THROW(model->forwardCached(ids.narrow(1, 5, 1), cache), glvq::Error);
    model->replaceLinear(last, original);
    EXPECT_EQ(cache.length, 5);
    for (const auto& layer : cache.layers)
        EXPECT_EQ(layer.length, 5);
    const auto rest = model->forwardCached(ids.narrow(1, 5, 3), cache);
    EXPECT_LE(relativeDifference(rest, model->forward(ids).narrow(1, 5, 3)), 1e-5);
}
