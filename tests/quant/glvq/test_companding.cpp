// SPDX-License-Identifier: GPL-3.0-or-later
// μ-law companding: inverse pairs, derivatives against finite differences, tensor and scalar forms agreeing.
#include "core/quant/companding.h"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <cmath>

using glvq::quant::mulaw::MuLaw;
namespace mulaw = glvq::quant::mulaw;

TEST(Companding, ExpandInvertsCompress)
{
    for (double mu : {0.0, 1.0, 10.0, 29.4, 255.0}) {
        const MuLaw<double> law(mu);
        for (double x = -1.0; x <= 1.0; x += 0.01) {
            EXPECT_NEAR(law.expand(law.compress(x)), x, 1e-13) << "mu=" << mu << " x=" << x;
            EXPECT_NEAR(law.compress(law.expand(x)), x, 1e-13) << "mu=" << mu << " v=" << x;
        }
        // Range preserving on [−1, 1] and odd.
        EXPECT_NEAR(law.compress(1.0), 1.0, 1e-15);
        EXPECT_NEAR(law.compress(-1.0), -1.0, 1e-15);
        EXPECT_NEAR(law.compress(-0.3), -law.compress(0.3), 1e-15);
    }
}

TEST(Companding, DerivativesMatchFiniteDifferences)
{
    const double h = 1e-6;
    for (double mu : {1.0, 7.5, 100.0, 255.0}) {
        const MuLaw<double> law(mu);
        const MuLaw<double> up(mu + h);
        const MuLaw<double> down(mu - h);
        for (double v : {-0.97, -0.5, -0.02, 0.013, 0.3, 0.8, 1.2}) {
            const double dv = (law.expand(v + h) - law.expand(v - h)) / (2 * h);
            const double dmu = (up.expand(v) - down.expand(v)) / (2 * h);
            EXPECT_NEAR(law.expandDv(v), dv, 1e-6 * std::max(1.0, std::abs(dv))) << "mu=" << mu << " v=" << v;
            EXPECT_NEAR(law.expandDmu(v), dmu, 1e-6 * std::max(1.0, std::abs(dmu))) << "mu=" << mu << " v=" << v;
            const double cx = (law.compress(v + h) - law.compress(v - h)) / (2 * h);
            const double cmu = (up.compress(v) - down.compress(v)) / (2 * h);
            EXPECT_NEAR(law.compressDx(v), cx, 1e-6 * std::max(1.0, std::abs(cx))) << "mu=" << mu << " x=" << v;
            EXPECT_NEAR(law.compressDmu(v), cmu, 1e-6 * std::max(1.0, std::abs(cmu))) << "mu=" << mu << " x=" << v;
        }
    }
}

TEST(Companding, OffIsIdentity)
{
    const MuLaw<float> law(0.0f);
    EXPECT_EQ(law.compress(0.37f), 0.37f);
    EXPECT_EQ(law.expand(-0.81f), -0.81f);
    EXPECT_EQ(law.expandDv(0.5f), 1.0f);
    EXPECT_EQ(law.expandDmu(0.5f), 0.0f);
    const auto x = at::linspace(-1.0, 1.0, 11, at::kFloat);
    EXPECT_TRUE(at::equal(mulaw::compress(x, 0.0), x));
    EXPECT_TRUE(at::equal(mulaw::expand(x, 0.0), x));
}

TEST(Companding, TensorFormsMatchScalarForms)
{
    const auto v = at::linspace(-1.3, 1.3, 263, at::kDouble);
    for (double mu : {1.0, 29.0, 255.0}) {
        const MuLaw<double> law(mu);
        const auto compressed = mulaw::compress(v, mu);
        const auto expansion = mulaw::expandWithDerivatives(v, mu, true);
        for (std::int64_t i = 0; i < v.numel(); ++i) {
            const double x = v[i].item<double>();
            EXPECT_NEAR(compressed[i].item<double>(), law.compress(x), 1e-12);
            EXPECT_NEAR(expansion.value[i].item<double>(), law.expand(x), 1e-12);
            EXPECT_NEAR(expansion.dv[i].item<double>(), law.expandDv(x), 1e-10);
            EXPECT_NEAR(expansion.dmu[i].item<double>(), law.expandDmu(x), 1e-12);
        }
        EXPECT_TRUE(at::allclose(mulaw::expand(v, mu), expansion.value));
        EXPECT_TRUE(at::allclose(mulaw::expandDv(v, mu), expansion.dv));
        EXPECT_TRUE(at::allclose(mulaw::expandDmu(v, mu), expansion.dmu));
    }
}
