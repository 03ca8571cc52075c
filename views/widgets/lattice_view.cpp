// SPDX-License-Identifier: GPL-3.0-or-later
#include "views/widgets/lattice_view.h"

#include "views/widgets/lattice_canvas.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>
#include <QTimer>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace glvq::views {

LatticeView::LatticeView(QWidget* parent)
    : QWidget(parent)
    , m_canvas(new LatticeCanvas(this))
    , m_axisX(new QSpinBox(this))
    , m_axisY(new QSpinBox(this))
    , m_info(new QLabel(this))
    , m_panZoomSettled(new QTimer(this))
{
    auto* controls = new QHBoxLayout;
    controls->addWidget(new QLabel(tr("Plane: coordinate"), this));
    controls->addWidget(m_axisX);
    controls->addWidget(new QLabel(tr("against coordinate"), this));
    controls->addWidget(m_axisY);
    auto* reset = new QPushButton(tr("Reset view"), this);
    controls->addWidget(reset);
    controls->addStretch();
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(controls);
    layout->addWidget(m_canvas, 1);
    layout->addWidget(m_info);
    m_info->setWordWrap(true);
    m_axisX->setRange(0, 1);
    m_axisY->setRange(0, 1);
    m_axisY->setValue(1);
    m_axisX->setToolTip(tr("first coordinate of the sub-vectors spanning the plane"));
    m_axisY->setToolTip(tr("second coordinate of the sub-vectors spanning the plane"));
    connect(m_axisX, &QSpinBox::valueChanged, this, &LatticeView::axesChanged);
    connect(m_axisY, &QSpinBox::valueChanged, this, &LatticeView::axesChanged);
    connect(reset, &QPushButton::clicked, this, [this] { m_canvas->resetView(m_fitHalfWidth); });
    m_panZoomSettled->setSingleShot(true);
    m_panZoomSettled->setInterval(80);
    connect(m_panZoomSettled, &QTimer::timeout, this, &LatticeView::requestSlice);
    connect(m_canvas, &LatticeCanvas::windowChanged, m_panZoomSettled, qOverload<>(&QTimer::start));
    showMessage(tr("Select a group quantized with GLVQ to see its lattice."));
}

QString LatticeView::infoText() const { return m_info->text(); }

void LatticeView::showMessage(const QString& message)
{
    m_detail = {};
    m_canvas->setMessage(message);
    m_info->setText(QString());
}

void LatticeView::setDetail(const inspect::GroupDetail& detail)
{
    if (detail.generator.empty() || detail.dim < 2) {
        showMessage(tr("%1 group %2 was quantized with %3: no lattice generator to draw (GLVQ only).")
                        .arg(QString::fromStdString(detail.layer))
                        .arg(detail.group)
                        .arg(QString::fromStdString(detail.method)));
        return;
    }
    m_detail = detail;
    m_info->setText(tr("%1 group %2: computing the lattice slice…").arg(QString::fromStdString(detail.layer)).arg(detail.group));
    const QSignalBlocker bx(m_axisX), by(m_axisY);
    m_axisX->setRange(0, detail.dim - 1);
    m_axisY->setRange(0, detail.dim - 1);
    if (m_axisX->value() == m_axisY->value())
        m_axisY->setValue((m_axisX->value() + 1) % detail.dim);
    m_axisX->setEnabled(detail.dim > 2);
    m_axisY->setEnabled(detail.dim > 2);
    axesChanged();
    // Fit the decoded points and nearly all sub-vectors (the 99th percentile of |coordinate|: outliers would
    // shrink the cells to dots).
    std::vector<float> magnitudes;
    for (const auto* values : { &detail.companded, &detail.latticePoints })
        for (float v : *values)
            magnitudes.push_back(std::abs(v));
    double extent = 0.5;
    if (!magnitudes.empty()) {
        const auto at = magnitudes.begin() + std::ptrdiff_t(0.99 * double(magnitudes.size() - 1));
        std::nth_element(magnitudes.begin(), at, magnitudes.end());
        extent = std::max(1e-3, double(*at));
    }
    m_fitHalfWidth = 1.25 * extent;
    m_canvas->resetView(m_fitHalfWidth);
}

void LatticeView::axesChanged()
{
    const int d = m_detail.dim;
    if (d < 2)
        return;
    int ax = m_axisX->value(), ay = m_axisY->value();
    if (ax == ay) {
        const QSignalBlocker by(m_axisY);
        ay = (ax + 1) % d;
        m_axisY->setValue(ay);
    }
    // Sub-vector k of row i holds coordinates k·d .. k·d + d − 1 of the group's row (glvq_codes.h).
    const auto& source = m_detail.companded;
    const auto& decoded = m_detail.latticePoints;
    std::vector<QPointF> subvectors, points;
    const std::size_t count = decoded.size() / std::size_t(d);
    for (std::size_t s = 0; s < count; ++s) {
        const std::size_t base = s * std::size_t(d);
        points.emplace_back(decoded[base + std::size_t(ax)], decoded[base + std::size_t(ay)]);
        if (!source.empty())
            subvectors.emplace_back(source[base + std::size_t(ax)], source[base + std::size_t(ay)]);
    }
    m_canvas->setPoints(std::move(subvectors), std::move(points));
    const QString unit = QStringLiteral(" of F_μ(w / (r·s))");
    m_canvas->setAxisLabels(QStringLiteral("coordinate ") + QString::number(ax) + unit,
                            QStringLiteral("coordinate ") + QString::number(ay) + unit);
    requestSlice();
}

void LatticeView::requestSlice()
{
    if (m_detail.dim < 2)
        return;
    const QRectF window = m_canvas->visibleWindow();
    inspect::SliceRequest request;
    request.generator = m_detail.generator;
    request.dim = m_detail.dim;
    request.bits = m_detail.bits;
    request.axisX = m_axisX->value();
    request.axisY = m_axisY->value();
    request.xMin = window.left();
    request.xMax = window.right();
    request.yMin = window.top();
    request.yMax = window.bottom();
    request.babaiAt = { window.center().x(), window.center().y() };
    Q_EMIT sliceRequested(++m_requestId, request);
}

void LatticeView::setSlice(int id, const inspect::LatticeSlice& slice)
{
    if (id != m_requestId)
        return;
    m_canvas->setSlice(slice);
    QString text = tr("%1 group %2: d = %3, %4 bits, μ = %5. ")
                       .arg(QString::fromStdString(m_detail.layer))
                       .arg(m_detail.group)
                       .arg(m_detail.dim)
                       .arg(m_detail.bits)
                       .arg(m_detail.mu, 0, 'f', 3);
    if (m_detail.dim > 2)
        text += tr("Slice through coordinates %1, %2 and the lattice point nearest 0: cells are exact sections of "
                   "the %3-D Voronoi cells; points are projections of all sub-vectors. ")
                    .arg(m_axisX->value())
                    .arg(m_axisY->value())
                    .arg(m_detail.dim);
    text += slice.error.empty() ? tr("%1 Voronoi-relevant vectors, %2 cells in view. Babai cell shown around the "
                                     "lattice point nearest the view's centre; drag to pan, wheel to zoom.")
                                      .arg(slice.relevantVectors)
                                      .arg(slice.cells.size())
                                : QString::fromStdString(slice.error);
    if (m_detail.companded.empty())
        text += QStringLiteral(" ") + QString::fromStdString(m_detail.missing);
    m_info->setText(text);
}

} // namespace glvq::views
