// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/inspect/generator_analysis.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace glvq::inspect {

namespace {

// One-sided Jacobi: rotates column pairs of A until they are orthogonal; the column norms are then the singular
// values. Accurate to working precision for the small matrices here, and needs no external library.
std::vector<double> jacobiSingularValues(std::vector<double> a, int n)
{
    auto at = [&](int r, int c) -> double& { return a[std::size_t(r) * n + c]; };
    for (int sweep = 0; sweep < 60; ++sweep) {
        double off = 0.0;
        for (int p = 0; p < n - 1; ++p)
            for (int q = p + 1; q < n; ++q) {
                double alpha = 0, beta = 0, gamma = 0;
                for (int r = 0; r < n; ++r) {
                    alpha += at(r, p) * at(r, p);
                    beta += at(r, q) * at(r, q);
                    gamma += at(r, p) * at(r, q);
                }
                if (gamma == 0.0 || std::fabs(gamma) <= 1e-15 * std::sqrt(alpha * beta))
                    continue;
                off = std::max(off, std::fabs(gamma) / std::sqrt(alpha * beta));
                const double zeta = (beta - alpha) / (2.0 * gamma);
                const double t = std::copysign(1.0, zeta) / (std::fabs(zeta) + std::sqrt(1.0 + zeta * zeta));
                const double c = 1.0 / std::sqrt(1.0 + t * t);
                const double s = c * t;
                for (int r = 0; r < n; ++r) {
                    const double x = at(r, p), y = at(r, q);
                    at(r, p) = c * x - s * y;
                    at(r, q) = s * x + c * y;
                }
            }
        if (off < 1e-14)
            break;
    }
    std::vector<double> sigma(std::size_t(n), 0.0);
    for (int c = 0; c < n; ++c) {
        double norm = 0;
        for (int r = 0; r < n; ++r)
            norm += at(r, c) * at(r, c);
        sigma[std::size_t(c)] = std::sqrt(norm);
    }
    std::sort(sigma.begin(), sigma.end(), std::greater<>());
    return sigma;
}

} // namespace

GeneratorAnalysis analyzeGenerator(const std::vector<double>& generator, int dim)
{
    GeneratorAnalysis out;
    if (dim <= 0 || generator.size() != std::size_t(dim) * std::size_t(dim))
        return out;
    out.singularValues = jacobiSingularValues(generator, dim);
    const double inf = std::numeric_limits<double>::infinity();
    const double smallest = out.singularValues.back();
    out.conditionNumber = smallest > 0 ? out.singularValues.front() / smallest : inf;
    double logDet = 0.0, logNorms = 0.0;
    for (double s : out.singularValues)
        logDet += s > 0 ? std::log(s) : -inf;
    for (int c = 0; c < dim; ++c) {
        double norm = 0;
        for (int r = 0; r < dim; ++r)
            norm += generator[std::size_t(r) * dim + c] * generator[std::size_t(r) * dim + c];
        logNorms += 0.5 * std::log(norm);
    }
    out.determinant = std::exp(logDet);
    out.orthogonalityDefect = smallest > 0 ? std::exp(logNorms - logDet) : inf;
    return out;
}

} // namespace glvq::inspect
