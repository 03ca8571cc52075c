// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Helpers shared by the io tests: scratch directories, hand-built safetensors bytes, and checks on
// the glvq::Error a call throws.
#include "core/util/error.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <string_view>
#include <unistd.h>

namespace glvq::test {

// A fresh directory under the system temp dir, removed with everything in it on destruction.
class ScratchDir {
public:
    ScratchDir()
    {
        static std::atomic<unsigned> counter { 0 };
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        std::string test = info ? std::string(info->test_suite_name()) + "." + info->name() : "io";
        std::replace(test.begin(), test.end(), '/', '_'); // parameterised names hold slashes
        m_path = std::filesystem::temp_directory_path()
            / ("glvq-io-" + test + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
        std::filesystem::remove_all(m_path);
        std::filesystem::create_directories(m_path);
    }
    ~ScratchDir()
    {
        std::error_code ec;
        std::filesystem::remove_all(m_path, ec);
    }
    ScratchDir(const ScratchDir&) = delete;
    ScratchDir& operator=(const ScratchDir&) = delete;

    const std::filesystem::path& path() const { return m_path; }
    std::filesystem::path operator/(const std::string& name) const { return m_path / name; }

private:
    std::filesystem::path m_path;
};

inline void writeBytes(const std::filesystem::path& path, std::string_view bytes)
{
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    ASSERT_TRUE(out.good()) << path;
}

// The 8-byte little-endian length prefix.
inline std::string lengthPrefix(std::uint64_t length)
{
    std::string bytes(8, '\0');
    for (int i = 0; i < 8; ++i)
        bytes[static_cast<std::size_t>(i)] = static_cast<char>((length >> (8 * i)) & 0xFF);
    return bytes;
}

// A safetensors file image: length prefix, `header` verbatim, then `data`.
inline std::string safetensorsImage(std::string_view header, std::string_view data = {})
{
    return lengthPrefix(header.size()) + std::string(header) + std::string(data);
}

// The message of the glvq::Error that `fn` throws; a test failure when it throws nothing or another type.
inline std::string errorOf(const std::function<void()>& fn)
{
    try {
        fn();
    } catch (const glvq::Error& e) {
        return e.what();
    } catch (const std::exception& e) {
        ADD_FAILURE() << "expected glvq::Error, got another exception: " << e.what();
        return {};
    }
    ADD_FAILURE() << "expected glvq::Error, nothing was thrown";
    return {};
}

// Every error message is one line that mentions each of `phrases`.
inline void expectMessage(const std::string& message, std::initializer_list<std::string_view> phrases)
{
    EXPECT_EQ(message.find('\n'), std::string::npos) << "multi-line message: " << message;
    for (const auto phrase : phrases)
        EXPECT_NE(message.find(phrase), std::string::npos) << "'" << phrase << "' missing from: " << message;
}

} // namespace glvq::test
