// SPDX-License-Identifier: GPL-3.0-or-later
// CPU Babai encoding: exact nearest point in the clamped box for orthogonal G (brute force), identity on
// already-decoded weights for general G, with and without companding; zero scales and NaN stay defined.
#include "kernels/glvq_ref.h"
#include "tests/kernels/kernel_fixtures.h"

#include <gtest/gtest.h>

#include <random>
#include <tuple>

namespace kt = glvq::kernel_test;

namespace {

// Random orthogonal d×d (Gram–Schmidt on a Gaussian matrix), row-major, fp64.
std::vector<double> randomOrthogonal(int d, std::mt19937_64& rng)
{
    std::normal_distribution<double> normal;
    std::vector<double> q(static_cast<std::size_t>(d * d));
    for (auto& v : q)
        v = normal(rng);
    for (int r = 0; r < d; ++r) {
        for (int p = 0; p < r; ++p) {
            double dot = 0;
            for (int c = 0; c < d; ++c)
                dot += q[r * d + c] * q[p * d + c];
            for (int c = 0; c < d; ++c)
                q[r * d + c] -= dot * q[p * d + c];
        }
        double norm = 0;
        for (int c = 0; c < d; ++c)
            norm += q[r * d + c] * q[r * d + c];
        for (int c = 0; c < d; ++c)
            q[r * d + c] /= std::sqrt(norm);
    }
    return q;
}

// Inverse of a d×d fp64 matrix by Gauss–Jordan with partial pivoting.
std::vector<double> inverse(std::vector<double> a, int d)
{
    std::vector<double> inv(static_cast<std::size_t>(d * d), 0.0);
    for (int k = 0; k < d; ++k)
        inv[k * d + k] = 1.0;
    for (int c = 0; c < d; ++c) {
        int pivot = c;
        for (int r = c + 1; r < d; ++r)
            if (std::fabs(a[r * d + c]) > std::fabs(a[pivot * d + c]))
                pivot = r;
        for (int k = 0; k < d; ++k) {
            std::swap(a[c * d + k], a[pivot * d + k]);
            std::swap(inv[c * d + k], inv[pivot * d + k]);
        }
        const double p = a[c * d + c];
        for (int k = 0; k < d; ++k) {
            a[c * d + k] /= p;
            inv[c * d + k] /= p;
        }
        for (int r = 0; r < d; ++r)
            if (r != c) {
                const double f = a[r * d + c];
                for (int k = 0; k < d; ++k) {
                    a[r * d + k] -= f * a[c * d + k];
                    inv[r * d + k] -= f * inv[c * d + k];
                }
            }
    }
    return inv;
}

} // namespace

TEST(ReferenceBabai, OrthogonalGeneratorGivesTheNearestPointOfTheClampedBox)
{
    std::mt19937_64 rng(17);
    for (const auto& config : {std::tuple {4, 2, 0.0f}, std::tuple {8, 1, 0.0f}, std::tuple {2, 4, 40.0f}}) {
        const int d = std::get<0>(config);
        const int bits = std::get<1>(config);
        const float mu = std::get<2>(config);
        const int rows = 200;
        const auto q = randomOrthogonal(d, rng);
        const double c = 0.37; // G = c·Q; G⁻¹ = Qᵀ / c
        std::vector<float> gInv(static_cast<std::size_t>(d * d));
        for (int a = 0; a < d; ++a)
            for (int b = 0; b < d; ++b)
                gInv[a * d + b] = static_cast<float>(q[b * d + a] / c);
        const std::uint32_t first = 0;
        const std::uint32_t width = static_cast<std::uint32_t>(d);
        const std::uint8_t b8 = static_cast<std::uint8_t>(bits);
        const float scale = 0.5f;
        glvq_encode_params p;
        p.rows = rows;
        p.cols = d;
        p.dim = d;
        p.group_count = 1;
        p.first_column = &first;
        p.columns = &width;
        p.bits = &b8;
        p.generator_inverse = gInv.data();
        p.mu = &mu;
        p.scale = &scale;
        std::normal_distribution<float> normal(0.0f, 0.6f); // some points fall outside the box: clamping
        std::vector<float> w(static_cast<std::size_t>(rows * d));
        for (auto& v : w)
            v = normal(rng);
        std::vector<std::uint8_t> codes(w.size(), 0xee);
        ASSERT_EQ(glvq_babai_encode_ref(&p, 0, rows, w.data(), d, codes.data(), d), GLVQ_OK) << glvq_last_error();
        const int levels = 1 << bits;
        const double o = (levels - 1) / 2.0;
        int points = 1;
        for (int k = 0; k < d; ++k)
            points *= levels;
        for (int i = 0; i < rows; ++i) {
            std::vector<double> y(static_cast<std::size_t>(d));
            for (int b = 0; b < d; ++b) {
                const double x = w[i * d + b] / scale;
                y[b] = mu == 0.0f ? x : std::copysign(std::log1p(mu * std::fabs(x)) / std::log1p(double(mu)), x);
            }
            auto distance = [&](auto codeOf) {
                double sum = 0;
                for (int a = 0; a < d; ++a) {
                    double v = 0;
                    for (int b = 0; b < d; ++b)
                        v += c * q[a * d + b] * (codeOf(b) - o);
                    sum += (v - y[a]) * (v - y[a]);
                }
                return sum;
            };
            double best = INFINITY;
            for (int n = 0; n < points; ++n)
                best = std::min(best, distance([&](int b) {
                    int v = n;
                    for (int k = 0; k < b; ++k)
                        v /= levels;
                    return double(v % levels);
                }));
            const double got = distance([&](int b) { return double(codes[i * d + b]); });
            // 1e-6: a coordinate within float rounding of a .5 tie may round either way
            ASSERT_LE(got, best + 1e-6) << "d=" << d << " bits=" << bits << " row " << i;
        }
    }
}

