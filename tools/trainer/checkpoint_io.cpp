// SPDX-License-Identifier: GPL-3.0-or-later
#include "tools/trainer/checkpoint_io.h"

#include "core/io/checkpoint.h"
#include "core/io/safetensors_writer.h"
#include "core/util/error.h"
#include "core/util/text_file.h"

#include <torch/torch.h>

#include <vector>

namespace glvq::trainer {

void saveCheckpoint(LlamaForCausalLM& model, const std::filesystem::path& dir, const std::string& configJson,
                    const nlohmann::json& state)
{
    std::filesystem::create_directories(dir);
    std::vector<io::WritableTensor> tensors;
    for (const auto& item : model->named_parameters()) {
        const auto values = item.value().detach().to(torch::kCPU, torch::kFloat32).contiguous();
        const std::span<const float> span(values.data_ptr<float>(), static_cast<std::size_t>(values.numel()));
        tensors.push_back(io::WritableTensor::fromFloat32(item.key(), values.sizes().vec(), span, io::DType::BF16));
    }
    // Weights first: a reader that sees the new trainer_state.json also sees the weights it describes.
    io::writeSafetensors(dir / "model.safetensors", tensors, { { "format", "pt" } });
    writeFileAtomically(dir / "config.json", configJson);
    writeFileAtomically(dir / "trainer_state.json", state.dump(1) + "\n");
}

void loadCheckpointWeights(LlamaForCausalLM& model, const std::filesystem::path& dir)
{
    const auto checkpoint = io::Checkpoint::open(dir);
    torch::NoGradGuard noGrad;
    for (auto& item : model->named_parameters()) {
        const auto& name = item.key();
        auto& parameter = item.value();
        if (!checkpoint.contains(name))
            throw Error(dir.string() + ": tensor " + name + " is missing");
        auto values = checkpoint.readFloat32(name);
        if (static_cast<std::int64_t>(values.size()) != parameter.numel())
            throw Error(dir.string() + ": tensor " + name + " has " + std::to_string(values.size())
                        + " elements, the model expects " + std::to_string(parameter.numel()));
        const auto source = torch::from_blob(values.data(), parameter.sizes(), torch::kFloat32);
        parameter.copy_(source.to(parameter.device()));
    }
}

} // namespace glvq::trainer
