// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/inspect/lattice_enumeration.h"

#include "core/util/error.h"

#include <cmath>
#include <limits>
#include <string>

namespace glvq::inspect {

namespace {

// Upper-triangular R with BᵀB = RᵀR (Cholesky of the Gram matrix), row-major.
std::vector<double> gramCholesky(const std::vector<double>& basis, int d)
{
    std::vector<double> gram(std::size_t(d * d), 0.0);
    for (int i = 0; i < d; ++i)
        for (int j = 0; j < d; ++j)
            for (int k = 0; k < d; ++k)
                gram[std::size_t(i * d + j)] += basis[std::size_t(k * d + i)] * basis[std::size_t(k * d + j)];
    std::vector<double> r(std::size_t(d * d), 0.0);
    for (int i = 0; i < d; ++i) {
        double diagonal = gram[std::size_t(i * d + i)];
        for (int k = 0; k < i; ++k)
            diagonal -= r[std::size_t(k * d + i)] * r[std::size_t(k * d + i)];
        if (!(diagonal > 1e-300))
            throw Error("lattice generator is singular: no Voronoi cells");
        r[std::size_t(i * d + i)] = std::sqrt(diagonal);
        for (int j = i + 1; j < d; ++j) {
            double value = gram[std::size_t(i * d + j)];
            for (int k = 0; k < i; ++k)
                value -= r[std::size_t(k * d + i)] * r[std::size_t(k * d + j)];
            r[std::size_t(i * d + j)] = value / r[std::size_t(i * d + i)];
        }
    }
    return r;
}

// c = B⁻¹ t by Gaussian elimination with partial pivoting.
std::vector<double> solve(std::vector<double> a, std::vector<double> b, int d)
{
    for (int col = 0; col < d; ++col) {
        int pivot = col;
        for (int row = col + 1; row < d; ++row)
            if (std::fabs(a[std::size_t(row * d + col)]) > std::fabs(a[std::size_t(pivot * d + col)]))
                pivot = row;
        for (int k = 0; k < d; ++k)
            std::swap(a[std::size_t(col * d + k)], a[std::size_t(pivot * d + k)]);
        std::swap(b[std::size_t(col)], b[std::size_t(pivot)]);
        const double p = a[std::size_t(col * d + col)];
        if (std::fabs(p) < 1e-300)
            throw Error("lattice generator is singular: no Voronoi cells");
        for (int row = col + 1; row < d; ++row) {
            const double f = a[std::size_t(row * d + col)] / p;
            for (int k = col; k < d; ++k)
                a[std::size_t(row * d + k)] -= f * a[std::size_t(col * d + k)];
            b[std::size_t(row)] -= f * b[std::size_t(col)];
        }
    }
    std::vector<double> x(std::size_t(d), 0.0);
    for (int row = d - 1; row >= 0; --row) {
        double value = b[std::size_t(row)];
        for (int k = row + 1; k < d; ++k)
            value -= a[std::size_t(row * d + k)] * x[std::size_t(k)];
        x[std::size_t(row)] = value / a[std::size_t(row * d + row)];
    }
    return x;
}

struct Enumerator {
    int d;
    const std::vector<double>& r;
    const std::vector<double>& c;
    double radius2;
    const std::function<void(const std::vector<int>&, double)>& visit;
    std::size_t maxPoints;
    std::vector<int> z;
    std::size_t visited = 0;

    // Level i fixes z_i given z_{i+1..d−1}; `partial` is the squared length of the fixed part.
    void recurse(int i, double partial)
    {
        const double rii = r[std::size_t(i * d + i)];
        double shift = 0.0;
        for (int j = i + 1; j < d; ++j)
            shift += r[std::size_t(i * d + j)] * (z[std::size_t(j)] - c[std::size_t(j)]);
        const double center = c[std::size_t(i)] - shift / rii;
        const double room = radius2 - partial;
        if (room < 0)
            return;
        const double half = std::sqrt(room) / rii;
        for (long long zi = (long long)std::ceil(center - half); zi <= (long long)std::floor(center + half); ++zi) {
            const double term = rii * (double(zi) - center);
            const double total = partial + term * term;
            if (total > radius2)
                continue;
            z[std::size_t(i)] = int(zi);
            if (i == 0) {
                if (++visited > maxPoints)
                    throw Error("lattice enumeration: more than " + std::to_string(maxPoints)
                                + " points (the generator is too skewed to draw exactly)");
                visit(z, total);
            } else {
                recurse(i - 1, total);
            }
        }
    }
};

} // namespace

void enumerateLatticeBall(const std::vector<double>& basis, int dim, const std::vector<double>& target,
                          double radius2, const std::function<void(const std::vector<int>&, double)>& visit,
                          std::size_t maxPoints)
{
    const auto r = gramCholesky(basis, dim);
    const auto c = solve(basis, target, dim);
    Enumerator e { dim, r, c, radius2, visit, maxPoints, std::vector<int>(std::size_t(dim), 0) };
    e.recurse(dim - 1, 0.0);
}

std::vector<std::vector<double>> voronoiRelevantVectors(const std::vector<double>& basis, int dim)
{
    if (dim > 16)
        throw Error("Voronoi-relevant vectors: d = " + std::to_string(dim) + " has 2^d cosets, drawn only for d <= 16");
    std::vector<double> doubled(basis);
    for (auto& value : doubled)
        value *= 2.0;
    std::vector<std::vector<double>> relevant;
    std::vector<double> target(static_cast<std::size_t>(dim));
    for (unsigned long coset = 1; coset < (1ul << dim); ++coset) {
        // Shortest vectors of B s + 2L: the points 2B k closest to −B s.
        for (int row = 0; row < dim; ++row) {
            double value = 0;
            for (int k = 0; k < dim; ++k)
                if (coset >> k & 1ul)
                    value += basis[std::size_t(row * dim + k)];
            target[std::size_t(row)] = -value;
        }
        double best = 0;
        for (double t : target)
            best += t * t; // k = 0 is a member of the coset: an upper bound
        enumerateLatticeBall(doubled, dim, target, best * (1 + 1e-9),
                             [&](const std::vector<int>&, double dist2) { best = std::min(best, dist2); });
        std::vector<std::vector<double>> shortest;
        enumerateLatticeBall(doubled, dim, target, best * (1 + 1e-9), [&](const std::vector<int>& k, double) {
            std::vector<double> v(static_cast<std::size_t>(dim));
            for (int row = 0; row < dim; ++row) {
                double value = -target[std::size_t(row)];
                for (int j = 0; j < dim; ++j)
                    value += doubled[std::size_t(row * dim + j)] * k[std::size_t(j)];
                v[std::size_t(row)] = value;
            }
            shortest.push_back(std::move(v));
        });
        if (shortest.size() == 2)
            for (auto& v : shortest)
                relevant.push_back(std::move(v));
    }
    return relevant;
}

} // namespace glvq::inspect
