// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/io/hf_config.h"

#include "core/util/error.h"
#include "core/util/text_file.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <sstream>

namespace glvq::io {

namespace {

using nlohmann::json;

constexpr std::array<std::string_view, 3> kSupportedTypes = { "llama", "mistral", "qwen2" };

// Field access with errors that name the file and the key.
class ConfigReader {
public:
    ConfigReader(const json& root, std::string source)
        : m_root(root)
        , m_source(std::move(source))
    {
    }

    [[noreturn]] void fail(const std::string& what) const { throw Error(m_source + ": " + what); }

    const json* find(std::string_view key) const
    {
        auto it = m_root.find(key);
        return (it == m_root.end() || it->is_null()) ? nullptr : &*it;
    }

    std::int64_t positiveInt(std::string_view key) const
    {
        const json* value = find(key);
        if (!value)
            fail("missing field '" + std::string(key) + "'");
        return positiveInt(key, *value);
    }

    std::int64_t positiveInt(std::string_view key, const json& value) const
    {
        if (!value.is_number_integer() || value.get<std::int64_t>() <= 0)
            fail("field '" + std::string(key) + "' must be a positive integer, got " + value.dump());
        return value.get<std::int64_t>();
    }

    std::int64_t optionalPositiveInt(std::string_view key, std::int64_t fallback) const
    {
        const json* value = find(key);
        return value ? positiveInt(key, *value) : fallback;
    }

    double positiveNumber(std::string_view key, const json& value) const
    {
        if (!value.is_number() || value.get<double>() <= 0.0)
            fail("field '" + std::string(key) + "' must be a positive number, got " + value.dump());
        return value.get<double>();
    }

    bool optionalBool(std::string_view key, bool fallback) const
    {
        const json* value = find(key);
        if (!value)
            return fallback;
        if (!value->is_boolean())
            fail("field '" + std::string(key) + "' must be true or false, got " + value->dump());
        return value->get<bool>();
    }

