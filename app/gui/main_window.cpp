// SPDX-License-Identifier: GPL-3.0-or-later
// Construction, docks, menus, settings, drag and drop. Jobs: main_window_jobs.cpp; selection:
// main_window_selection.cpp.
#include "app/gui/main_window.h"

#include "app/gui/background_task.h"
#include "app/gui/job_runner.h"
#include "app/gui/status_probe.h"
#include "views/charts/group_histogram_view.h"
#include "views/charts/metrics_view.h"
#include "views/models/model_tree_model.h"
#include "views/widgets/bit_map_view.h"
#include "views/widgets/generator_matrix_view.h"
#include "views/widgets/lattice_view.h"
#include "views/widgets/pipeline_panel.h"

#include <QApplication>
#include <QCloseEvent>
#include <QDateTime>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QHeaderView>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QPlainTextEdit>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QStatusBar>
#include <QTimer>
#include <QTreeView>

namespace glvq::gui {

namespace {

constexpr int kMaxRecent = 8;

QDockWidget* dock(QMainWindow* window, const QString& title, const QString& name, QWidget* content)
{
    auto* d = new QDockWidget(title, window);
    d->setObjectName(name); // saveState() keys the layout by object name
    d->setWidget(content);
    return d;
}

} // namespace

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent)
    , m_jobs(new JobRunner(this))
    , m_treeModel(new views::ModelTreeModel(this))
    , m_treeProxy(new QSortFilterProxyModel(this))
    , m_tree(new QTreeView(this))
    , m_pipeline(new views::PipelinePanel(this))
    , m_log(new QPlainTextEdit(this))
    , m_histogram(new views::GroupHistogramView(this))
    , m_generator(new views::GeneratorMatrixView(this))
    , m_lattice(new views::LatticeView(this))
    , m_bitMap(new views::BitMapView(this))
    , m_metrics(new views::MetricsView(this))
    , m_deviceLabel(new QLabel(this))
    , m_memoryLabel(new QLabel(this))
    , m_modelLabel(new QLabel(tr("No model open: File ▸ Open checkpoint… (Ctrl+O), or drop a directory or .h5 here"), this))
{
    setWindowTitle(tr("GLVQ Studio"));
    setAcceptDrops(true);
    setDockNestingEnabled(true);
    m_treeProxy->setSourceModel(m_treeModel);
    m_treeProxy->setSortRole(views::ModelTreeModel::SortRole);
    m_tree->setModel(m_treeProxy);
    m_tree->setSortingEnabled(true);
    m_tree->sortByColumn(-1, Qt::AscendingOrder); // model order until the user clicks a header
    m_tree->setUniformRowHeights(true);
    m_tree->setAlternatingRowColors(true);
    m_tree->header()->setStretchLastSection(false);
    for (const auto& [column, width] : { std::pair { 0, 142 }, { 1, 84 }, { 2, 46 }, { 3, 82 }, { 4, 82 } })
        m_tree->setColumnWidth(column, width);
    m_log->setReadOnly(true);
    m_log->setMaximumBlockCount(5000);
    m_log->setPlaceholderText(tr("Job log: opening, every finished layer, evaluations, exports, errors."));
    m_pipeline->setCudaAvailable(false); // until the probe below answers
    setCentralWidget(m_bitMap);
    buildDocks();
    buildMenus();
    buildStatusBar();
    restoreSettings();

    connect(m_tree->selectionModel(), &QItemSelectionModel::currentChanged, this, &MainWindow::treeSelectionChanged);
    connect(m_bitMap, &views::BitMapView::groupSelected, this, &MainWindow::selectGroup);
    connect(m_bitMap, &views::BitMapView::rerunRequested, this,
            [this](const views::ExplicitBits& bits) { startRun(bits); });
    connect(m_pipeline, &views::PipelinePanel::runRequested, this, [this] { startRun(); });
    connect(m_pipeline, &views::PipelinePanel::cancelRequested, this, &MainWindow::cancelJob);
    connect(m_lattice, &views::LatticeView::sliceRequested, this, [this](int id, const inspect::SliceRequest& request) {
        requestSlice(id, request);
    });
    connect(m_jobs, &JobRunner::busyChanged, this, &MainWindow::refreshActions);
    connect(m_jobs, &JobRunner::logged, this, &MainWindow::appendLog);
    connect(m_jobs, &JobRunner::progressed, m_pipeline, &views::PipelinePanel::setProgress);
    connect(m_jobs, &JobRunner::progressed, this, [this](double fraction, const QString& stage) {
        statusBar()->showMessage(m_jobs->currentJob() + QStringLiteral(": ") + stage + QStringLiteral(" ")
                                 + QString::number(100.0 * fraction, 'f', 1) + QStringLiteral(" %"));
    });
    connect(m_jobs, &JobRunner::failed, this, [this](const QString& job, const QString& message) {
        m_pipeline->setProgress(0.0, job, tr("failed"), -1.0);
        showError(job, message);
    });
    connect(m_jobs, &JobRunner::cancelled, this, [this](const QString& job) {
        m_pipeline->setProgress(0.0, job, QString(), -1.0);
        appendLog(job + tr(": cancelled; the previous results are kept"));
        m_pipeline->setStatus(job + tr(" cancelled"));
        statusBar()->showMessage(job + tr(" cancelled"), 5000);
    });
    connect(m_jobs, &JobRunner::succeeded, this, [this](const QString& job, double seconds) {
        appendLog(job + tr(": done in %1 s").arg(seconds, 0, 'f', 1));
        statusBar()->showMessage(job + tr(" done"), 5000);
    });
    refreshActions();
}