TEST(ReferenceBabai, ReencodingDecodedWeightsGivesTheSameCodes)
{
    for (int companding : {0, 1}) {
        const auto layer = kt::makeLayer(kt::uniformSpec(33, 8 * 24, 64, {2, 4, 3, 1}, 8, companding, true, 40 + companding));
        const auto view = layer.view();
        std::vector<float> w(static_cast<std::size_t>(layer.rows * layer.cols));
        ASSERT_EQ(glvq_decode_ref(&view, 0, layer.rows, w.data(), layer.cols), GLVQ_OK);
        std::vector<float> gInv, mu, scale, rowScales;
        for (std::size_t g = 0; g < layer.columns.size(); ++g) {
            std::vector<double> G(64);
            for (int a = 0; a < 8; ++a)
                for (int b = 0; b < 8; ++b)
                    G[a * 8 + b] = layer.generator(static_cast<std::int32_t>(g), a, b);
            for (double v : inverse(G, 8))
                gInv.push_back(static_cast<float>(v));
            mu.push_back(glvq_half_to_float(layer.mu[g]));
            scale.push_back(glvq_half_to_float(layer.scale[g]));
        }
        for (auto r : layer.rowScales)
            rowScales.push_back(glvq_half_to_float(r));
        glvq_encode_params p;
        p.rows = layer.rows;
        p.cols = layer.cols;
        p.dim = 8;
        p.group_count = static_cast<std::int32_t>(layer.columns.size());
        p.first_column = layer.firstColumn.data();
        p.columns = layer.columns.data();
        p.bits = layer.bits.data();
        p.generator_inverse = gInv.data();
        p.mu = mu.data();
        p.scale = scale.data();
        p.row_scales = rowScales.data();
        std::vector<std::uint8_t> codes(w.size(), 0xee);
        ASSERT_EQ(glvq_babai_encode_ref(&p, 0, layer.rows, w.data(), layer.cols, codes.data(), layer.cols), GLVQ_OK);
        EXPECT_EQ(codes, layer.codes) << "companding " << companding;
    }
}

TEST(ReferenceBabai, ZeroScalesNanAndHugeInputsGiveDefinedCodes)
{
    const std::uint32_t first[2] = {0, 4};
    const std::uint32_t width[2] = {4, 4};
    const std::uint8_t bits[2] = {2, 3};
    std::vector<float> gInv(32, 0.25f);
    const float mu[2] = {0.0f, 10.0f};
    const float scale[2] = {0.0f, 1.0f};
    glvq_encode_params p;
    p.rows = 2;
    p.cols = 8;
    p.dim = 4;
    p.group_count = 2;
    p.first_column = first;
    p.columns = width;
    p.bits = bits;
    p.generator_inverse = gInv.data();
    p.mu = mu;
    p.scale = scale;
    const std::vector<float> w {1, 2, 3, 4, NAN, 0, 0, 0, 5, 6, 7, 8, 1e30f, 1e30f, 1e30f, 1e30f};
    std::vector<std::uint8_t> codes(16, 0xee);
    ASSERT_EQ(glvq_babai_encode_ref(&p, 0, 2, w.data(), 8, codes.data(), 8), GLVQ_OK);
    for (int i = 0; i < 2; ++i)
        for (int a = 0; a < 4; ++a)
            EXPECT_EQ(codes[i * 8 + a], 2) << "s = 0: x = 0, coordinate o = 1.5 rounds to even 2";
    for (int a = 0; a < 4; ++a) {
        EXPECT_EQ(codes[4 + a], 0) << "NaN -> 0";
        EXPECT_EQ(codes[12 + a], 7) << "huge -> clamped to 2^3 - 1";
    }
    const float badMu[2] = {0.0f, -1.0f};
    p.mu = badMu;
    EXPECT_EQ(glvq_babai_encode_ref(&p, 0, 2, w.data(), 8, codes.data(), 8), GLVQ_ERR_INVALID_ARGUMENT);
}
