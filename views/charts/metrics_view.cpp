// SPDX-License-Identifier: GPL-3.0-or-later
#include "views/charts/metrics_view.h"

#include "views/charts/chart_export.h"

#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QGridLayout>
#include <QLabel>
#include <QLineSeries>
#include <QValueAxis>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <set>

namespace glvq::views {

namespace {

QChart* freshChart(QChartView* view, const QString& title)
{
    auto* old = view->chart();
    auto* chart = new QChart;
    chart->setTitle(title);
    chart->legend()->setAlignment(Qt::AlignBottom);
    chart->setMargins(QMargins(4, 4, 4, 4));
    view->setChart(chart);
    delete old;
    return chart;
}

QString runLabel(const inspect::EvalSummary& run)
{
    return QString::fromStdString(run.method).toUpper() + QStringLiteral(" ") + QString::number(run.targetBits, 'g', 3)
        + QStringLiteral("b");
}

// Short category labels (the axis elides long ones): "GLVQ 2b", "GLVQ 2b (3)" for the third run of the same
// method and bits. The numbers and bits per weight of each run are in the note under the chart.
QStringList categoriesOf(const std::vector<inspect::EvalSummary>& runs)
{
    QStringList labels;
    for (std::size_t i = 0; i < runs.size(); ++i) {
        const QString label = runLabel(runs[i]);
        labels << (labels.contains(label) ? label + QStringLiteral(" (") + QString::number(i + 1) + QStringLiteral(")")
                                          : label);
    }
    return labels;
}

QString protocolsOf(const std::vector<inspect::EvalSummary>& runs)
{
    std::set<std::string> protocols;
    for (const auto& run : runs)
        protocols.insert(run.protocol);
    QString text;
    for (std::size_t i = 0; i < runs.size(); ++i)
        text += QObject::tr("run %1, %2 at %3 b/w: PPL %4 → %5, KL %6\n")
                    .arg(i + 1)
                    .arg(runLabel(runs[i]))
                    .arg(runs[i].bitsPerWeight, 0, 'f', 3)
                    .arg(runs[i].pplOriginal, 0, 'f', 3)
                    .arg(runs[i].pplQuantized, 0, 'f', 3)
                    .arg(runs[i].kl, 0, 'f', 4);
    for (const auto& p : protocols)
        text += QObject::tr("protocol: ") + QString::fromStdString(p) + QStringLiteral("\n");
    text.chop(1);
    return text;
}

void barChart(QChartView* view, const QString& title, const std::vector<inspect::EvalSummary>& runs,
              const std::vector<std::pair<QString, double inspect::EvalSummary::*>>& sets, const QString& yTitle)
{
    QChart* chart = freshChart(view, title);
    if (runs.empty()) {
        chart->setTitle(title + QObject::tr(": no evaluated run yet (set an evaluation text in the pipeline panel)"));
        return;
    }
    auto* series = new QBarSeries;
    double top = 0;
    for (const auto& [name, member] : sets) {
        auto* set = new QBarSet(name);
        for (const auto& run : runs) {
            *set << run.*member;
            top = std::max(top, run.*member);
        }
        series->append(set);
    }
    chart->addSeries(series);
    auto* x = new QBarCategoryAxis;
    x->append(categoriesOf(runs));
    QFont small = x->labelsFont();
    small.setPointSizeF(small.pointSizeF() * 0.85);
    x->setLabelsFont(small);
    auto* y = new QValueAxis;
    y->setRange(0, top * 1.15 + 1e-12);
    y->applyNiceNumbers();
    y->setTitleText(yTitle);
    chart->addAxis(x, Qt::AlignBottom);
    chart->addAxis(y, Qt::AlignLeft);
    series->attachAxis(x);
    series->attachAxis(y);
}

} // namespace

MetricsView::MetricsView(QWidget* parent)
    : QWidget(parent)
    , m_perplexity(new QChartView(this))
    , m_kl(new QChartView(this))
    , m_layers(new QChartView(this))
    , m_perplexityProtocol(new QLabel(this))
    , m_klProtocol(new QLabel(this))
    , m_layersProtocol(new QLabel(this))
    , m_throughput(new QLabel(this))
{
    auto* grid = new QGridLayout(this);
    grid->addWidget(chartBox(m_perplexity, m_perplexityProtocol, QStringLiteral("perplexity")), 0, 0);
    grid->addWidget(chartBox(m_kl, m_klProtocol, QStringLiteral("kl")), 0, 1);
    grid->addWidget(chartBox(m_layers, m_layersProtocol, QStringLiteral("layer-errors")), 1, 0, 1, 2);
    grid->addWidget(m_throughput, 2, 0, 1, 2);
    grid->setRowStretch(0, 1);
    grid->setRowStretch(1, 1);
    m_throughput->setWordWrap(true);
    setEvaluations({});
    setLayers({}, QString());
}

QWidget* MetricsView::chartBox(QChartView* view, QLabel* protocol, const QString& baseName)
{
    auto* box = new QWidget(this);
    auto* content = new QWidget(box); // what is saved: the chart and its protocol line
    auto* contentLayout = new QVBoxLayout(content);
    contentLayout->setContentsMargins(0, 0, 0, 0);
    view->setRenderHint(QPainter::Antialiasing);
    view->setMinimumSize(240, 200);
    protocol->setWordWrap(true);
    protocol->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QFont small = protocol->font();
    small.setPointSizeF(small.pointSizeF() * 0.85);
    protocol->setFont(small);
    contentLayout->addWidget(view, 1);
    contentLayout->addWidget(protocol);
    auto* layout = new QVBoxLayout(box);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(content, 1);
    layout->addWidget(makeExportButtons(content, baseName, box));
    return box;
}

void MetricsView::setEvaluations(const std::vector<inspect::EvalSummary>& runs)
{
    barChart(m_perplexity, tr("Perplexity"), runs,
             { { tr("original"), &inspect::EvalSummary::pplOriginal }, { tr("quantized"), &inspect::EvalSummary::pplQuantized } },
             tr("perplexity"));
    barChart(m_kl, tr("KL(original ‖ quantized)"), runs, { { tr("KL"), &inspect::EvalSummary::kl } }, tr("nats/token"));
    const QString protocols = protocolsOf(runs);
    m_perplexityProtocol->setText(protocols);
    m_klProtocol->setText(protocols);
    if (runs.empty()) {
        m_throughput->setText(tr("Throughput: no evaluation yet."));
        return;
    }
    const auto& last = runs.back();
    const QString tokens = last.tokensPerSecond > 0 ? tr("%1 tokens/s").arg(last.tokensPerSecond, 0, 'f', 0)
                                                    : tr("not recorded (results read from a file)");
    m_throughput->setText(tr("Throughput of the quantized model, run #%1 (%2): %3 through the evaluation forward pass, "
                             "protocol: %4. Kernel GB/s: measured only where the CUDA kernels run (bench/gpu.sh); "
                             "the device is part of the protocol.")
                              .arg(runs.size())
                              .arg(runLabel(last), tokens, QString::fromStdString(last.protocol)));
}

void MetricsView::setLayers(const std::vector<inspect::LayerSummary>& layers, const QString& protocol)
{
    QChart* chart = freshChart(m_layers, tr("Per-layer error of the current run"));
    if (layers.empty()) {
        chart->setTitle(tr("Per-layer error: no quantized layers yet"));
        m_layersProtocol->setText(QString());
        return;
    }
    auto* output = new QLineSeries;
    output->setName(tr("relative output error ‖(W−Ŵ)X‖²/‖WX‖²"));
    auto* weight = new QLineSeries;
    weight->setName(tr("weight MSE (right axis)"));
    double top = 0, hi = 0;
    for (std::size_t i = 0; i < layers.size(); ++i) {
        if (std::isfinite(layers[i].outputRelativeError)) { // NaN: not measured (e.g. RTN without calibration)
            output->append(double(i), layers[i].outputRelativeError);
            top = std::max(top, layers[i].outputRelativeError);
        }
        weight->append(double(i), layers[i].weightMse);
        hi = std::max(hi, layers[i].weightMse);
    }
    output->setPointsVisible(true);
    weight->setPointsVisible(true);
    chart->addSeries(output);
    chart->addSeries(weight);
    auto* x = new QValueAxis;
    x->setRange(-0.5, double(layers.size()) - 0.5);
    x->setLabelFormat(QStringLiteral("%d"));
    x->setTickType(QValueAxis::TicksDynamic); // a tick at the first layer of every decoder block
    x->setTickAnchor(0);
    x->setTickInterval(7);
    x->setTitleText(tr("layer in forward order (7 per decoder block)"));
    auto* yOut = new QValueAxis;
    yOut->setRange(0, top * 1.1 + 1e-12);
    yOut->applyNiceNumbers();
    yOut->setTitleText(tr("output error"));
    auto* yWeight = new QValueAxis;
    yWeight->setRange(0, hi * 1.1 + 1e-12);
    yWeight->applyNiceNumbers();
    yWeight->setLabelFormat(QStringLiteral("%.1e"));
    yWeight->setTitleText(tr("weight MSE"));
    chart->addAxis(x, Qt::AlignBottom);
    chart->addAxis(yOut, Qt::AlignLeft);
    chart->addAxis(yWeight, Qt::AlignRight);
    output->attachAxis(x);
    output->attachAxis(yOut);
    weight->attachAxis(x);
    weight->attachAxis(yWeight);
    m_layersProtocol->setText(tr("protocol: %1; %2 layers, errors on the calibration inputs").arg(protocol).arg(layers.size()));
}

} // namespace glvq::views
