// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/inspect/lattice_slice.h"

#include "core/inspect/lattice_enumeration.h"
#include "core/util/error.h"

#include <algorithm>
#include <cmath>

namespace glvq::inspect {

namespace {

using Polygon = std::vector<PlanePoint>;

// Keeps the part of convex `polygon` where a·x + b·y ≤ c (Sutherland–Hodgman, one edge).
Polygon clip(const Polygon& polygon, double a, double b, double c)
{
    Polygon out;
    const std::size_t n = polygon.size();
    for (std::size_t i = 0; i < n; ++i) {
        const PlanePoint& p = polygon[i];
        const PlanePoint& q = polygon[(i + 1) % n];
        const double fp = a * p.x + b * p.y - c;
        const double fq = a * q.x + b * q.y - c;
        if (fp <= 0)
            out.push_back(p);
        if ((fp < 0 && fq > 0) || (fp > 0 && fq < 0)) {
            const double t = fp / (fp - fq);
            out.push_back({ p.x + t * (q.x - p.x), p.y + t * (q.y - p.y) });
        }
    }
    return out;
}

Polygon window(const SliceRequest& r) { return { { r.xMin, r.yMin }, { r.xMax, r.yMin }, { r.xMax, r.yMax }, { r.xMin, r.yMax } }; }

std::vector<double> inverse(const std::vector<double>& g, int d)
{
    std::vector<double> a(g), inv(std::size_t(d * d), 0.0);
    for (int i = 0; i < d; ++i)
        inv[std::size_t(i * d + i)] = 1.0;
    for (int col = 0; col < d; ++col) {
        int pivot = col;
        for (int row = col + 1; row < d; ++row)
            if (std::fabs(a[std::size_t(row * d + col)]) > std::fabs(a[std::size_t(pivot * d + col)]))
                pivot = row;
        for (int k = 0; k < d; ++k) {
            std::swap(a[std::size_t(col * d + k)], a[std::size_t(pivot * d + k)]);
            std::swap(inv[std::size_t(col * d + k)], inv[std::size_t(pivot * d + k)]);
        }
        const double p = a[std::size_t(col * d + col)];
        if (std::fabs(p) < 1e-300)
            throw Error("lattice generator is singular");
        for (int k = 0; k < d; ++k) {
            a[std::size_t(col * d + k)] /= p;
            inv[std::size_t(col * d + k)] /= p;
        }
        for (int row = 0; row < d; ++row)
            if (row != col) {
                const double f = a[std::size_t(row * d + col)];
                for (int k = 0; k < d; ++k) {
                    a[std::size_t(row * d + k)] -= f * a[std::size_t(col * d + k)];
                    inv[std::size_t(row * d + k)] -= f * inv[std::size_t(col * d + k)];
                }
            }
    }
    return inv;
}

struct Geometry {
    const SliceRequest& r;
    int d;
    double o;
    std::vector<double> offset;
    std::vector<double> inv;

