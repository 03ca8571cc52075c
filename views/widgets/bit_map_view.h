// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Layers × groups bit map with its controls: colour by bits or salience, the selected group's bits (editable),
// the edited plan's mean bits and estimated size, and a re-run with the edited bits whose perplexity is shown
// when it arrives. Owns the BitPlan. GUI thread.
#include "core/inspect/studio_types.h"
#include "views/models/bit_plan.h"

#include <QWidget>

#include <map>
#include <string>
#include <vector>

class QComboBox;
class QLabel;
class QPushButton;
class QSpinBox;

namespace glvq::views {

class BitMapCanvas;

class BitMapView : public QWidget {
    Q_OBJECT
public:
    explicit BitMapView(QWidget* parent = nullptr);

    void setLayers(const std::vector<inspect::LayerSummary>& layers);
    void updateLayer(const inspect::LayerSummary& layer);
    void select(const QString& layer, int group); // highlights without re-announcing
    void setResultText(const QString& text);       // e.g. the perplexity of the last run, with its protocol
    void setRerunEnabled(bool enabled);
    const BitPlan& plan() const { return m_plan; }
    BitMapCanvas* canvas() const { return m_canvas; }
    void editSelectedBits(int bits); // as the spin box does
    void setColorBySalience(bool salience);

Q_SIGNALS:
    void groupSelected(QString layer, int group);
    void rerunRequested(glvq::views::ExplicitBits explicitBits);

private:
    void refreshSummary();

    BitPlan m_plan;
    BitMapCanvas* m_canvas;
    QComboBox* m_coloring;
    QLabel* m_selection;
    QSpinBox* m_bits;
    QLabel* m_summary;
    QPushButton* m_rerun;
    QLabel* m_result;
    int m_layer = -1;
    int m_group = -1;
};

} // namespace glvq::views
