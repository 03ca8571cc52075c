// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/tokenizer/regex.h"

#include "core/tokenizer/utf8.h"
#include "core/util/error.h"

#ifdef GLVQ_WITH_PCRE2
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#endif

namespace glvq::tok {

#ifdef GLVQ_WITH_PCRE2

namespace {

std::string pcre2Message(int code)
{
    PCRE2_UCHAR buffer[256];
    if (pcre2_get_error_message(code, buffer, sizeof buffer) < 0)
        return "PCRE2 error " + std::to_string(code);
    return reinterpret_cast<const char*>(buffer);
}

} // namespace

struct Regex::Compiled {
    pcre2_code* code = nullptr;
    ~Compiled() { pcre2_code_free(code); }
};

struct RegexScratch::State {
    pcre2_match_data* matchData = nullptr;
    pcre2_match_context* context = nullptr;
    pcre2_jit_stack* jitStack = nullptr;

    State()
    {
        // One ovector pair is enough: only the whole match is used (a pattern's groups are ignored).
        matchData = pcre2_match_data_create(1, nullptr);
        context = pcre2_match_context_create(nullptr);
        // Long whitespace or letter runs can outgrow the default 32 KiB JIT stack.
        jitStack = pcre2_jit_stack_create(32 * 1024, 8 * 1024 * 1024, nullptr);
        if (matchData == nullptr || context == nullptr || jitStack == nullptr)
            throw std::bad_alloc();
        pcre2_jit_stack_assign(context, nullptr, jitStack);
    }
    ~State()
    {
        pcre2_jit_stack_free(jitStack);
        pcre2_match_context_free(context);
        pcre2_match_data_free(matchData);
    }
};

Regex::Regex(const std::string& pattern, const FieldPath& at)
    : m_where(at.source() + ": " + at.path())
{
    int errorCode = 0;
    PCRE2_SIZE errorOffset = 0;
    auto compiled = std::make_shared<Compiled>();
    compiled->code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                                   PCRE2_UTF | PCRE2_UCP, &errorCode, &errorOffset, nullptr);
    if (compiled->code == nullptr)
        at.fail(inQuotes(pattern) + " does not compile: " + pcre2Message(errorCode) + " at offset "
                + std::to_string(errorOffset));
    pcre2_jit_compile(compiled->code, PCRE2_JIT_COMPLETE); // falls back to the interpreter when absent
    m_compiled = std::move(compiled);
}

void Regex::findAll(std::string_view text, std::vector<RegexMatch>& out, RegexScratch& scratch) const
{
    RegexScratch::State& state = scratch.state();
    const auto* subject = reinterpret_cast<PCRE2_SPTR>(text.data());
    std::size_t searchFrom = 0;
    bool haveLast = false;
    std::size_t lastEnd = 0;
    while (searchFrom <= text.size()) {
        const int rc = pcre2_match(m_compiled->code, subject, text.size(), searchFrom, PCRE2_NO_UTF_CHECK,
                                   state.matchData, state.context);
        if (rc == PCRE2_ERROR_NOMATCH)
            break;
        if (rc < 0)
            throw Error(m_where + ": regex match failed: " + pcre2Message(rc));
        const PCRE2_SIZE* ovector = pcre2_get_ovector_pointer(state.matchData);
        const std::size_t begin = ovector[0];
        const std::size_t end = ovector[1];
        if (begin == end && haveLast && lastEnd == end) {
            // An empty match where the previous one ended: step one character on (no infinite loop).
            if (searchFrom >= text.size())
                break;
            searchFrom += utf8SequenceLength(static_cast<unsigned char>(text[searchFrom]));
            continue;
        }
        out.push_back({begin, end});
        haveLast = true;
        lastEnd = end;
        searchFrom = end;
    }
}

bool regexSupported()
{
    return true;
}

bool isWordCharacter(char32_t cp)
{
    if (cp < 0x80)
        return (cp >= '0' && cp <= '9') || (cp >= 'A' && cp <= 'Z') || (cp >= 'a' && cp <= 'z') || cp == '_';
    static const std::string source = "built-in";
    static const Regex word(R"(^[\p{L}\p{M}\p{Nd}\p{Nl}\p{Pc}\x{200C}\x{200D}])", FieldPath(source, "word pattern"));
    std::string utf8;
    appendUtf8(utf8, cp);
    RegexScratch scratch;
    std::vector<RegexMatch> matches;
    word.findAll(utf8, matches, scratch);
    return !matches.empty();
}

#else // no PCRE2

struct Regex::Compiled {};
struct RegexScratch::State {};

Regex::Regex(const std::string&, const FieldPath& at)
{
    at.fail("needs regular expressions, but this build has no PCRE2 (install libpcre2-dev and reconfigure)");
}

void Regex::findAll(std::string_view, std::vector<RegexMatch>&, RegexScratch&) const {}

bool regexSupported()
{
    return false;
}

bool isWordCharacter(char32_t cp)
{
    if (cp < 0x80)
        return (cp >= '0' && cp <= '9') || (cp >= 'A' && cp <= 'Z') || (cp >= 'a' && cp <= 'z') || cp == '_';
    return !isUnicodeWhitespace(cp); // an approximation without Unicode tables
}

#endif

RegexScratch::RegexScratch() = default;
RegexScratch::~RegexScratch() = default;

RegexScratch::State& RegexScratch::state()
{
    if (!m_state)
        m_state = std::make_unique<State>();
    return *m_state;
}

} // namespace glvq::tok