    std::optional<std::int64_t> optionalInt(std::string_view key) const
    {
        const json* value = find(key);
        if (!value)
            return std::nullopt;
        if (value->is_array() && !value->empty()) // some configs list several EOS ids; the first is the primary
            value = &(*value)[0];
        if (!value->is_number_integer())
            fail("field '" + std::string(key) + "' must be an integer, got " + value->dump());
        return value->get<std::int64_t>();
    }

private:
    const json& m_root;
    std::string m_source;
};

std::string supportedTypesList()
{
    std::string list;
    for (auto type : kSupportedTypes)
        list += (list.empty() ? "" : ", ") + std::string(type);
    return list;
}

// Rope: the long-standing top-level rope_theta (+ rope_scaling), or transformers >= 5's rope_parameters.
void readRope(const ConfigReader& reader, ModelConfig& config)
{
    const auto rejectScaling = [&](const json& params, const std::string& field) {
        if (!params.is_object())
            reader.fail("field '" + field + "' must be an object or null");
        auto type = params.find("rope_type");
        if (type == params.end())
            type = params.find("type");
        if (type != params.end() && !(type->is_string() && type->get<std::string>() == "default"))
            reader.fail("rope scaling " + type->dump() + " in '" + field
                        + "' is not supported (supported: default rotary embeddings without scaling)");
    };
    if (const json* params = reader.find("rope_parameters")) {
        rejectScaling(*params, "rope_parameters");
        auto theta = params->find("rope_theta");
        if (theta != params->end())
            config.ropeTheta = reader.positiveNumber("rope_parameters.rope_theta", *theta);
    }
    if (const json* scaling = reader.find("rope_scaling"))
        rejectScaling(*scaling, "rope_scaling");
    if (const json* theta = reader.find("rope_theta"))
        config.ropeTheta = reader.positiveNumber("rope_theta", *theta);
}

} // namespace

std::string ModelConfig::summary() const
{
    std::ostringstream out;
    out << modelType << ": " << numLayers << " layers, hidden " << hiddenSize << ", " << numHeads << " heads ("
        << numKvHeads << " KV), head_dim " << headDim << ", MLP " << intermediateSize << ", vocab " << vocabSize
        << ", rope theta " << ropeTheta << ", RMSNorm eps " << rmsNormEps
        << (tieWordEmbeddings ? ", tied embeddings" : ", untied lm_head") << (attentionBias ? ", q/k/v bias" : "");
    if (slidingWindow)
        out << ", sliding window " << *slidingWindow;
    return out.str();
}

ModelConfig parseModelConfig(std::string_view text, const std::string& sourceName)
{
    json root;
    try {
        root = json::parse(text);
    } catch (const json::parse_error& e) {
        throw Error(sourceName + ": not valid JSON (" + e.what() + ")");
    }
    if (!root.is_object())
        throw Error(sourceName + ": expected a JSON object");
    const ConfigReader reader(root, sourceName);

    ModelConfig config;
    const json* type = reader.find("model_type");
    if (!type || !type->is_string())
        reader.fail("missing field 'model_type' (supported: " + supportedTypesList() + ")");
    config.modelType = type->get<std::string>();
    if (std::find(kSupportedTypes.begin(), kSupportedTypes.end(), config.modelType) == kSupportedTypes.end())
        reader.fail("model_type '" + config.modelType + "' is not supported (supported: " + supportedTypesList() + ")");
    if (const json* archs = reader.find("architectures"); archs && archs->is_array() && !archs->empty()
        && (*archs)[0].is_string())
        config.architecture = (*archs)[0].get<std::string>();

    config.vocabSize = reader.positiveInt("vocab_size");
    config.hiddenSize = reader.positiveInt("hidden_size");
    config.intermediateSize = reader.positiveInt("intermediate_size");
    config.numLayers = reader.positiveInt("num_hidden_layers");
    config.numHeads = reader.positiveInt("num_attention_heads");
    config.numKvHeads = reader.optionalPositiveInt("num_key_value_heads", config.numHeads);
    if (config.numHeads % config.numKvHeads != 0)
        reader.fail("num_attention_heads (" + std::to_string(config.numHeads) + ") is not a multiple of "
                    + "num_key_value_heads (" + std::to_string(config.numKvHeads) + ")");
    if (config.hiddenSize % config.numHeads != 0 && !reader.find("head_dim"))
        reader.fail("hidden_size is not a multiple of num_attention_heads and no head_dim is given");
    config.headDim = reader.optionalPositiveInt("head_dim", config.hiddenSize / config.numHeads);
    if (config.headDim % 2 != 0)
        reader.fail("head_dim must be even for rotary embeddings, got " + std::to_string(config.headDim));
    config.maxPositionEmbeddings = reader.optionalPositiveInt("max_position_embeddings", 2048);
    if (const json* eps = reader.find("rms_norm_eps"))
        config.rmsNormEps = reader.positiveNumber("rms_norm_eps", *eps);
    readRope(reader, config);

    if (const json* act = reader.find("hidden_act"); act && !(act->is_string() && act->get<std::string>() == "silu"))
        reader.fail("hidden_act " + act->dump() + " is not supported (supported: silu)");

    config.tieWordEmbeddings = reader.optionalBool("tie_word_embeddings", false);
    config.mlpBias = reader.optionalBool("mlp_bias", false);
    if (config.modelType == "qwen2") {
        config.attentionBias = true; // Qwen2 always has q/k/v bias and no o_proj bias
    } else {
        config.attentionBias = reader.optionalBool("attention_bias", false);
        config.outputProjectionBias = config.attentionBias;
    }
    const bool slidingEnabled = config.modelType == "mistral" || reader.optionalBool("use_sliding_window", false);
    if (slidingEnabled)
        if (const json* window = reader.find("sliding_window"))
            config.slidingWindow = reader.positiveInt("sliding_window", *window);

    for (const char* key : { "dtype", "torch_dtype" })
        if (const json* dtype = reader.find(key); dtype && dtype->is_string()) {
            config.dtype = dtype->get<std::string>();
            break;
        }
    config.bosTokenId = reader.optionalInt("bos_token_id");
    config.eosTokenId = reader.optionalInt("eos_token_id");
    return config;
}

ModelConfig loadModelConfig(const std::filesystem::path& configJson)
{
    return parseModelConfig(readTextFile(configJson), configJson.string());
}

} // namespace glvq::io
