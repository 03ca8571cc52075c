// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/tokenizer/pre_tokenizer.h"

#include "core/tokenizer/byte_level.h"
#include "core/tokenizer/utf8.h"

namespace glvq::tok {

namespace {

constexpr const char* kSupported = "(supported: ByteLevel, Split, Metaspace, Sequence)";

SplitBehavior parseBehavior(const Json& spec, const FieldPath& at)
{
    const std::string name = requireStringMember(spec, "behavior", at);
    if (name == "Removed")
        return SplitBehavior::Removed;
    if (name == "Isolated")
        return SplitBehavior::Isolated;
    if (name == "MergedWithPrevious")
        return SplitBehavior::MergedWithPrevious;
    if (name == "MergedWithNext")
        return SplitBehavior::MergedWithNext;
    if (name == "Contiguous")
        return SplitBehavior::Contiguous;
    (at / "behavior").fail(inQuotes(name) + " is not a split behaviour (Removed, Isolated, MergedWithPrevious, "
                                          "MergedWithNext, Contiguous)");
}

} // namespace

std::optional<PreTokenizer> PreTokenizer::fromJson(const Json* spec, const FieldPath& at)
{
    if (spec == nullptr)
        return std::nullopt;
    PreTokenizer preTokenizer;
    preTokenizer.parse(*spec, at);
    // Spelling bytes in the byte alphabet can wait for the model only when nothing looks at the text after.
    if (!preTokenizer.m_stages.empty() && preTokenizer.m_stages.back().kind == Kind::ByteLevel)
        preTokenizer.m_stages.back().deferByteMapping = true;
    return preTokenizer;
}

void PreTokenizer::parse(const Json& spec, const FieldPath& at)
{
    const std::string type = typeOf(spec, at);
    Stage stage;
    if (type == "Sequence") {
        const FieldPath listAt = at / "pretokenizers";
        const Json& list = requireArray(requireMember(spec, "pretokenizers", at), listAt);
        for (std::size_t i = 0; i < list.size(); ++i)
            parse(list[i], listAt[i]);
        return;
    }
    if (type == "ByteLevel") {
        stage.kind = Kind::ByteLevel;
        stage.addPrefixSpace = boolMember(spec, "add_prefix_space", true, at);
        stage.useRegex = boolMember(spec, "use_regex", true, at);
        if (stage.useRegex)
            stage.regex.emplace(kGpt2Pattern, at / "use_regex");
        stage.behavior = SplitBehavior::Isolated;
    } else if (type == "Split") {
        stage.kind = Kind::Split;
        const PatternSpec pattern = patternMember(spec, at);
        if (pattern.isRegex)
            stage.regex.emplace(pattern.text, at / "pattern" / "Regex");
        else if (pattern.text.empty())
            (at / "pattern" / "String").fail("must not be empty");
        else
            stage.literal = pattern.text;
        stage.behavior = parseBehavior(spec, at);
        stage.invert = boolMember(spec, "invert", false, at);
    } else if (type == "Metaspace") {
        stage.kind = Kind::Metaspace;
        appendUtf8(stage.literal, charMember(spec, "replacement", at));
        stage.split = boolMember(spec, "split", true, at);
        stage.behavior = SplitBehavior::MergedWithNext;
        std::string scheme = "always";
        if (const Json* value = findMember(spec, "prepend_scheme"))
            scheme = requireString(*value, at / "prepend_scheme");
        if (scheme == "always")
            stage.prepend = Prepend::Always;
        else if (scheme == "first")
            stage.prepend = Prepend::First;
        else if (scheme == "never")
            stage.prepend = Prepend::Never;
        else
            (at / "prepend_scheme").fail(inQuotes(scheme) + " is not one of always, first, never");
        // Older files carry only add_prefix_space; false means never (and contradicts any other scheme).
        if (!boolMember(spec, "add_prefix_space", true, at)) {
            if (findMember(spec, "prepend_scheme") != nullptr && stage.prepend != Prepend::Never)
                (at / "add_prefix_space").fail("false contradicts prepend_scheme " + inQuotes(scheme));
            stage.prepend = Prepend::Never;
        }
    } else {
        (at / "type").fail(inQuotes(type) + " is not supported " + kSupported);
    }
    m_stages.push_back(std::move(stage));
}

void PreTokenizer::apply(std::vector<Piece>& pieces, PreTokenizeScratch& scratch) const
{
    for (const Stage& stage : m_stages) {
        scratch.next.clear();
        scratch.next.reserve(pieces.size());
        for (const Piece& piece : pieces) {
            if (piece.addedId >= 0)
                scratch.next.push_back(piece);
            else
                applyStage(stage, piece, scratch);
        }
        pieces.swap(scratch.next);
    }
}

void PreTokenizer::applyStage(const Stage& stage, const Piece& input, PreTokenizeScratch& scratch) const
{
    Piece piece = input;
    std::vector<RegexMatch>& matches = scratch.matches;
    matches.clear();
    switch (stage.kind) {
    case Kind::Split:
        if (stage.regex)
            stage.regex->findAll(piece.text, matches, scratch.regex);
        else
            findLiteral(piece.text, stage.literal, matches);
        splitPiece(piece, matches, stage.behavior, stage.invert, scratch.next);
        return;
    case Kind::ByteLevel: {
        if (stage.addPrefixSpace && !piece.text.starts_with(' ')) {
            std::string prefixed;
            prefixed.reserve(piece.text.size() + 1);
            prefixed.push_back(' ');
            prefixed.append(piece.text);
            piece.text = scratch.keep(std::move(prefixed));
        }
        const std::size_t first = scratch.next.size();
        if (stage.useRegex) {
            stage.regex->findAll(piece.text, matches, scratch.regex);
            splitPiece(piece, matches, SplitBehavior::Isolated, false, scratch.next);
        } else if (!piece.text.empty()) {
            scratch.next.push_back(piece);
        }
        for (std::size_t i = first; i < scratch.next.size(); ++i) {
            Piece& out = scratch.next[i];
            if (stage.deferByteMapping) {
                out.byteLevel = true;
            } else {
                std::string mapped;
                appendByteLevel(mapped, out.text);
                out.text = scratch.keep(std::move(mapped));
            }
        }
        return;
    }
    case Kind::Metaspace: {
        std::string text;
        const std::string_view replacement = stage.literal;
        text.reserve(piece.text.size() + piece.text.size() / 2);
        for (const char c : piece.text) {
            if (c == ' ')
                text.append(replacement);
            else
                text.push_back(c);
        }
        const bool startsWithReplacement = text.starts_with(replacement);
        if (!startsWithReplacement
            && (stage.prepend == Prepend::Always || (stage.prepend == Prepend::First && piece.atOrigin)))
            text.insert(0, replacement);
        piece.text = scratch.keep(std::move(text));
        if (!stage.split) {
            if (!piece.text.empty())
                scratch.next.push_back(piece);
            return;
        }
        findLiteral(piece.text, replacement, matches);
        splitPiece(piece, matches, SplitBehavior::MergedWithNext, false, scratch.next);
        return;
    }
    }
}

bool PreTokenizer::hasByteLevel() const
{
    for (const Stage& stage : m_stages) {
        if (stage.kind == Kind::ByteLevel)
            return true;
    }
    return false;
}

bool PreTokenizer::hasMetaspace() const
{
    for (const Stage& stage : m_stages) {
        if (stage.kind == Kind::Metaspace)
            return true;
    }
    return false;
}

} // namespace glvq::tok
