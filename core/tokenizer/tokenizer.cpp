// SPDX-License-Identifier: GPL-3.0-or-later
// The tokenizer pipeline, in the reference's order: added tokens are cut out of the raw input, each
// remaining segment is normalised (then normalised added tokens are cut out), pre-tokenized into words,
// each word goes through the BPE model, and the post-processor adds its template's special tokens.
#include "core/tokenizer/tokenizer.h"

#include <algorithm>

#include "core/tokenizer/added_vocabulary.h"
#include "core/tokenizer/bpe_model.h"
#include "core/tokenizer/decoder.h"
#include "core/tokenizer/json_fields.h"
#include "core/tokenizer/normalizer.h"
#include "core/tokenizer/post_processor.h"
#include "core/tokenizer/pre_tokenizer.h"
#include "core/tokenizer/utf8.h"
#include "core/util/error.h"
#include "core/util/text_file.h"

namespace glvq::tok {

struct Tokenizer::Impl {
    std::string source;
    std::optional<Normalizer> normalizer;
    BpeModel model;
    AddedVocabulary added;
    std::optional<PreTokenizer> preTokenizer;
    PostProcessor postProcessor;
    Decoder decoder;
    std::string description;

    // Appends the pieces of one segment of ordinary text (between raw-matched added tokens).
    void addSegment(std::string_view segment, bool atOrigin, std::vector<Piece>& pieces,
                    PreTokenizeScratch& scratch) const;
};

namespace {

Json parseDocument(std::string_view json, const std::string& sourceName)
{
    try {
        return Json::parse(json.begin(), json.end());
    } catch (const Json::exception& e) {
        std::string what = e.what();
        std::replace(what.begin(), what.end(), '\n', ' ');
        throw Error(sourceName + ": invalid JSON: " + what);
    }
}

void checkModelType(const Json& model, const FieldPath& at)
{
    requireObject(model, at);
    const Json* type = findMember(model, "type");
    if (type == nullptr) {
        // Untyped models are told apart by their fields in the reference; BPE is the one with merges.
        if (findMember(model, "merges") == nullptr)
            (at / "type").fail("is missing and the model has no merges (supported: BPE)");
        return;
    }
    const std::string name = requireString(*type, at / "type");
    if (name != "BPE")
        (at / "type").fail(inQuotes(name) + " is not supported (supported: BPE)");
}

std::string describe(const Tokenizer::Impl& impl, std::int32_t vocabSize)
{
    std::string kind = "BPE";
    if (impl.preTokenizer && impl.preTokenizer->hasByteLevel())
        kind += ", byte-level";
    else if (impl.model.byteFallback() || (impl.preTokenizer && impl.preTokenizer->hasMetaspace())
             || (impl.normalizer && impl.normalizer->prepends("\xE2\x96\x81")))
        kind += ", SentencePiece-style";
    return kind + ", " + std::to_string(vocabSize) + " tokens";
}

} // namespace

Tokenizer Tokenizer::fromFile(const std::filesystem::path& tokenizerJson)
{
    const std::string text = readTextFile(tokenizerJson);
    return fromJson(text, tokenizerJson.string());
}

Tokenizer Tokenizer::fromJson(std::string_view json, const std::string& sourceName)
{
    auto impl = std::make_unique<Impl>();
    impl->source = sourceName;
    const Json document = parseDocument(json, sourceName);
    const FieldPath root(impl->source, "");
    if (!document.is_object())
        root.fail("top level must be a JSON object");
    // truncation and padding are ignored: callers encode whole texts and cut windows themselves.
    impl->normalizer = Normalizer::fromJson(findMember(document, "normalizer"), root / "normalizer");
    const Json& model = requireMember(document, "model", root);
    checkModelType(model, root / "model");
    impl->model = BpeModel::fromJson(model, root / "model");
    impl->added = AddedVocabulary::fromJson(findMember(document, "added_tokens"), root / "added_tokens", impl->model,
                                            impl->normalizer ? &*impl->normalizer : nullptr);
    impl->preTokenizer = PreTokenizer::fromJson(findMember(document, "pre_tokenizer"), root / "pre_tokenizer");
    impl->postProcessor = PostProcessor::fromJson(findMember(document, "post_processor"), root / "post_processor");
    impl->decoder = Decoder::fromJson(findMember(document, "decoder"), root / "decoder");
    Tokenizer tokenizer(std::move(impl));
    tokenizer.m_impl->description = describe(*tokenizer.m_impl, tokenizer.vocabSize());
    return tokenizer;
}

Tokenizer::Tokenizer(std::unique_ptr<Impl> impl)
    : m_impl(std::move(impl))
{
}

Tokenizer::~Tokenizer() = default;
Tokenizer::Tokenizer(Tokenizer&&) noexcept = default;
Tokenizer& Tokenizer::operator=(Tokenizer&&) noexcept = default;

void Tokenizer::Impl::addSegment(std::string_view segment, bool atOrigin, std::vector<Piece>& pieces,
                                 PreTokenizeScratch& scratch) const
{
    std::string_view text = segment;
    if (normalizer)
        text = scratch.keep(normalizer->apply(segment));
    if (text.empty())
        return;
    if (!added.hasTokens(true)) {
        pieces.push_back(Piece{text, -1, false, atOrigin});
        return;
    }
    std::vector<TextSpan> spans;
    added.split(text, true, spans);
    for (const TextSpan& span : spans) {
        const std::string_view part = text.substr(span.begin, span.end - span.begin);
        pieces.push_back(Piece{part, span.id, false, atOrigin && span.begin == 0});
    }
}

std::vector<TokenId> Tokenizer::encode(std::string_view text, bool addSpecialTokens) const
{
    const Impl& impl = *m_impl;
    if (const auto bad = findInvalidUtf8(text))
        throw Error(impl.source + ": cannot encode: the text is not valid UTF-8 (byte " + std::to_string(*bad) + ")");

    PreTokenizeScratch scratch;
    std::vector<Piece> pieces;
    std::vector<TextSpan> spans;
    impl.added.split(text, false, spans);
    for (const TextSpan& span : spans) {
        const std::string_view part = text.substr(span.begin, span.end - span.begin);
        if (span.id >= 0)
            pieces.push_back(Piece{part, span.id, false, false});
        else
            impl.addSegment(part, span.begin == 0, pieces, scratch);
    }
    if (impl.preTokenizer)
        impl.preTokenizer->apply(pieces, scratch);

    std::vector<TokenId> ids;
    ids.reserve(text.size() / 3 + 8);
    BpeScratch bpe;
    for (const Piece& piece : pieces) {
        if (piece.addedId >= 0)
            ids.push_back(piece.addedId);
        else
            impl.model.tokenize(piece.text, piece.byteLevel, ids, bpe);
    }
    if (addSpecialTokens)
        impl.postProcessor.apply(ids);
    return ids;
}

std::string Tokenizer::decode(std::span<const TokenId> ids, bool skipSpecialTokens) const
{
    const Impl& impl = *m_impl;
    std::vector<std::string> tokens;
    tokens.reserve(ids.size());
    for (const TokenId id : ids) {
        const AddedToken* added = impl.added.byId(id);
        const std::string* token = added != nullptr ? &added->content : impl.model.idToToken(id);
        if (token == nullptr)
            continue; // the reference drops ids it does not know
        if (skipSpecialTokens && impl.added.isSpecialContent(*token))
            continue;
        tokens.push_back(*token);
    }
    return impl.decoder.decode(std::move(tokens));
}

std::int32_t Tokenizer::vocabSize() const
{
    // Ids index embedding rows, so the size is one past the largest id rather than a count of entries.
    return std::max(m_impl->model.idBound(), m_impl->added.maxId() + 1);
}

std::optional<TokenId> Tokenizer::tokenToId(std::string_view token) const
{
    if (const auto id = m_impl->added.idOf(token))
        return id;
    return m_impl->model.tokenToId(token);
}

std::string Tokenizer::idToToken(TokenId id) const
{
    if (const AddedToken* added = m_impl->added.byId(id))
        return added->content;
    const std::string* token = m_impl->model.idToToken(id);
    return token != nullptr ? *token : std::string();
}

bool Tokenizer::isSpecial(TokenId id) const
{
    const AddedToken* added = m_impl->added.byId(id);
    const std::string* token = added != nullptr ? &added->content : m_impl->model.idToToken(id);
    return token != nullptr && m_impl->added.isSpecialContent(*token);
}

std::string Tokenizer::description() const
{
    return m_impl->description;
}

} // namespace glvq::tok
