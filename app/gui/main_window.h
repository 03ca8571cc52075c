// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The glvq-studio main window: the model tree, the pipeline panel and log, and the five group views as dockable
// panels (layout kept in QSettings); opening (dialog, drag and drop, recent files, command line), running,
// evaluating and exporting through the JobRunner; a group selected anywhere is shown in every view.
// GUI thread only. Results of a cancelled or failed run are dropped and the previous ones shown again.
#include "core/inspect/group_detail.h"
#include "core/inspect/lattice_slice.h"
#include "core/inspect/studio_engine.h"
#include "views/models/bit_plan.h"

#include <QMainWindow>
#include <QString>

#include <memory>
#include <optional>
#include <vector>

class QLabel;
class QPlainTextEdit;
class QSortFilterProxyModel;
class QTreeView;
class QMenu;

namespace glvq::views {
class BitMapView;
class GeneratorMatrixView;
class GroupHistogramView;
class LatticeView;
class MetricsView;
class ModelTreeModel;
class PipelinePanel;
} // namespace glvq::views

namespace glvq::gui {

class JobRunner;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    // Opens a checkpoint directory or an exported .h5 in the background; errors go to a dialog.
    void openPath(const QString& path);
    void startRun(const std::optional<views::ExplicitBits>& explicitBits = std::nullopt);
    void cancelJob();
    void selectGroup(const QString& layer, int group);
    void exportHdf5To(const QString& path, bool force);
    void exportSafetensorsTo(const QString& dir, bool force);

    // For tests and screenshots.
    JobRunner* jobs() const { return m_jobs; }
    views::PipelinePanel* pipelinePanel() const { return m_pipeline; }
    views::ModelTreeModel* treeModel() const { return m_treeModel; }
    QTreeView* treeView() const { return m_tree; }
    views::GroupHistogramView* histogramView() const { return m_histogram; }
    views::GeneratorMatrixView* generatorView() const { return m_generator; }
    views::LatticeView* latticeView() const { return m_lattice; }
    views::BitMapView* bitMapView() const { return m_bitMap; }
    views::MetricsView* metricsView() const { return m_metrics; }
    QPlainTextEdit* logView() const { return m_log; }
    const std::vector<inspect::LayerOutcome>& layers() const { return m_layers; }
    const std::vector<inspect::EvalSummary>& evaluations() const { return m_evaluations; }
    bool hasModel() const { return m_session || m_quantized; }
    bool hasGroupDetail() const { return m_detail.has_value(); }
    QString lastError() const { return m_lastError; }

Q_SIGNALS:
    void groupDetailShown(); // every view shows the selected group
    void errorShown(QString message);

protected:
    void closeEvent(QCloseEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    void buildDocks();
    void buildMenus();
    void buildStatusBar();
    void restoreSettings();
    void addRecent(const QString& path);
    void rebuildRecentMenu();
    void showError(const QString& title, const QString& message);
    void appendLog(const QString& line);
    void applyOpened(inspect::OpenResult opened);
    void showLayers(const std::vector<inspect::LayerOutcome>& layers);
    void layerArrived(const inspect::LayerOutcome& layer);
    void refreshActions();
    void requestDetail();
    void requestSlice(int id, const inspect::SliceRequest& request);
    void showDetail(const inspect::GroupDetail& detail);
    void treeSelectionChanged();
    void askExportHdf5();
    void askExportSafetensors();
    void showAbout();

    JobRunner* m_jobs;
    views::ModelTreeModel* m_treeModel;
    QSortFilterProxyModel* m_treeProxy;
    QTreeView* m_tree;
    views::PipelinePanel* m_pipeline;
    QPlainTextEdit* m_log;
    views::GroupHistogramView* m_histogram;
    views::GeneratorMatrixView* m_generator;
    views::LatticeView* m_lattice;
    views::BitMapView* m_bitMap;
    views::MetricsView* m_metrics;
    QLabel* m_deviceLabel;
    QLabel* m_memoryLabel;
    QLabel* m_modelLabel;
    QMenu* m_recentMenu = nullptr;
    QAction* m_runAction = nullptr;
    QAction* m_cancelAction = nullptr;
    QAction* m_exportH5Action = nullptr;
    QAction* m_exportSafetensorsAction = nullptr;

    inspect::ModelSummary m_summary;
    std::shared_ptr<inspect::ModelSession> m_session;
    std::shared_ptr<const inspect::QuantizedModel> m_quantized; // current result (run or .h5)
    std::vector<inspect::LayerOutcome> m_layers;                 // of m_quantized
    std::vector<inspect::LayerOutcome> m_pendingLayers;          // of the running job
    std::vector<inspect::EvalSummary> m_evaluations;
    std::optional<inspect::EvalSummary> m_currentEvaluation;     // of m_quantized
    QString m_openedDevice;
    QString m_selectedLayer;
    int m_selectedGroup = -1;
    int m_detailRequest = 0;
    std::optional<inspect::GroupDetail> m_detail;
    QString m_lastError;
};

} // namespace glvq::gui
