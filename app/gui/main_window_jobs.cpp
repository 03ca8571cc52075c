// SPDX-License-Identifier: GPL-3.0-or-later
// MainWindow's jobs: open, quantize (+ evaluate), export. Each runs on the JobRunner's thread; results come back
// through post() as values and are applied here on the GUI thread.
#include "app/gui/main_window.h"

#include "app/gui/job_runner.h"
#include "core/util/error.h"
#include "views/charts/metrics_view.h"
#include "views/models/model_tree_model.h"
#include "views/widgets/bit_map_view.h"
#include "views/widgets/pipeline_panel.h"

#include <QDir>

#include <cmath>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QMessageBox>
#include <QStatusBar>
#include <QTreeView>

namespace glvq::gui {

namespace {

std::vector<inspect::LayerSummary> summariesOf(const std::vector<inspect::LayerOutcome>& layers)
{
    std::vector<inspect::LayerSummary> out;
    for (const auto& layer : layers)
        out.push_back(layer.summary);
    return out;
}

QString layerLine(const inspect::LayerSummary& s)
{
    return QStringLiteral("  %1  %2×%3  %4 b/w  w-mse %5  out-err %6  %7 s")
        .arg(QString::fromStdString(s.name))
        .arg(s.rows)
        .arg(s.cols)
        .arg(s.bitsPerWeight, 0, 'f', 3)
        .arg(s.weightMse, 0, 'e', 3)
        .arg(std::isfinite(s.outputRelativeError) ? QString::number(s.outputRelativeError, 'f', 4) : QStringLiteral("n/a"))
        .arg(s.seconds, 0, 'f', 1);
}

} // namespace

void MainWindow::openPath(const QString& path)
{
    if (m_jobs->isBusy()) {
        showError(tr("Open"), tr("a job is running (%1): cancel it first").arg(m_jobs->currentJob()));
        return;
    }
    const std::string device = m_pipeline->device().toStdString();
    appendLog(tr("opening %1 on %2").arg(path, m_pipeline->device()));
    m_jobs->start(tr("Open %1").arg(QFileInfo(path).fileName()), [this, path, device](const JobContext& job) {
        auto opened = std::make_shared<inspect::OpenResult>(
            inspect::openModel(path.toStdString(), device, job.progress, job.cancel));
        job.post([this, opened, path, device] {
            m_openedDevice = QString::fromStdString(device);
            addRecent(path);
            applyOpened(std::move(*opened));
        });
    });
}

void MainWindow::applyOpened(inspect::OpenResult opened)
{
    m_summary = opened.summary;
    m_session = opened.session;
    m_quantized = opened.quantized;
    m_layers = opened.layers;
    m_evaluations = opened.evaluations;
    m_currentEvaluation.reset();
    if (!m_evaluations.empty())
        m_currentEvaluation = m_evaluations.back();
    m_selectedLayer.clear();
    m_selectedGroup = -1;
    m_detail.reset();
    m_treeModel->setModel(m_summary);
    showLayers(m_layers);
    m_metrics->setEvaluations(m_evaluations);
    const QString name = QString::fromStdString(m_summary.path.filename().string());
    setWindowTitle(name + QStringLiteral(" — GLVQ Studio"));
    m_modelLabel->setText(name + QStringLiteral(": ") + QString::fromStdString(m_summary.description));
    appendLog(tr("opened %1: %2 (%3)").arg(name, QString::fromStdString(m_summary.description),
                                           QString::fromStdString(m_summary.device)));
    m_tree->expandToDepth(0);
    refreshActions();
}

void MainWindow::showLayers(const std::vector<inspect::LayerOutcome>& layers)
{
    const auto summaries = summariesOf(layers);
    m_treeModel->setLayerResults(summaries);
    m_tree->expandToDepth(0);
    m_bitMap->setLayers(summaries);
    m_metrics->setLayers(summaries,
                         m_quantized ? QString::fromStdString(inspect::protocolOf(*m_quantized)) : QString());
}

void MainWindow::layerArrived(const inspect::LayerOutcome& layer)
{
    m_pendingLayers.push_back(layer);
    m_treeModel->setLayerResult(layer.summary);
    m_bitMap->updateLayer(layer.summary);
    if (m_pendingLayers.size() % 7 == 0) // per decoder block: rebuilding a chart per layer costs the GUI thread
        m_metrics->setLayers(summariesOf(m_pendingLayers), tr("run in progress"));
    appendLog(layerLine(layer.summary));
}

void MainWindow::startRun(const std::optional<views::ExplicitBits>& explicitBits)
{
    if (!m_session) {
        showError(tr("Quantize"), tr("no checkpoint open: open a checkpoint directory first"));
        return;
    }
    if (m_jobs->isBusy())
        return;
    // The job gets copies: later edits in the panel do not touch a running job.
    pipeline::PipelineOptions options = m_pipeline->options();
    if (explicitBits)
        options.explicitBits = *explicitBits;
    try {
        options.validate();
    } catch (const std::exception& e) {
        showError(tr("Quantize"), QString::fromUtf8(e.what()));
        return;
    }
    const views::EvaluationSettings evaluation = m_pipeline->evaluation();
    const QString device = m_pipeline->device();
    const bool reload = device != m_openedDevice;
    const std::filesystem::path modelDir = inspect::modelDirectoryOf(*m_session);
    auto session = m_session;
    m_pendingLayers.clear();
    m_bitMap->setLayers({});
    m_treeModel->clearResults();
    appendLog(tr("quantize: %1 at %2 bits, d %3, group %4, %5 calibration windows of %6 tokens, seed %7%8")
                  .arg(QString::fromStdString(options.method))
                  .arg(options.bits)
                  .arg(options.dim)
                  .arg(options.groupSize)
                  .arg(options.samples)
                  .arg(options.ctx)
                  .arg(options.seed)
                  .arg(explicitBits ? tr(", edited bit map") : QString()));
    m_jobs->start(tr("Quantize"), [this, options, evaluation, device, reload, modelDir, session](const JobContext& job) mutable {
        if (reload) {
            job.log(tr("loading the checkpoint on %1").arg(device));
            auto opened = inspect::openModel(modelDir, device.toStdString(), job.progress, job.cancel);
            session = opened.session;
            job.post([this, session, device] {
                m_session = session;
                m_openedDevice = device;
            });
        }
        auto result = inspect::quantizeModel(*session, options, job.progress, job.cancel,
                                             [&](const inspect::LayerOutcome& layer) {
                                                 job.post([this, layer] { layerArrived(layer); });
                                             });
        std::optional<inspect::EvalSummary> evaluated;
        if (evaluation.enabled) {
            job.log(tr("evaluating on %1 at ctx %2").arg(evaluation.textPath).arg(evaluation.ctx));
            evaluated = inspect::evaluateQuantized(*session, *result, evaluation.textPath.toStdString(), evaluation.ctx,
                                                   evaluation.maxWindows, job.progress, job.cancel);
        }
        job.post([this, result, evaluated] {
            m_quantized = result;
            m_layers = inspect::layersOf(*result);
            m_pendingLayers.clear();
            m_currentEvaluation = evaluated;
            showLayers(m_layers);
            if (evaluated) {
                m_evaluations.push_back(*evaluated);
                m_metrics->setEvaluations(m_evaluations);
                const QString text = tr("%1 at %2 b/w: PPL %3 (original %4), KL %5 — protocol: %6")
                                         .arg(QString::fromStdString(evaluated->method).toUpper())
                                         .arg(evaluated->bitsPerWeight, 0, 'f', 3)
                                         .arg(evaluated->pplQuantized, 0, 'f', 3)
                                         .arg(evaluated->pplOriginal, 0, 'f', 3)
                                         .arg(evaluated->kl, 0, 'f', 4)
                                         .arg(QString::fromStdString(evaluated->protocol));
                appendLog(text);
                m_bitMap->setResultText(text);
            }
            if (!m_selectedLayer.isEmpty())
                selectGroup(m_selectedLayer, m_selectedGroup);
            refreshActions();
        });
    });
    // A cancelled or failed run shows the previous results again.
    auto restore = std::make_shared<QMetaObject::Connection>();
    auto restoreFailed = std::make_shared<QMetaObject::Connection>();
    auto undo = [this, restore, restoreFailed] {
        QObject::disconnect(*restore);
        QObject::disconnect(*restoreFailed);
        m_pendingLayers.clear();
        showLayers(m_layers);
        if (!m_selectedLayer.isEmpty()) // the views may show a layer of the dropped run
            selectGroup(m_selectedLayer, m_selectedGroup);
    };
    *restore = connect(m_jobs, &JobRunner::cancelled, this, undo);
    *restoreFailed = connect(m_jobs, &JobRunner::failed, this, undo);
    connect(m_jobs, &JobRunner::succeeded, this, [restore, restoreFailed] {
        QObject::disconnect(*restore);
        QObject::disconnect(*restoreFailed);
    }, Qt::SingleShotConnection);
}

void MainWindow::cancelJob()
{
    if (m_jobs->isBusy()) {
        appendLog(tr("cancelling %1…").arg(m_jobs->currentJob()));
        m_jobs->cancel();
    }
}

void MainWindow::askExportHdf5()
{
    // The dialog asks before replacing an existing file; only then is the export allowed to replace it.
    const QString path = QFileDialog::getSaveFileName(this, tr("Export HDF5"), QString(), tr("GLVQ export (*.h5)"));
    if (!path.isEmpty())
        exportHdf5To(path, QFileInfo::exists(path));
}

void MainWindow::askExportSafetensors()
{
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Export dequantized safetensors into directory"));
    if (dir.isEmpty())
        return;
    bool force = false;
    if (!QDir(dir).isEmpty()) {
        force = QMessageBox::question(this, tr("Export"), tr("%1 is not empty. Replace its contents?").arg(dir))
            == QMessageBox::Yes;
        if (!force)
            return;
    }
    exportSafetensorsTo(dir, force);
}

void MainWindow::exportHdf5To(const QString& path, bool force)
{
    if (!m_quantized || m_jobs->isBusy())
        return;
    auto model = m_quantized;
    auto session = m_session;
    auto evaluation = m_currentEvaluation;
    // A busy bar while the checkpoint's tensors are gathered; the writer then reports its fraction and ETA.
    m_pipeline->setIndeterminate(tr("export: writing %1").arg(path));
    m_jobs->start(tr("Export HDF5"), [this, model, session, evaluation, path, force](const JobContext& job) {
        if (!force && QFileInfo::exists(path)) // replacing needs the user's yes in the save dialog
            throw Error(path.toStdString() + ": file exists; not replaced");
        const auto written = inspect::exportHdf5(*model, session.get(), evaluation ? &*evaluation : nullptr,
                                                 path.toStdString(), force, job.cancel, job.progress);
        job.progress({ 1.0, "export", "written", 0.0, 0.0 });
        job.log(tr("exported %1: %2 bytes, %3 bits per quantized weight (codes %4, side %5)")
                    .arg(path)
                    .arg(written.fileBytes)
                    .arg(written.fileBitsPerQuantizedWeight, 0, 'f', 4)
                    .arg(written.codeBitsPerWeight, 0, 'f', 4)
                    .arg(written.sideBitsPerWeight, 0, 'f', 4));
    });
}

void MainWindow::exportSafetensorsTo(const QString& dir, bool force)
{
    if (!m_quantized || m_jobs->isBusy())
        return;
    auto model = m_quantized;
    auto session = m_session;
    m_pipeline->setIndeterminate(tr("export: decoding every layer into %1").arg(dir));
    m_jobs->start(tr("Export safetensors"), [model, session, dir, force](const JobContext& job) {
        inspect::exportDequantized(*model, session.get(), dir.toStdString(), "BF16", force, job.cancel, job.progress);
        job.progress({ 1.0, "dequantize", "written", 0.0, 0.0 });
        job.log(QObject::tr("exported dequantized bf16 checkpoint to %1").arg(dir));
    });
}

} // namespace glvq::gui
