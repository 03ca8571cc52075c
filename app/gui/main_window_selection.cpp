// SPDX-License-Identifier: GPL-3.0-or-later
// MainWindow's group selection: one selected (layer, group) shown in the tree, the bit map and every group view.
// The group's detail and the lattice slices are computed on the thread pool; the latest request wins.
#include "app/gui/main_window.h"

#include "app/gui/background_task.h"
#include "views/charts/group_histogram_view.h"
#include "views/models/model_tree_model.h"
#include "views/widgets/bit_map_view.h"
#include "views/widgets/generator_matrix_view.h"
#include "views/widgets/lattice_view.h"

#include <QSortFilterProxyModel>
#include <QTreeView>

namespace glvq::gui {

void MainWindow::treeSelectionChanged()
{
    const QModelIndex current = m_tree->currentIndex();
    const QString layer = current.data(views::ModelTreeModel::TensorNameRole).toString();
    if (layer.isEmpty())
        return;
    const int group = std::max(0, current.data(views::ModelTreeModel::GroupIndexRole).toInt());
    if (layer != m_selectedLayer || group != m_selectedGroup)
        selectGroup(layer, group);
}

void MainWindow::selectGroup(const QString& layer, int group)
{
    m_selectedLayer = layer;
    m_selectedGroup = group;
    m_bitMap->select(layer, group);
    const QModelIndex source = m_treeModel->indexFor(layer, group);
    if (source.isValid()) {
        const QModelIndex proxy = m_treeProxy->mapFromSource(source);
        if (proxy != m_tree->currentIndex()) {
            const QSignalBlocker blocker(m_tree->selectionModel());
            m_tree->setCurrentIndex(proxy);
            m_tree->scrollTo(proxy);
        }
    }
    requestDetail();
}

void MainWindow::requestDetail()
{
    const auto& layers = m_pendingLayers.empty() ? m_layers : m_pendingLayers;
    const auto it = std::find_if(layers.begin(), layers.end(), [this](const inspect::LayerOutcome& l) {
        return QString::fromStdString(l.summary.name) == m_selectedLayer;
    });
    if (it == layers.end()) {
        const QString why = hasModel() ? tr("%1 is not quantized yet: run the pipeline (Ctrl+R).").arg(m_selectedLayer)
                                       : tr("No model open.");
        m_detail.reset();
        m_histogram->showMessage(why);
        m_generator->showMessage(why);
        m_lattice->showMessage(why);
        return;
    }
    const int id = ++m_detailRequest;
    auto layer = it->layer;
    auto session = m_session; // keeps the original weights alive while the detail is computed
    const int group = m_selectedGroup;
    runInBackground(
        this, [session, layer, group] { return inspect::groupDetail(session.get(), *layer, group); },
        [this, id](std::optional<inspect::GroupDetail> detail, const QString& error) {
            if (id != m_detailRequest)
                return;
            if (!detail) {
                showError(tr("Group"), error);
                return;
            }
            showDetail(*detail);
        });
}

void MainWindow::showDetail(const inspect::GroupDetail& detail)
{
    m_detail = detail;
    m_histogram->setDetail(detail);
    m_generator->setDetail(detail);
    m_lattice->setDetail(detail);
    Q_EMIT groupDetailShown();
}

void MainWindow::requestSlice(int id, const inspect::SliceRequest& request)
{
    runInBackground(
        this, [request] { return inspect::sliceLattice(request); },
        [this, id](std::optional<inspect::LatticeSlice> slice, const QString& error) {
            inspect::LatticeSlice shown = slice ? *slice : inspect::LatticeSlice {};
            if (!slice)
                shown.error = error.toStdString();
            m_lattice->setSlice(id, shown);
        });
}

} // namespace glvq::gui
