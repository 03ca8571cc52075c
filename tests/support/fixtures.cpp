// SPDX-License-Identifier: GPL-3.0-or-later
#include "tests/support/fixtures.h"

#include <fstream>

namespace glvq::test {

nlohmann::json loadFixtureJson(const std::string& relative)
{
    std::ifstream in(fixturePath(relative));
    return nlohmann::json::parse(in);
}

} // namespace glvq::test
