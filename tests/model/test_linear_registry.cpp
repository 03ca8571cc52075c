// SPDX-License-Identifier: GPL-3.0-or-later
// Linear layers are addressable by checkpoint name, replaceable, and their inputs can be captured.
#include "core/model/causal_lm.h"
#include "core/util/error.h"
#include "tests/support/fixtures.h"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <map>

namespace {

std::unique_ptr<glvq::model::CausalLM> loadFixtureModel()
{
    return glvq::model::loadCausalLM(glvq::test::fixturePath("debian-llama-16m"), glvq::model::ComputeDevice::Cpu);
}

// A replacement layer that scales the dense layer's output, to prove the swapped-in layer is the one used.
class ScaledLinear final : public glvq::model::LinearOp {
public:
    ScaledLinear(std::shared_ptr<const glvq::model::LinearOp> inner, double factor)
        : m_inner(std::move(inner))
        , m_factor(factor)
    {
    }
    at::Tensor forward(const at::Tensor& x) const override { return m_inner->forward(x) * m_factor; }
    at::Tensor denseWeight() const override { return m_inner->denseWeight() * m_factor; }
    std::optional<at::Tensor> bias() const override { return std::nullopt; }
    std::int64_t inFeatures() const override { return m_inner->inFeatures(); }
    std::int64_t outFeatures() const override { return m_inner->outFeatures(); }
    std::string kind() const override { return "scaled"; }

private:
    std::shared_ptr<const glvq::model::LinearOp> m_inner;
    double m_factor;
};

} // namespace

TEST(LinearRegistry, NamesFollowTheCheckpoint)
{
    const auto model = loadFixtureModel();
    const auto& names = model->blockLinearNames();
    ASSERT_EQ(names.size(), 6u * 7u);
    EXPECT_EQ(names.front(), "model.layers.0.self_attn.q_proj");
    EXPECT_EQ(names.back(), "model.layers.5.mlp.down_proj");
    const auto& down = model->linear("model.layers.3.mlp.down_proj");
    EXPECT_EQ(down.inFeatures(), 1024);
    EXPECT_EQ(down.outFeatures(), 384);
    EXPECT_EQ(model->linear("model.layers.0.self_attn.k_proj").outFeatures(), 128);
    EXPECT_TRUE(model->hasLinear("lm_head"));
    EXPECT_THROW(model->linear("model.layers.9.mlp.down_proj"), glvq::Error);
    EXPECT_EQ(model->parameterCount(), 15733632);
}

TEST(LinearRegistry, ReplacementChangesTheOutputAndCanBeUndone)
{
    auto model = loadFixtureModel();
    const auto ids = at::arange(1, 33, at::kLong).unsqueeze(0);
    const auto original = model->forward(ids);
    const std::string name = "model.layers.2.mlp.up_proj";
    auto previous = model->replaceLinear(name, std::make_shared<ScaledLinear>(model->linearPtr(name), 0.5));
    const auto changed = model->forward(ids);
    EXPECT_GT((changed - original).abs().max().item<double>(), 1e-3);
    EXPECT_EQ(model->linear(name).kind(), "scaled");
    model->replaceLinear(name, previous);
    EXPECT_TRUE(at::equal(model->forward(ids), original));

    // A replacement of the wrong shape is refused and leaves the layer in place.
    EXPECT_THROW(model->replaceLinear(name, model->linearPtr("model.layers.2.mlp.down_proj")), glvq::Error);
    EXPECT_EQ(model->linear(name).kind(), "dense fp32");
}

TEST(LinearRegistry, CaptureSeesEveryLinearInputInForwardOrder)
{
    auto model = loadFixtureModel();
    std::vector<std::string> seen;
    std::map<std::string, at::Tensor> inputs;
    model->setInputCapture([&](const std::string& name, const at::Tensor& input) {
        seen.push_back(name);
        inputs[name] = input.clone();
    });
    const auto ids = at::arange(5, 21, at::kLong).unsqueeze(0);
    model->forward(ids);
    model->setInputCapture({});

    auto expected = model->blockLinearNames();
    expected.push_back("lm_head");
    EXPECT_EQ(seen, expected);
    // q, k and v read the same normalised input; down_proj reads the MLP width.
    EXPECT_TRUE(at::equal(inputs["model.layers.1.self_attn.q_proj"], inputs["model.layers.1.self_attn.v_proj"]));
    EXPECT_EQ(inputs["model.layers.1.mlp.down_proj"].size(-1), 1024);
    // Feeding the captured input through the layer reproduces the next layer's computation.
    const auto& lmHead = model->linear("lm_head");
    const auto logits = lmHead.forward(inputs["lm_head"]);
    EXPECT_TRUE(at::allclose(logits, model->forward(ids), 1e-5, 1e-5));
}
