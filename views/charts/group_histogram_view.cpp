// SPDX-License-Identifier: GPL-3.0-or-later
#include "views/charts/group_histogram_view.h"

#include "views/charts/chart_export.h"
#include "views/charts/histogram_series.h"

#include <QChart>
#include <QChartView>
#include <QLabel>
#include <QLineSeries>
#include <QScatterSeries>
#include <QValueAxis>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <set>

namespace glvq::views {

namespace {

QChart* freshChart(QChartView* view)
{
    auto* old = view->chart();
    auto* chart = new QChart;
    chart->legend()->setAlignment(Qt::AlignBottom);
    chart->setMargins(QMargins(4, 4, 4, 4));
    view->setChart(chart);
    delete old;
    return chart;
}

void addAxes(QChart* chart, const HistogramRange& range, double peak, const QString& xTitle)
{
    auto* x = new QValueAxis;
    x->setRange(range.low, range.high);
    x->setTitleText(xTitle);
    x->setLabelFormat(QStringLiteral("%.3g"));
    auto* y = new QValueAxis;
    y->setRange(0, std::max(1e-6, peak * 1.1));
    y->setTitleText(QObject::tr("fraction"));
    y->setLabelFormat(QStringLiteral("%.3f"));
    x->applyNiceNumbers();
    y->applyNiceNumbers();
    chart->addAxis(x, Qt::AlignBottom);
    chart->addAxis(y, Qt::AlignLeft);
    for (auto* series : chart->series()) {
        series->attachAxis(x);
        series->attachAxis(y);
    }
}

} // namespace

GroupHistogramView::GroupHistogramView(QWidget* parent)
    : QWidget(parent)
    , m_values(new QChartView(this))
    , m_error(new QChartView(this))
    , m_caption(new QLabel(this))
{
    m_values->setRenderHint(QPainter::Antialiasing);
    m_error->setRenderHint(QPainter::Antialiasing);
    m_caption->setWordWrap(true);
    m_caption->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_values, 3);
    layout->addWidget(m_error, 2);
    layout->addWidget(m_caption);
    layout->addWidget(makeExportButtons(this, QStringLiteral("group-histogram"), this));
    showMessage(tr("Select a group of a quantized layer (model tree or bit map) to see its histograms."));
}

void GroupHistogramView::showMessage(const QString& message)
{
    freshChart(m_values)->setTitle(message);
    freshChart(m_error);
    m_caption->setText(QString());
}

void GroupHistogramView::setDetail(const inspect::GroupDetail& detail)
{
    fillValues(detail);
    fillError(detail);
    QString caption = tr("%1, group %2 (columns %3–%4, %5 rows): %6, %7 bits, μ = %8, scale s = %9")
                          .arg(QString::fromStdString(detail.layer))
                          .arg(detail.group)
                          .arg(detail.firstColumn)
                          .arg(detail.firstColumn + detail.columns - 1)
                          .arg(detail.rows)
                          .arg(QString::fromStdString(detail.method).toUpper())
                          .arg(detail.bits)
                          .arg(detail.mu, 0, 'g', 4)
                          .arg(detail.scale, 0, 'g', 4);
    if (!detail.missing.empty())
        caption += QStringLiteral(". ") + QString::fromStdString(detail.missing);
    m_caption->setText(caption);
}

void GroupHistogramView::fillValues(const inspect::GroupDetail& detail)
{
    QChart* chart = freshChart(m_values);
    const auto range = rangeOf({ &detail.original, &detail.companded, &detail.reconstructed }, 100);
    double peak = 0;
    auto add = [&](const std::vector<float>& values, const QString& name, const QColor& color, Qt::PenStyle style) {
        if (values.empty())
            return;
        auto* series = histogramSeries(values, range, name);
        series->setPen(QPen(color, 1.8, style));
        chart->addSeries(series);
        peak = std::max(peak, histogramPeak(values, range));
    };
    const bool normalized = detail.valuesNormalized;
    add(detail.original, normalized ? tr("before companding") : tr("original W"), QColor(31, 119, 180), Qt::SolidLine);
    if (normalized && detail.mu > 0)
        add(detail.companded, tr("after companding (F_μ)"), QColor(255, 127, 14), Qt::SolidLine);
    add(detail.reconstructed, tr("reconstructed Ŵ"), QColor(44, 160, 44),
        Qt::DashLine);
    // Quantization levels: the distinct reconstructed values when there are few (scalar grids, 1-bit lattices);
    // a lattice with a full G has too many distinct coordinates to mark, and the green histogram shows them.
    std::set<float> distinct;
    for (float v : detail.reconstructed) {
        distinct.insert(std::round(v * 1e5f) / 1e5f);
        if (distinct.size() > 64)
            break;
    }
    QString levelsNote;
    if (distinct.size() <= 64) {
        auto* levels = new QScatterSeries;
        levels->setName(tr("levels (%1)").arg(distinct.size()));
        levels->setMarkerShape(QScatterSeries::MarkerShapeRectangle);
        levels->setMarkerSize(7);
        levels->setColor(QColor(214, 39, 40));
        for (float v : distinct)
            levels->append(v, 0);
        chart->addSeries(levels);
    } else {
        levelsNote = tr(" (Ŵ: > 64 distinct values, no level marks)");
    }
    addAxes(chart, range, peak, normalized ? tr("value in units of r·s (the group's scale)") : tr("weight"));
    chart->setTitle(tr("Group weights, μ = %1, s = %2%3").arg(detail.mu, 0, 'g', 4).arg(detail.scale, 0, 'g', 4).arg(levelsNote));
}

void GroupHistogramView::fillError(const inspect::GroupDetail& detail)
{
    QChart* chart = freshChart(m_error);
    if (detail.error.empty()) {
        chart->setTitle(tr("Reconstruction error: needs the original weights (see below)"));
        return;
    }
    const auto range = rangeOf({ &detail.error }, 80);
    auto* series = histogramSeries(detail.error, range, tr("W − Ŵ"));
    series->setPen(QPen(QColor(148, 103, 189), 1.8));
    chart->addSeries(series);
    double sum2 = 0;
    for (float e : detail.error)
        sum2 += double(e) * e;
    addAxes(chart, range, histogramPeak(detail.error, range), tr("error W − Ŵ (weight units)"));
    chart->setTitle(tr("Reconstruction error, RMS %1").arg(std::sqrt(sum2 / double(detail.error.size())), 0, 'g', 4));
}

} // namespace glvq::views
