// SPDX-License-Identifier: GPL-3.0-or-later
// Import of an exported file with full validation (docs/FORMAT.md §8), and its dequantized HF directory.
#include "core/io/dtype.h"
#include "core/io/safetensors_writer.h"
#include "core/pipeline/export_codes.h"
#include "core/pipeline/export_model.h"
#include "core/util/error.h"
#include "core/util/text_file.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cstring>

namespace glvq::pipeline {

namespace {

const char* const kStringKeys[] = { "format", "tool_version", "created_utc", "source_model", "source_config_json",
                                    "source_weights_sha256", "method", "variant", "allocation", "calibration_text",
                                    "calibration_text_sha256", "calibration_mode" };
const char* const kIntKeys[] = { "format_version", "dim", "group_size", "calibration_samples", "calibration_ctx",
                                 "calibration_seed" };
const char* const kDoubleKeys[] = { "target_bits", "bits_per_weight", "code_bits_per_weight" };

std::string label(const std::filesystem::path& path) { return path.filename().string(); }

} // namespace

ExportedModel importModel(const std::filesystem::path& path)
{
    const io::h5::File file(path, io::h5::File::Mode::Read);
    ExportedModel model;
    if (!file.hasAttr("/", "format") || file.attrString("/", "format") != kExportFormatName)
        throw Error(label(path) + ": not a " + std::string(kExportFormatName) + " export (root attribute 'format')");
    const auto version = file.attrInt("/", "format_version");
    if (version != kExportFormatVersion)
        throw Error(label(path) + ": format_version " + std::to_string(version) + " is not supported (this build reads "
                    + std::to_string(kExportFormatVersion) + ")");
    for (const char* key : kStringKeys)
        model.metadata[key] = file.attrString("/", key);
    for (const char* key : kIntKeys)
        model.metadata[key] = file.attrInt("/", key);
    for (const char* key : kDoubleKeys)
        model.metadata[key] = file.attrDouble("/", key);
    if (file.hasAttr("/", "row_scale_bits")) // optional: files written before it existed used plain fp16 (10)
        model.metadata["row_scale_bits"] = file.attrInt("/", "row_scale_bits");

    for (const auto& name : file.children("/files")) {
        const auto bytes = file.read<std::uint8_t>("/files/" + name);
        model.files[name].assign(bytes.begin(), bytes.end());
    }
    if (!model.files.count("config.json"))
        throw Error(label(path) + ": /files/config.json is missing");

    // Layers in forward order ("index"), each index used once.
    std::vector<std::pair<std::int64_t, std::string>> order;
    for (const auto& name : file.children("/layers"))
        order.emplace_back(file.attrInt("/layers/" + name, "index"), name);
    std::sort(order.begin(), order.end());
    for (std::size_t i = 0; i < order.size(); ++i)
        if (order[i].first != std::int64_t(i))
            throw Error(label(path) + ": /layers/" + order[i].second + ": index " + std::to_string(order[i].first)
                        + " (indices must be 0.." + std::to_string(order.size() - 1) + ", each once)");
    for (const auto& [index, name] : order) {
        const auto group = "/layers/" + name;
        ExportLayer layer;
        layer.name = name;
        layer.codes = readLayerCodes(file, group);
        layer.weightMse = file.attrDouble(group, "weight_mse");
        layer.outputRelativeError = file.attrDouble(group, "output_relative_error");
        model.layers.push_back(std::move(layer));
    }

    for (const auto& name : file.children("/tensors")) {
        const auto dataset = "/tensors/" + name;
        RawTensor tensor;
        tensor.name = name;
        tensor.dtype = file.attrString(dataset, "dtype");
        tensor.shape = file.shape(dataset);
        if (tensor.dtype == "F32") {
            const auto values = file.read<float>(dataset);
            tensor.bytes.resize(values.size() * sizeof(float));
            std::memcpy(tensor.bytes.data(), values.data(), tensor.bytes.size());
        } else if (tensor.dtype == "F16" || tensor.dtype == "BF16") {
            const auto values = file.read<std::uint16_t>(dataset);
            tensor.bytes.resize(values.size() * sizeof(std::uint16_t));
            std::memcpy(tensor.bytes.data(), values.data(), tensor.bytes.size());
        } else {
            throw Error(label(path) + ": " + dataset + ": unsupported dtype '" + tensor.dtype + "'");
        }
        model.tensors.push_back(std::move(tensor));
    }
    if (file.exists("/results"))
        model.results = nlohmann::json::parse(file.attrString("/results", "json"), nullptr, false);
    return model;
}

void writeDequantized(const ExportedModel& model, const std::filesystem::path& dir, const std::string& dtypeName,
                      bool force, const CancelToken& cancel, const ProgressCallback& progress)
{
    const auto dtype = io::parseDType(dtypeName);
    if (!dtype)
        throw Error("dequantize: unsupported dtype '" + dtypeName + "' (F32, F16 or BF16)");
    if (std::filesystem::exists(dir) && !std::filesystem::is_empty(dir) && !force)
        throw Error(dir.string() + ": directory exists and is not empty (use --force)");
    std::filesystem::create_directories(dir);
    // Units: weights decoded or converted, then as many again for writing them (one step at the end).
    double weights = 1.0;
    for (const auto& layer : model.layers)
        weights += double(layer.codes->rows()) * double(layer.codes->cols());
    for (const auto& tensor : model.tensors)
        weights += double(tensor.checkedElementCount("dequantize"));
    ProgressReporter reporter(progress, "dequantize", 2.0 * weights);
    std::vector<io::WritableTensor> tensors;
    for (std::size_t i = 0; i < model.layers.size(); ++i) {
        cancel.throwIfCancelled();
        const auto& layer = model.layers[i];
        const auto decoded = layer.codes->decode().contiguous();
        tensors.push_back(io::WritableTensor::fromFloat32(
            layer.name + ".weight", { decoded.size(0), decoded.size(1) },
            { decoded.data_ptr<float>(), std::size_t(decoded.numel()) }, *dtype));
        reporter.advance(double(decoded.numel()), "decode layer " + std::to_string(i + 1) + "/"
                                                      + std::to_string(model.layers.size()));
    }
    for (const auto& tensor : model.tensors) {
        const auto values = tensor.toFloat32("dequantize");
        tensors.push_back(io::WritableTensor::fromFloat32(tensor.name, { tensor.shape.begin(), tensor.shape.end() },
                                                          values, *dtype));
        reporter.advance(double(values.size()), tensor.name);
    }
    // The config keeps its architecture; torch_dtype names what the weights now are.
    auto config = nlohmann::json::parse(model.files.at("config.json"));
    config["torch_dtype"] = *dtype == io::DType::F32 ? "float32" : (*dtype == io::DType::F16 ? "float16" : "bfloat16");
    cancel.throwIfCancelled();
    io::writeSafetensors(dir / "model.safetensors", tensors, { { "format", "pt" } });
    for (const auto& [name, bytes] : model.files)
        if (name != "config.json")
            writeFileAtomically(dir / name, bytes);
    writeFileAtomically(dir / "config.json", config.dump(2) + "\n");
    reporter.finish("model.safetensors");
}

} // namespace glvq::pipeline