MainWindow::~MainWindow() = default;

void MainWindow::buildDocks()
{
    auto* treeDock = dock(this, tr("Model"), QStringLiteral("modelDock"), m_tree);
    auto* pipelineDock = dock(this, tr("Pipeline"), QStringLiteral("pipelineDock"), m_pipeline);
    auto* logDock = dock(this, tr("Log"), QStringLiteral("logDock"), m_log);
    auto* histogramDock = dock(this, tr("Histogram"), QStringLiteral("histogramDock"), m_histogram);
    auto* generatorDock = dock(this, tr("Generator matrix"), QStringLiteral("generatorDock"), m_generator);
    auto* latticeDock = dock(this, tr("Lattice"), QStringLiteral("latticeDock"), m_lattice);
    auto* metricsDock = dock(this, tr("Metrics"), QStringLiteral("metricsDock"), m_metrics);
    addDockWidget(Qt::LeftDockWidgetArea, treeDock);
    addDockWidget(Qt::LeftDockWidgetArea, pipelineDock);
    addDockWidget(Qt::BottomDockWidgetArea, logDock);
    addDockWidget(Qt::RightDockWidgetArea, histogramDock);
    addDockWidget(Qt::RightDockWidgetArea, generatorDock);
    addDockWidget(Qt::RightDockWidgetArea, latticeDock);
    addDockWidget(Qt::RightDockWidgetArea, metricsDock);
    tabifyDockWidget(histogramDock, generatorDock);
    tabifyDockWidget(generatorDock, latticeDock);
    tabifyDockWidget(latticeDock, metricsDock);
    histogramDock->raise();
}

void MainWindow::buildMenus()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("&Open checkpoint directory…"), QKeySequence::Open, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Open checkpoint directory"));
        if (!dir.isEmpty())
            openPath(dir);
    });
    file->addAction(tr("Open exported .&h5…"), QKeySequence(tr("Ctrl+Shift+O")), this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Open exported model"), QString(), tr("GLVQ export (*.h5)"));
        if (!path.isEmpty())
            openPath(path);
    });
    m_recentMenu = file->addMenu(tr("Open &recent"));
    file->addSeparator();
    m_exportH5Action = file->addAction(tr("&Export HDF5…"), QKeySequence(tr("Ctrl+E")), this, &MainWindow::askExportHdf5);
    m_exportSafetensorsAction = file->addAction(tr("Export &dequantized safetensors…"), QKeySequence(tr("Ctrl+Shift+E")),
                                                this, &MainWindow::askExportSafetensors);
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);
    QMenu* run = menuBar()->addMenu(tr("&Run"));
    m_runAction = run->addAction(tr("&Quantize"), QKeySequence(tr("Ctrl+R")), this, [this] { startRun(); });
    m_cancelAction = run->addAction(tr("&Cancel job"), QKeySequence(Qt::Key_Escape), this, &MainWindow::cancelJob);
    QMenu* view = menuBar()->addMenu(tr("&View"));
    for (auto* d : findChildren<QDockWidget*>())
        view->addAction(d->toggleViewAction());
    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About GLVQ Studio"), QKeySequence::HelpContents, this, &MainWindow::showAbout);
}

