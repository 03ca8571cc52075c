// SPDX-License-Identifier: GPL-3.0-or-later
#include "views/widgets/generator_matrix_view.h"

#include "core/inspect/generator_analysis.h"
#include "views/widgets/matrix_heatmap.h"

#include <QGridLayout>
#include <QLabel>

#include <algorithm>
#include <cmath>

namespace glvq::views {

namespace {

QString describe(const char* name, const inspect::GeneratorAnalysis& a)
{
    QString sigma;
    for (std::size_t i = 0; i < a.singularValues.size(); ++i)
        sigma += (i ? QStringLiteral(", ") : QString()) + QString::number(a.singularValues[i], 'g', 3);
    return QStringLiteral("<b>") + QString::fromUtf8(name) + QStringLiteral("</b>: condition number ")
        + QString::number(a.conditionNumber, 'f', 3) + QStringLiteral(", orthogonality defect ")
        + QString::number(a.orthogonalityDefect, 'f', 3) + QStringLiteral(", |det| ")
        + QString::number(a.determinant, 'g', 3) + QStringLiteral("<br>&nbsp;&nbsp;singular values: ") + sigma;
}

double maxAbs(const std::vector<double>& values)
{
    double m = 0;
    for (double v : values)
        m = std::max(m, std::abs(v));
    return m;
}

} // namespace

GeneratorMatrixView::GeneratorMatrixView(QWidget* parent)
    : QWidget(parent)
    , m_initial(new MatrixHeatmap(QStringLiteral("G₀ (before learning)"), this))
    , m_learned(new MatrixHeatmap(QStringLiteral("G (learned)"), this))
    , m_difference(new MatrixHeatmap(QStringLiteral("G − G₀ (own scale)"), this))
    , m_numbers(new QLabel(this))
{
    auto* layout = new QGridLayout(this);
    layout->addWidget(m_initial, 0, 0);
    layout->addWidget(m_learned, 0, 1);
    layout->addWidget(m_difference, 1, 0);
    layout->addWidget(m_numbers, 1, 1, Qt::AlignTop);
    m_numbers->setTextFormat(Qt::RichText);
    m_numbers->setWordWrap(true);
    m_numbers->setTextInteractionFlags(Qt::TextSelectableByMouse);
    showMessage(tr("Select a group of a quantized layer (model tree or bit map) to see its generator matrix."));
}

void GeneratorMatrixView::showMessage(const QString& message)
{
    m_initial->clear(message);
    m_learned->clear(QString());
    m_difference->clear(QString());
    m_numbers->setText(QString());
}

void GeneratorMatrixView::setDetail(const inspect::GroupDetail& detail)
{
    if (detail.generator.empty()) {
        showMessage(tr("%1 group %2 was quantized with %3, which has no learned generator matrix (GLVQ only).")
                        .arg(QString::fromStdString(detail.layer))
                        .arg(detail.group)
                        .arg(QString::fromStdString(detail.method)));
        return;
    }
    const int d = detail.dim;
    const double limit = std::max(maxAbs(detail.generator), maxAbs(detail.initialGenerator));
    m_learned->setMatrix(detail.generator, d, limit);
    QString text = QStringLiteral("%1, group %2: d = %3, %4 bits<br>")
                       .arg(QString::fromStdString(detail.layer))
                       .arg(detail.group)
                       .arg(d)
                       .arg(detail.bits);
    text += describe("learned G", inspect::analyzeGenerator(detail.generator, d));
    if (detail.initialGenerator.size() == detail.generator.size()) {
        std::vector<double> difference(detail.generator.size());
        for (std::size_t i = 0; i < difference.size(); ++i)
            difference[i] = detail.generator[i] - detail.initialGenerator[i];
        m_initial->setMatrix(detail.initialGenerator, d, limit);
        m_difference->setMatrix(difference, d, maxAbs(difference));
        text += QStringLiteral("<br>") + describe("G₀", inspect::analyzeGenerator(detail.initialGenerator, d));
    } else {
        m_initial->clear(tr("G₀ is not stored in exported files (only the learned G is)."));
        m_difference->clear(QString());
    }
    m_numbers->setText(text);
}

} // namespace glvq::views