    std::vector<double> point(const std::vector<int>& z) const // G (z − o·1)
    {
        std::vector<double> p(std::size_t(d), 0.0);
        for (int a = 0; a < d; ++a)
            for (int b = 0; b < d; ++b)
                p[std::size_t(a)] += r.generator[std::size_t(a * d + b)] * (z[std::size_t(b)] - o);
        return p;
    }
    // ⟨x − p, v⟩ for x on the plane at (s, t) = s·v_X + t·v_Y + k: returns k.
    double constant(const std::vector<double>& p, const std::vector<double>& v) const
    {
        double k = 0;
        for (int m = 0; m < d; ++m)
            if (m != r.axisX && m != r.axisY)
                k += (offset[std::size_t(m)] - p[std::size_t(m)]) * v[std::size_t(m)];
        return k - p[std::size_t(r.axisX)] * v[std::size_t(r.axisX)] - p[std::size_t(r.axisY)] * v[std::size_t(r.axisY)];
    }
    Polygon voronoi(const std::vector<double>& p, const std::vector<std::vector<double>>& relevant) const
    {
        Polygon polygon = window(r);
        for (const auto& v : relevant) {
            double norm2 = 0;
            for (double x : v)
                norm2 += x * x;
            polygon = clip(polygon, v[std::size_t(r.axisX)], v[std::size_t(r.axisY)], 0.5 * norm2 - constant(p, v));
            if (polygon.size() < 3)
                return {};
        }
        return polygon;
    }
    std::vector<int> babai(const std::vector<double>& x) const
    {
        std::vector<int> z(static_cast<std::size_t>(d));
        for (int k = 0; k < d; ++k) {
            double value = o;
            for (int m = 0; m < d; ++m)
                value += inv[std::size_t(k * d + m)] * x[std::size_t(m)];
            z[std::size_t(k)] = int(std::nearbyint(value));
        }
        return z;
    }
    // |(G⁻¹(x − p))_k| ≤ ½ for every k, as half-planes in (s, t).
    Polygon babaiCell(const std::vector<double>& p) const
    {
        Polygon polygon = window(r);
        for (int k = 0; k < d; ++k) {
            std::vector<double> row(inv.begin() + k * d, inv.begin() + (k + 1) * d);
            const double k0 = constant(p, row);
            polygon = clip(polygon, row[std::size_t(r.axisX)], row[std::size_t(r.axisY)], 0.5 - k0);
            polygon = clip(polygon, -row[std::size_t(r.axisX)], -row[std::size_t(r.axisY)], 0.5 + k0);
        }
        return polygon;
    }
};

} // namespace

LatticeSlice sliceLattice(const SliceRequest& r)
{
    const int d = r.dim;
    if (d < 2 || r.generator.size() != std::size_t(d * d) || r.axisX == r.axisY || r.axisX < 0 || r.axisY < 0
        || r.axisX >= d || r.axisY >= d)
        throw Error("lattice slice: bad request (d = " + std::to_string(d) + ", axes " + std::to_string(r.axisX)
                    + ", " + std::to_string(r.axisY) + ")");
    Geometry geo { r, d, 0.5 * double((1 << r.bits) - 1), r.offset, inverse(r.generator, d) };
    geo.offset.resize(std::size_t(d), 0.0);
    if (r.throughLatticePoint) {
        const auto anchor = geo.point(geo.babai(geo.offset));
        for (int m = 0; m < d; ++m)
            if (m != r.axisX && m != r.axisY)
                geo.offset[std::size_t(m)] = anchor[std::size_t(m)];
    }
    LatticeSlice out;
    out.planeOffset = geo.offset;
    std::vector<double> at(geo.offset);
    at[std::size_t(r.axisX)] = r.babaiAt.x;
    at[std::size_t(r.axisY)] = r.babaiAt.y;
    const auto center = geo.point(geo.babai(at));
    out.babaiCenter = { center[std::size_t(r.axisX)], center[std::size_t(r.axisY)] };
    out.babaiCell = geo.babaiCell(center);
    try {
        const auto relevant = voronoiRelevantVectors(r.generator, d);
        out.relevantVectors = relevant.size();
        out.babaiVoronoi = geo.voronoi(center, relevant);
        // Every point is within the Babai cell's half-diagonal of a lattice point: a covering-radius bound.
        double cover2 = 0;
        for (double g : r.generator)
            cover2 += g * g;
        cover2 *= 0.25;
        // Lattice points whose cell can meet the window lie within √cover2 of the plane and, along the plane,
        // within the window grown by √cover2. Enumerate them in the scaled norm where that region fits in a ball
        // of radius² 3 (each of the three conditions contributes at most 1).
        const double cover = std::sqrt(cover2);
        std::vector<double> mid(geo.offset), inverseHalf(std::size_t(d), 1.0 / cover);
        mid[std::size_t(r.axisX)] = 0.5 * (r.xMin + r.xMax);
        mid[std::size_t(r.axisY)] = 0.5 * (r.yMin + r.yMax);
        inverseHalf[std::size_t(r.axisX)] = 1.0 / (0.5 * (r.xMax - r.xMin) + cover);
        inverseHalf[std::size_t(r.axisY)] = 1.0 / (0.5 * (r.yMax - r.yMin) + cover);
        std::vector<double> scaled(r.generator), target(mid);
        for (int m = 0; m < d; ++m) { // the lattice G(z − o) is the lattice G z shifted by −G o·1
            for (int b = 0; b < d; ++b)
                target[std::size_t(m)] += r.generator[std::size_t(m * d + b)] * geo.o;
            const double w = inverseHalf[std::size_t(m)];
            target[std::size_t(m)] *= w;
            for (int b = 0; b < d; ++b)
                scaled[std::size_t(m * d + b)] *= w;
        }
        const double radius2 = d > 2 ? 3.0 : 2.0;
        const int top = (1 << r.bits) - 1;
        enumerateLatticeBall(scaled, d, target, radius2, [&](const std::vector<int>& z, double) {
            const auto p = geo.point(z);
            double off2 = 0;
            for (int m = 0; m < d; ++m)
                if (m != r.axisX && m != r.axisY)
                    off2 += (p[std::size_t(m)] - geo.offset[std::size_t(m)]) * (p[std::size_t(m)] - geo.offset[std::size_t(m)]);
            if (off2 > cover2)
                return;
            auto polygon = geo.voronoi(p, relevant);
            if (polygon.empty())
                return;
            const bool inCodebook = std::all_of(z.begin(), z.end(), [&](int v) { return v >= 0 && v <= top; });
            out.cells.push_back({ std::move(polygon), { p[std::size_t(r.axisX)], p[std::size_t(r.axisY)] },
                                  std::sqrt(off2), inCodebook });
        }, 200000);
    } catch (const Error& e) {
        out.error = e.what();
        out.cells.clear();
    }
    return out;
}

} // namespace glvq::inspect