void MainWindow::buildStatusBar()
{
    // Asking LibTorch about CUDA can initialise the driver (slow with a GPU): not on the GUI thread.
    m_deviceLabel->setText(tr("device: probing…"));
    runInBackground(this, [] { return inspect::cudaAvailable(); }, [this](std::optional<bool> cuda, const QString&) {
        m_deviceLabel->setText(deviceDescription(cuda.value_or(false)));
        m_pipeline->setCudaAvailable(cuda.value_or(false));
    });
    statusBar()->addWidget(m_modelLabel, 1);
    statusBar()->addPermanentWidget(m_deviceLabel);
    statusBar()->addPermanentWidget(m_memoryLabel);
    auto* timer = new QTimer(this);
    auto refresh = [this] { m_memoryLabel->setText(tr("memory: %1 MB").arg(residentMegabytes(), 0, 'f', 0)); };
    connect(timer, &QTimer::timeout, this, refresh);
    timer->start(2000);
    refresh();
}

void MainWindow::restoreSettings()
{
    QSettings settings;
    resize(1500, 950);
    restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
    if (!restoreState(settings.value(QStringLiteral("window/state")).toByteArray())) {
        // First start: docks wide enough for tensor names and the pipeline form (sizes apply once shown).
        QTimer::singleShot(0, this, [this] {
            auto* tree = findChild<QDockWidget*>(QStringLiteral("modelDock"));
            auto* pipeline = findChild<QDockWidget*>(QStringLiteral("pipelineDock"));
            auto* views = findChild<QDockWidget*>(QStringLiteral("histogramDock"));
            auto* log = findChild<QDockWidget*>(QStringLiteral("logDock"));
            resizeDocks({ tree, views }, { 470, 600 }, Qt::Horizontal);
            resizeDocks({ tree, pipeline }, { 380, 600 }, Qt::Vertical);
            resizeDocks({ log }, { 140 }, Qt::Vertical);
        });
    }
    rebuildRecentMenu();
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
    m_jobs->cancel();
    event->accept();
}

void MainWindow::addRecent(const QString& path)
{
    QSettings settings;
    QStringList recent = settings.value(QStringLiteral("recentFiles")).toStringList();
    recent.removeAll(path);
    recent.prepend(path);
    while (recent.size() > kMaxRecent)
        recent.removeLast();
    settings.setValue(QStringLiteral("recentFiles"), recent);
    rebuildRecentMenu();
}

void MainWindow::rebuildRecentMenu()
{
    m_recentMenu->clear();
    const QStringList recent = QSettings().value(QStringLiteral("recentFiles")).toStringList();
    for (const QString& path : recent)
        m_recentMenu->addAction(path, this, [this, path] { openPath(path); });
    m_recentMenu->setEnabled(!recent.isEmpty());
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event)
{
    if (event->mimeData()->hasUrls() && event->mimeData()->urls().first().isLocalFile())
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event)
{
    openPath(event->mimeData()->urls().first().toLocalFile());
    event->acceptProposedAction();
}

void MainWindow::showError(const QString& title, const QString& message)
{
    m_lastError = message;
    appendLog(title + QStringLiteral(": ") + message);
    Q_EMIT errorShown(message);
    if (QApplication::platformName() == QLatin1String("offscreen"))
        return; // tests and screenshot runs: nobody could close a modal dialog
    QMessageBox::warning(this, title, message);
}

void MainWindow::appendLog(const QString& line)
{
    m_log->appendPlainText(QDateTime::currentDateTime().toString(QStringLiteral("HH:mm:ss  ")) + line);
}

void MainWindow::refreshActions()
{
    const bool busy = m_jobs->isBusy();
    m_pipeline->setRunning(busy);
    m_pipeline->setCanRun(m_session != nullptr,
                          m_quantized && !m_session ? tr("An exported .h5 holds codes only: open its checkpoint "
                                                         "directory to quantize again.")
                                                    : tr("Open a checkpoint directory to quantize it."));
    m_runAction->setEnabled(!busy && m_session);
    m_cancelAction->setEnabled(busy);
    m_exportH5Action->setEnabled(!busy && m_quantized);
    m_exportSafetensorsAction->setEnabled(!busy && m_quantized);
    m_bitMap->setRerunEnabled(!busy && m_session && m_quantized);
}

void MainWindow::showAbout()
{
    QMessageBox::about(
        this, tr("About GLVQ Studio"),
        tr("<h3>GLVQ Studio %1</h3><p>Grouped lattice vector quantization of LLM weights: inspect groups, run the "
           "pipeline, compare methods, export.</p><p>Implements: Zhang, Wu, Wang, Lin. "
           "<i>Learning Grouped Lattice Vector Quantizers for Low-Bit LLM Compression.</i> NeurIPS 2025. "
           "arXiv:2510.20984.</p><p>License: GPL-3.0-or-later.</p>")
            .arg(QStringLiteral(GLVQ_VERSION)));
}

} // namespace glvq::gui
