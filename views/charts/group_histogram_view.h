// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The selected group's value histograms: weights before companding (w / (r·s)) and after (F_μ), with the
// reconstructed values and the quantization levels marked, μ and scale in the title; below, the histogram of the
// reconstruction error W − Ŵ. Qt Charts adapter; GUI thread.
#include "core/inspect/group_detail.h"

#include <QWidget>

QT_BEGIN_NAMESPACE
class QChart;
class QChartView;
QT_END_NAMESPACE
class QLabel;

namespace glvq::views {

class GroupHistogramView : public QWidget {
    Q_OBJECT
public:
    explicit GroupHistogramView(QWidget* parent = nullptr);

    void setDetail(const inspect::GroupDetail& detail);
    void showMessage(const QString& message);

private:
    void fillValues(const inspect::GroupDetail& detail);
    void fillError(const inspect::GroupDetail& detail);

    QChartView* m_values;
    QChartView* m_error;
    QLabel* m_caption;
};

} // namespace glvq::views
