// SPDX-License-Identifier: GPL-3.0-or-later
// SHA-256 against the FIPS 180-4 example vectors, including multi-block and split updates.
#include "core/util/sha256.h"

#include <gtest/gtest.h>

namespace {
std::string hashOf(const std::string& text)
{
    glvq::Sha256 hasher;
    hasher.update(text);
    return hasher.hexDigest();
}
} // namespace

TEST(Sha256, KnownVectors)
{
    EXPECT_EQ(hashOf(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(hashOf("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(hashOf("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
              "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    EXPECT_EQ(hashOf(std::string(1000000, 'a')), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, SplitUpdatesEqualOneUpdate)
{
    std::string text;
    for (int i = 0; i < 1000; ++i)
        text += std::to_string(i * 7919) + ",";
    glvq::Sha256 pieces;
    for (std::size_t i = 0; i < text.size(); i += 37)
        pieces.update(text.substr(i, 37));
    EXPECT_EQ(pieces.hexDigest(), hashOf(text));
}
