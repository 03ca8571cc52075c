// SPDX-License-Identifier: GPL-3.0-or-later
// Every malformed safetensors file is refused with a one-line glvq::Error naming the file, the tensor
// where there is one, and what is wrong. The files are built byte by byte here.
#include "core/io/safetensors.h"
#include "tests/io/io_test_util.h"

#include <gtest/gtest.h>

namespace glvq::io {
namespace {

struct MalformedCase {
    std::string label;
    std::string bytes;
    std::vector<std::string> phrases; // besides the file name
};

// `entry` as the JSON object of tensor "w" (with 16 data bytes after the header).
MalformedCase tensorCase(std::string label, const std::string& entry, std::vector<std::string> phrases)
{
    phrases.push_back("'w'");
    return { std::move(label), test::safetensorsImage(R"({"w":)" + entry + "}", std::string(16, '\0')),
             std::move(phrases) };
}

std::vector<MalformedCase> malformedCases()
{
    const std::string data16(16, '\0');
    std::vector<MalformedCase> cases = {
        { "empty_file", "", { "too short" } },
        { "seven_bytes", std::string(7, '\0'), { "too short", "7 bytes" } },
        { "header_over_limit", test::lengthPrefix(100'000'001) + "{}", { "header length", "100000001", "limit" } },
        { "header_length_huge", test::lengthPrefix(~0ull) + "{}", { "header length", "limit" } },
        { "header_past_eof", test::lengthPrefix(100) + "{}", { "header length", "beyond the end" } },
        { "truncated_json", test::safetensorsImage(R"({"w": {"dtype": )"), { "malformed JSON" } },
        { "garbage_json", test::safetensorsImage("\x01\x02garbage\n"), { "malformed JSON" } },
        { "trailing_garbage", test::safetensorsImage("{} x"), { "malformed JSON" } },
        { "header_is_array", test::safetensorsImage("[1, 2]"), { "not a JSON object" } },
        { "header_is_string", test::safetensorsImage(R"("w")"), { "not a JSON object" } },
        { "duplicate_tensor",
          test::safetensorsImage(R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                                 R"("w":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",
                                 std::string(8, '\0')),
          { "'w'", "twice" } },
        { "metadata_not_object", test::safetensorsImage(R"({"__metadata__":[1]})"), { "__metadata__", "object" } },
        { "metadata_not_strings", test::safetensorsImage(R"({"__metadata__":{"format":"pt","n":3}})"),
          { "__metadata__", "'n'" } },
        { "overlap",
          test::safetensorsImage(R"({"first":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                                 R"("second":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
                                 data16),
          { "overlap", "'first'", "'second'" } },
        { "overlap_nested",
          test::safetensorsImage(R"({"big":{"dtype":"F32","shape":[4],"data_offsets":[0,16]},)"
                                 R"("inner":{"dtype":"BF16","shape":[1],"data_offsets":[6,8]},)"
                                 R"("after":{"dtype":"BF16","shape":[1],"data_offsets":[10,12]}})",
                                 data16),
          { "overlap", "'big'" } },
        { "same_range",
          test::safetensorsImage(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                                 R"("b":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})",
                                 data16),
          { "overlap", "'a'", "'b'" } },
    };
    const auto add = [&](MalformedCase c) { cases.push_back(std::move(c)); };
    add(tensorCase("entry_not_object", "5", { "not a JSON object" }));
    add(tensorCase("entry_is_array", R"(["F32"])", { "not a JSON object" }));
    add(tensorCase("missing_dtype", R"({"shape":[4],"data_offsets":[0,16]})", { "\"dtype\"" }));
    add(tensorCase("dtype_not_string", R"({"dtype":4,"shape":[4],"data_offsets":[0,16]})", { "\"dtype\"" }));
    add(tensorCase("unknown_dtype", R"({"dtype":"I8","shape":[16],"data_offsets":[0,16]})",
                   { "unsupported dtype", "I8", "F32, F16, BF16" }));
    add(tensorCase("f64_dtype", R"({"dtype":"F64","shape":[2],"data_offsets":[0,16]})", { "F64", "F32, F16, BF16" }));
    add(tensorCase("missing_shape", R"({"dtype":"F32","data_offsets":[0,16]})", { "\"shape\"" }));
    add(tensorCase("shape_not_array", R"({"dtype":"F32","shape":4,"data_offsets":[0,16]})", { "\"shape\"" }));
    add(tensorCase("shape_float", R"({"dtype":"F32","shape":[4.0],"data_offsets":[0,16]})", { "\"shape\"" }));
    add(tensorCase("shape_string", R"({"dtype":"F32","shape":["4"],"data_offsets":[0,16]})", { "\"shape\"" }));
    add(tensorCase("negative_dim", R"({"dtype":"F32","shape":[-4],"data_offsets":[0,16]})",
                   { "negative dimension", "-4" }));
    add(tensorCase("negative_dims_cancel", R"({"dtype":"F32","shape":[-2,-2],"data_offsets":[0,16]})",
                   { "negative dimension" }));
    add(tensorCase("missing_offsets", R"({"dtype":"F32","shape":[4]})", { "\"data_offsets\"" }));
    add(tensorCase("offsets_one", R"({"dtype":"F32","shape":[4],"data_offsets":[16]})", { "\"data_offsets\"" }));
    add(tensorCase("offsets_three", R"({"dtype":"F32","shape":[4],"data_offsets":[0,16,16]})",
                   { "\"data_offsets\"" }));
    add(tensorCase("offsets_negative", R"({"dtype":"F32","shape":[4],"data_offsets":[-4,12]})",
                   { "\"data_offsets\"", "non-negative" }));
    add(tensorCase("offsets_float", R"({"dtype":"F32","shape":[4],"data_offsets":[0,16.0]})",
                   { "\"data_offsets\"" }));
    add(tensorCase("offsets_not_array", R"({"dtype":"F32","shape":[4],"data_offsets":"0-16"})",
                   { "\"data_offsets\"" }));
    add(tensorCase("offsets_reversed", R"({"dtype":"F32","shape":[0],"data_offsets":[8,4]})",
                   { "data_offsets", "[8, 4]", "begin after end" }));
    add(tensorCase("offsets_past_data", R"({"dtype":"F32","shape":[4],"data_offsets":[4,20]})",
                   { "outside the data section", "16 bytes" }));
    add(tensorCase("offsets_huge", R"({"dtype":"F32","shape":[1],"data_offsets":[18446744073709551612,18446744073709551615]})",
                   { "outside the data section" }));
    add(tensorCase("offsets_beyond_u64", R"({"dtype":"F32","shape":[1],"data_offsets":[0,18446744073709551616]})",
                   { "\"data_offsets\"" }));
    add(tensorCase("size_mismatch", R"({"dtype":"F32","shape":[3],"data_offsets":[0,16]})",
                   { "needs 12 bytes", "span 16" }));
    add(tensorCase("size_mismatch_bf16", R"({"dtype":"BF16","shape":[4,4],"data_offsets":[0,16]})",
                   { "BF16", "needs 32 bytes" }));
    add(tensorCase("product_overflows", R"({"dtype":"F32","shape":[4294967296,4294967296,16],"data_offsets":[0,16]})",
                   { "too many elements" }));
    add(tensorCase("bytes_overflow", R"({"dtype":"F32","shape":[4611686018427387904],"data_offsets":[0,16]})",
                   { "too many elements" }));
    // (2^60 + 1) * 8 elements of 2 bytes is 2^64 + 16 bytes: unchecked arithmetic would wrap to 16.
    add(tensorCase("wraps_to_range", R"({"dtype":"BF16","shape":[1152921504606846977,8],"data_offsets":[0,16]})",
                   { "too many elements" }));
    add(tensorCase("dim_beyond_int64", R"({"dtype":"BF16","shape":[9223372036854775808,8],"data_offsets":[0,16]})",
                   { "\"shape\"", "too large" }));
    return cases;
}

class Malformed : public ::testing::TestWithParam<MalformedCase> {};

TEST_P(Malformed, IsRefusedWithItsError)
{
    const auto& param = GetParam();
    test::ScratchDir dir;
    const auto path = dir / (param.label + ".safetensors");
    test::writeBytes(path, param.bytes);
    const auto message = test::errorOf([&] { SafetensorsFile file(path); });
    test::expectMessage(message, { path.string() });
    for (const auto& phrase : param.phrases)
        test::expectMessage(message, { phrase });
}

INSTANTIATE_TEST_SUITE_P(SafetensorsFile, Malformed, ::testing::ValuesIn(malformedCases()),
                         [](const auto& info) { return info.param.label; });

TEST(SafetensorsFile, MissingFileIsAnError)
{
    test::ScratchDir dir;
    const auto path = dir / "absent.safetensors";
    test::expectMessage(test::errorOf([&] { SafetensorsFile file(path); }), { path.string() });
    test::expectMessage(test::errorOf([&] { SafetensorsFile file(dir.path()); }), { dir.path().string() });
}

TEST(SafetensorsFile, ControlCharactersStayOutOfTheMessage)
{
    test::ScratchDir dir;
    const auto path = dir / "ctl.safetensors";
    test::writeBytes(path, test::safetensorsImage(R"({"bad\nname":{"dtype":"X\r\nY","shape":[1],"data_offsets":[0,4]}})",
                                                  std::string(4, '\0')));
    test::expectMessage(test::errorOf([&] { SafetensorsFile file(path); }), { "bad?name", "unsupported dtype" });
}

TEST(SafetensorsFile, DeeplyNestedHeaderDoesNotCrash)
{
    test::ScratchDir dir;
    const auto path = dir / "deep.safetensors";
    const std::string nested = std::string(200000, '[') + std::string(200000, ']');
    test::writeBytes(path, test::safetensorsImage(R"({"w":{"dtype":"F32","shape":)" + nested + R"(,"data_offsets":[0,4]}})",
                                                  std::string(4, '\0')));
    test::expectMessage(test::errorOf([&] { SafetensorsFile file(path); }), { "'w'", "\"shape\"" });
}

TEST(SafetensorsFile, HeaderAtTheLimitIsParsedNotRefusedForLength)
{
    // A header exactly filling the file (no data section) is legal when it names no tensor bytes.
    test::ScratchDir dir;
    const auto path = dir / "pad.safetensors";
    test::writeBytes(path, test::safetensorsImage("{}" + std::string(1000, ' ')));
    EXPECT_TRUE(SafetensorsFile(path).tensors().empty());
}

} // namespace
} // namespace glvq::io
