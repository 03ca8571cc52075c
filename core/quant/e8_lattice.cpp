// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/quant/e8_lattice.h"

#include <cmath>

namespace glvq::quant {
namespace {

// z holds integers (exact in a double), so the sum is an exact integer too.
bool evenSum(const Vec8& z)
{
    double sum = 0.0;
    for (const double v : z)
        sum += v;
    return static_cast<long long>(sum) % 2 == 0;
}

} // namespace

double squaredDistance(const Vec8& a, const Vec8& b)
{
    double sum = 0.0;
    for (int i = 0; i < 8; ++i)
        sum += (a[i] - b[i]) * (a[i] - b[i]);
    return sum;
}

Vec8 nearestPointD8(const Vec8& x)
{
    Vec8 f;
    int worst = 0;
    double worstDistance = -1.0;
    for (int i = 0; i < 8; ++i) {
        f[i] = std::nearbyint(x[i]);
        const double distance = std::fabs(x[i] - f[i]);
        if (distance > worstDistance) {
            worstDistance = distance;
            worst = i;
        }
    }
    if (!evenSum(f))
        f[worst] += x[worst] >= f[worst] ? 1.0 : -1.0; // g(x): round the worst coordinate the wrong way
    return f;
}

Vec8 nearestPointE8(const Vec8& x)
{
    const Vec8 integer = nearestPointD8(x);
    Vec8 shifted;
    for (int i = 0; i < 8; ++i)
        shifted[i] = x[i] - 0.5;
    Vec8 half = nearestPointD8(shifted);
    for (double& v : half)
        v += 0.5;
    return squaredDistance(x, half) < squaredDistance(x, integer) ? half : integer;
}

Vec8 nearestPointD8InBox(const Vec8& x, int lo, int hi)
{
    Vec8 f;
    int best = 0;
    double bestIncrease = HUGE_VAL;
    double bestAlternative = 0.0;
    for (int i = 0; i < 8; ++i) {
        const double rounded = std::nearbyint(x[i]);
        f[i] = rounded < lo ? lo : (rounded > hi ? hi : rounded);
        // Both neighbours f ± 1 have the other parity; moving by 1 costs 1 ∓ 2(x − f) more. Prefer the side
        // towards x (f − 1 on a tie) unless it leaves the box; hi > lo, so one side always stays inside.
        const double offset = x[i] - f[i];
        double alternative = offset > 0.0 ? f[i] + 1.0 : f[i] - 1.0;
        if (alternative < lo || alternative > hi)
            alternative = 2.0 * f[i] - alternative;
        const double increase = 1.0 - 2.0 * offset * (alternative - f[i]);
        if (increase < bestIncrease) {
            bestIncrease = increase;
            best = i;
            bestAlternative = alternative;
        }
    }
    if (!evenSum(f))
        f[best] = bestAlternative;
    return f;
}

bool isD8Point(const Vec8& p)
{
    for (const double v : p) {
        if (v != std::nearbyint(v))
            return false;
    }
    return evenSum(p);
}

bool isE8Point(const Vec8& p)
{
    if (isD8Point(p))
        return true;
    Vec8 shifted;
    for (int i = 0; i < 8; ++i)
        shifted[i] = p[i] - 0.5;
    return isD8Point(shifted);
}

} // namespace glvq::quant
