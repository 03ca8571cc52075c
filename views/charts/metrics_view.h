// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Metrics of the session's runs: perplexity (original and quantized) and KL per method and bits, the current
// run's per-layer errors, and throughput; every chart carries its protocol line and saves to PNG and SVG.
// Qt Charts adapter; GUI thread.
#include "core/inspect/studio_types.h"

#include <QWidget>

#include <vector>

QT_BEGIN_NAMESPACE
class QChartView;
QT_END_NAMESPACE
class QLabel;

namespace glvq::views {

class MetricsView : public QWidget {
    Q_OBJECT
public:
    explicit MetricsView(QWidget* parent = nullptr);

    void setEvaluations(const std::vector<inspect::EvalSummary>& runs); // oldest first
    // `protocol`: the run's method, bits and calibration protocol, stamped under the chart.
    void setLayers(const std::vector<inspect::LayerSummary>& layers, const QString& protocol);

private:
    QWidget* chartBox(QChartView* view, QLabel* protocol, const QString& baseName);

    QChartView* m_perplexity;
    QChartView* m_kl;
    QChartView* m_layers;
    QLabel* m_perplexityProtocol;
    QLabel* m_klProtocol;
    QLabel* m_layersProtocol;
    QLabel* m_throughput;
};

} // namespace glvq::views
