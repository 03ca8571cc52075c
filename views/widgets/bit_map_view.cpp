// SPDX-License-Identifier: GPL-3.0-or-later
#include "views/widgets/bit_map_view.h"

#include "views/widgets/bit_map_canvas.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

namespace glvq::views {

BitMapView::BitMapView(QWidget* parent)
    : QWidget(parent)
    , m_canvas(new BitMapCanvas(m_plan, this))
    , m_coloring(new QComboBox(this))
    , m_selection(new QLabel(tr("no group selected"), this))
    , m_bits(new QSpinBox(this))
    , m_summary(new QLabel(this))
    , m_rerun(new QPushButton(tr("Re-run with these bits"), this))
    , m_result(new QLabel(this))
{
    m_coloring->addItems({ tr("Colour by bits"), tr("Colour by salience") });
    m_bits->setRange(1, 4);
    m_bits->setSuffix(tr(" bits"));
    m_bits->setEnabled(false);
    m_bits->setToolTip(tr("bits of the selected group; edited groups are marked ◥"));
    m_rerun->setEnabled(false);
    m_rerun->setToolTip(tr("quantize again with exactly these per-group bits, then measure perplexity"));
    m_result->setWordWrap(true);
    m_result->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* controls = new QHBoxLayout;
    controls->addWidget(m_coloring);
    controls->addSpacing(12);
    controls->addWidget(m_selection, 1);
    controls->addWidget(m_bits);
    auto* plan = new QHBoxLayout;
    plan->addWidget(m_summary, 1);
    plan->addWidget(m_rerun);
    m_summary->setWordWrap(true);
    m_selection->setMinimumWidth(60);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(controls);
    layout->addLayout(plan);
    layout->addWidget(m_canvas, 1);
    layout->addWidget(m_result);
    connect(m_coloring, &QComboBox::currentIndexChanged, this, [this](int index) {
        m_canvas->setColoring(index == 0 ? BitMapCanvas::Coloring::Bits : BitMapCanvas::Coloring::Salience);
    });
    connect(m_canvas, &BitMapCanvas::cellClicked, this, [this](int layer, int group) {
        const QString name = QString::fromStdString(m_plan.layer(layer).name);
        select(name, group);
        Q_EMIT groupSelected(name, group);
    });
    connect(m_bits, &QSpinBox::valueChanged, this, &BitMapView::editSelectedBits);
    connect(m_rerun, &QPushButton::clicked, this, [this] { Q_EMIT rerunRequested(m_plan.explicitBits()); });
    refreshSummary();
}

void BitMapView::setLayers(const std::vector<inspect::LayerSummary>& layers)
{
    m_plan.setLayers(layers);
    m_layer = m_group = -1;
    m_bits->setEnabled(false);
    m_selection->setText(tr("no group selected"));
    m_canvas->setSelected(-1, -1);
    m_canvas->planChanged();
    refreshSummary();
}

void BitMapView::updateLayer(const inspect::LayerSummary& layer)
{
    m_plan.updateLayer(layer);
    m_canvas->planChanged();
    refreshSummary();
}

void BitMapView::select(const QString& layer, int group)
{
    m_layer = m_plan.layerIndex(layer.toStdString());
    m_group = m_layer >= 0 && group < m_plan.groupCount(m_layer) ? group : -1;
    if (m_group < 0)
        m_layer = -1;
    m_canvas->setSelected(m_layer, m_group);
    m_bits->setEnabled(m_layer >= 0);
    if (m_layer < 0) {
        m_selection->setText(tr("no group selected"));
        return;
    }
    m_selection->setText(layer + tr(", group ") + QString::number(group) + QStringLiteral(":"));
    const QSignalBlocker blocker(m_bits);
    m_bits->setValue(m_plan.bits(m_layer, m_group));
}

void BitMapView::editSelectedBits(int bits)
{
    if (m_layer < 0)
        return;
    m_plan.setBits(m_layer, m_group, bits);
    const QSignalBlocker blocker(m_bits);
    m_bits->setValue(m_plan.bits(m_layer, m_group));
    m_canvas->planChanged();
    refreshSummary();
}

void BitMapView::setColorBySalience(bool salience) { m_coloring->setCurrentIndex(salience ? 1 : 0); }

void BitMapView::setResultText(const QString& text) { m_result->setText(text); }

void BitMapView::setRerunEnabled(bool enabled) { m_rerun->setEnabled(enabled && m_plan.layerCount() > 0); }

void BitMapView::refreshSummary()
{
    if (m_plan.layerCount() == 0) {
        m_summary->setText(QString());
        return;
    }
    m_summary->setText(tr("mean code bits %1 · quantized layers ≈ %2 MB%3")
                           .arg(m_plan.meanCodeBits(), 0, 'f', 3)
                           .arg(m_plan.estimatedBytes() / 1e6, 0, 'f', 3)
                           .arg(m_plan.hasEdits() ? tr(" (edited)") : QString()));
}

} // namespace glvq::views
