// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/io/safetensors_header.h"

#include "core/io/error_text.h"
#include "core/util/error.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <limits>
#include <set>

namespace glvq::io::detail {

namespace {

using nlohmann::json;

constexpr std::string_view kMetadataKey = "__metadata__";

[[noreturn]] void fail(const std::string& label, const std::string& what) { throw Error(label + ": " + what); }

[[noreturn]] void failTensor(const std::string& label, std::string_view name, const std::string& what)
{
    throw Error(label + ": " + tensorLabel(name) + ": " + what);
}

bool isNonNegativeInteger(const json& value)
{
    return value.is_number_unsigned() || (value.is_number_integer() && value.get<std::int64_t>() >= 0);
}

json parseJson(std::string_view text, const std::string& label)
{
    // nlohmann keeps the last of two equal keys without a word; a header naming a tensor twice is
    // ambiguous, so top-level keys (depth 1) are tracked and a repeat is refused.
    std::set<std::string> seen;
    auto rejectDuplicates = [&](int depth, json::parse_event_t event, json& parsed) {
        if (depth == 1 && event == json::parse_event_t::key && parsed.is_string()) {
            const auto& key = parsed.get_ref<const std::string&>();
            if (!seen.insert(key).second)
                fail(label, "header names " + tensorLabel(key) + " twice");
        }
        return true;
    };
    try {
        return json::parse(text.begin(), text.end(), rejectDuplicates);
    } catch (const json::exception& e) {
        fail(label, "malformed JSON header: " + printable(e.what()));
    }
}

std::map<std::string, std::string> parseMetadata(const json& value, const std::string& label)
{
    if (!value.is_object())
        fail(label, "\"__metadata__\" must be an object of string to string, got " + std::string(value.type_name()));
    std::map<std::string, std::string> metadata;
    for (const auto& [key, item] : value.items()) {
        if (!item.is_string())
            fail(label, "\"__metadata__\" must be an object of string to string; key '" + printable(key) + "' holds "
                            + std::string(item.type_name()));
        metadata.emplace(key, item.get<std::string>());
    }
    return metadata;
}

std::string shapeText(const std::vector<std::int64_t>& shape)
{
    std::string text = "[";
    for (std::size_t i = 0; i < shape.size(); ++i)
        text += (i ? ", " : "") + std::to_string(shape[i]);
    return text + "]";
}

TensorInfo parseTensor(const std::string& name, const json& entry, std::uint64_t dataSize, const std::string& label)
{
    if (!entry.is_object())
        failTensor(label, name, "entry is not a JSON object");
    TensorInfo info;
    info.name = name;

    const auto dtypeIt = entry.find("dtype");
    if (dtypeIt == entry.end() || !dtypeIt->is_string())
        failTensor(label, name, "missing or non-string \"dtype\"");
    const auto& dtypeText = dtypeIt->get_ref<const std::string&>();
    const auto dtype = parseDType(dtypeText);
    if (!dtype)
        failTensor(label, name, "unsupported dtype '" + printable(dtypeText) + "' (supported: F32, F16, BF16)");
    info.dtype = *dtype;

    const auto shapeIt = entry.find("shape");
    if (shapeIt == entry.end() || !shapeIt->is_array())
        failTensor(label, name, "missing or non-array \"shape\"");
    std::uint64_t numel = 1;
    bool overflow = false;
    for (const auto& dim : *shapeIt) {
        if (!dim.is_number_integer())
            failTensor(label, name, "\"shape\" must hold integers, found " + std::string(dim.type_name()));
        if (!isNonNegativeInteger(dim))
            failTensor(label, name, "negative dimension " + dim.dump() + " in \"shape\"");
        const auto extent = dim.get<std::uint64_t>();
        if (extent > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
            failTensor(label, name, "dimension " + std::to_string(extent) + " in \"shape\" is too large");
        // Keep going after an overflow: a later zero dimension makes the product legitimately zero.
        overflow = overflow || __builtin_mul_overflow(numel, extent, &numel);
        info.shape.push_back(static_cast<std::int64_t>(extent));
    }

    const auto offsetsIt = entry.find("data_offsets");
    if (offsetsIt == entry.end() || !offsetsIt->is_array() || offsetsIt->size() != 2
        || !isNonNegativeInteger((*offsetsIt)[0]) || !isNonNegativeInteger((*offsetsIt)[1]))
        failTensor(label, name, "\"data_offsets\" must be two non-negative integers [begin, end]");
    const auto begin = (*offsetsIt)[0].get<std::uint64_t>();
    const auto end = (*offsetsIt)[1].get<std::uint64_t>();
    const std::string range = "[" + std::to_string(begin) + ", " + std::to_string(end) + "]";
    if (begin > end)
        failTensor(label, name, "data_offsets " + range + " have begin after end");
    if (end > dataSize)
        failTensor(label, name, "data_offsets " + range + " lie outside the data section of " + std::to_string(dataSize)
                                    + " bytes");

    const bool isEmpty = std::find(info.shape.begin(), info.shape.end(), 0) != info.shape.end();
    std::uint64_t expected = 0;
    if (isEmpty)
        numel = 0;
    else if (overflow || __builtin_mul_overflow(numel, dtypeSize(info.dtype), &expected))
        failTensor(label, name, "shape " + shapeText(info.shape) + " has too many elements");
    if (expected != end - begin)
        failTensor(label, name, "shape " + shapeText(info.shape) + " of " + std::string(dtypeName(info.dtype)) + " needs "
                                    + std::to_string(expected) + " bytes but data_offsets " + range + " span "
                                    + std::to_string(end - begin));
    info.dataOffset = static_cast<std::size_t>(begin);
    info.byteSize = static_cast<std::size_t>(end - begin);
    return info;
}

void checkNoOverlap(const std::vector<TensorInfo>& sorted, const std::string& label)
{
    // Sorted by offset, a tensor overlaps an earlier one exactly when it starts before the furthest end
    // seen so far. Empty tensors occupy no bytes and cannot overlap anything.
    const TensorInfo* furthest = nullptr;
    for (const auto& tensor : sorted) {
        if (tensor.byteSize == 0)
            continue;
        if (furthest && tensor.dataOffset < furthest->dataOffset + furthest->byteSize)
            fail(label, tensorLabel(furthest->name) + " and " + tensorLabel(tensor.name)
                            + " overlap in the data section");
        if (!furthest || tensor.dataOffset + tensor.byteSize > furthest->dataOffset + furthest->byteSize)
            furthest = &tensor;
    }
}

} // namespace

SafetensorsHeader parseSafetensorsHeader(std::string_view text, std::uint64_t dataSize, const std::string& label)
{
    const json root = parseJson(text, label);
    if (!root.is_object())
        fail(label, "header is not a JSON object (got " + std::string(root.type_name()) + ")");

    SafetensorsHeader header;
    header.tensors.reserve(root.size());
    for (const auto& [key, value] : root.items()) {
        if (key == kMetadataKey)
            header.metadata = parseMetadata(value, label);
        else
            header.tensors.push_back(parseTensor(key, value, dataSize, label));
    }
    std::sort(header.tensors.begin(), header.tensors.end(), [](const TensorInfo& a, const TensorInfo& b) {
        return a.dataOffset != b.dataOffset ? a.dataOffset < b.dataOffset : a.name < b.name;
    });
    checkNoOverlap(header.tensors, label);
    return header;
}

} // namespace glvq::io::detail
