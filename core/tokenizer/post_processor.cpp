// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/tokenizer/post_processor.h"

#include <algorithm>
#include <map>
#include <string>

namespace glvq::tok {

namespace {

constexpr const char* kSupported = "(supported: TemplateProcessing, ByteLevel, Sequence)";

// A template piece is {"SpecialToken": {"id": ...}} / {"Sequence": {"id": "A"}}, or the string form
// "$A", "$A:0", "<s>", "<s>:0" accepted when templates are written by hand.
struct PieceSpec {
    bool isSequence;
    std::string name; // sequence id ("A") or special token name
};

PieceSpec parsePiece(const Json& piece, const FieldPath& at)
{
    if (piece.is_string()) {
        std::string text = piece.get<std::string>();
        const std::size_t colon = text.rfind(':');
        if (colon != std::string::npos && colon + 1 < text.size()
            && text.find_first_not_of("0123456789", colon + 1) == std::string::npos)
            text.resize(colon); // drop the type id
        if (text.starts_with('$')) {
            const std::string id = text.substr(1);
            return {true, id.empty() || id == "0" ? "A" : id == "1" ? "B" : id};
        }
        return {false, text};
    }
    requireObject(piece, at);
    if (const Json* sequence = findMember(piece, "Sequence"))
        return {true, requireStringMember(*sequence, "id", at / "Sequence")};
    if (const Json* special = findMember(piece, "SpecialToken"))
        return {false, requireStringMember(*special, "id", at / "SpecialToken")};
    at.fail("must be a SpecialToken or a Sequence piece");
}

} // namespace

PostProcessor PostProcessor::fromJson(const Json* spec, const FieldPath& at)
{
    PostProcessor processor;
    if (spec != nullptr)
        processor.parse(*spec, at);
    return processor;
}

void PostProcessor::parse(const Json& spec, const FieldPath& at)
{
    const std::string type = typeOf(spec, at);
    if (type == "Sequence") {
        const FieldPath listAt = at / "processors";
        const Json& list = requireArray(requireMember(spec, "processors", at), listAt);
        for (std::size_t i = 0; i < list.size(); ++i)
            parse(list[i], listAt[i]);
    } else if (type == "TemplateProcessing") {
        parseTemplate(spec, at);
    } else if (type != "ByteLevel") { // ByteLevel only trims offsets
        (at / "type").fail(inQuotes(type) + " is not supported " + kSupported);
    }
}

void PostProcessor::parseTemplate(const Json& spec, const FieldPath& at)
{
    std::map<std::string, std::vector<TokenId>> specials;
    if (const Json* table = findMember(spec, "special_tokens")) {
        const FieldPath tableAt = at / "special_tokens";
        requireObject(*table, tableAt);
        for (const auto& [name, entry] : table->items()) {
            const FieldPath entryAt = tableAt / name;
            const FieldPath idsAt = entryAt / "ids";
            const Json& ids = requireArray(requireMember(requireObject(entry, entryAt), "ids", entryAt), idsAt);
            std::vector<TokenId>& out = specials[name];
            for (std::size_t i = 0; i < ids.size(); ++i) {
                if (!ids[i].is_number_integer() || ids[i].get<std::int64_t>() < 0)
                    idsAt[i].fail("must be a non-negative integer");
                out.push_back(static_cast<TokenId>(ids[i].get<std::int64_t>()));
            }
        }
    }
    const FieldPath singleAt = at / "single";
    const Json& single = requireMember(spec, "single", at);
    Template result;
    const auto addPiece = [&](const Json& pieceJson, const FieldPath& pieceAt) {
        const PieceSpec piece = parsePiece(pieceJson, pieceAt);
        if (piece.isSequence) {
            if (piece.name != "A")
                pieceAt.fail("Sequence " + inQuotes(piece.name) + " cannot appear in a single-sequence template");
            result.push_back({true, {}});
            return;
        }
        const auto it = specials.find(piece.name);
        if (it == specials.end())
            pieceAt.fail("special token " + inQuotes(piece.name) + " is not in " + at.path() + ".special_tokens");
        result.push_back({false, it->second});
    };
    if (single.is_string()) {
        // "<s> $A" written as one string: pieces separated by spaces.
        const std::string text = single.get<std::string>();
        std::size_t pos = 0;
        while (pos < text.size()) {
            const std::size_t end = std::min(text.find(' ', pos), text.size());
            if (end > pos)
                addPiece(Json(text.substr(pos, end - pos)), singleAt);
            pos = end + 1;
        }
    } else {
        requireArray(single, singleAt);
        for (std::size_t i = 0; i < single.size(); ++i)
            addPiece(single[i], singleAt[i]);
    }
    m_templates.push_back(std::move(result));
}

void PostProcessor::apply(std::vector<TokenId>& ids) const
{
    for (const Template& pattern : m_templates) {
        std::vector<TokenId> result;
        std::size_t extra = 0;
        for (const Item& item : pattern)
            extra += item.ids.size();
        result.reserve(ids.size() + extra);
        for (const Item& item : pattern) {
            if (item.isSequence)
                result.insert(result.end(), ids.begin(), ids.end());
            else
                result.insert(result.end(), item.ids.begin(), item.ids.end());
        }
        ids.swap(result);
    }
}

} // namespace glvq::tok
