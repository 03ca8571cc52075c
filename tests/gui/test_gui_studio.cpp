// SPDX-License-Identifier: GPL-3.0-or-later
// The real glvq-studio window, offscreen, on debian-llama-16m from ../shared/fixtures: open (also bad input),
// quantize through the job runner with a timer probe on the event loop, inspect a group in every view (each
// grabbed to a PNG in the build directory), edit the bit map and re-run, cancel a run, export, open the export.
// GLVQ_SCREENSHOT_DIR=DIR also writes the views there, after a full 2-bit GLVQ run (the README's screenshots).
#include "app/gui/job_runner.h"
#include "app/gui/main_window.h"
#include "tests/support/fixtures.h"
#include "views/charts/chart_export.h"
#include "views/charts/group_histogram_view.h"
#include "views/charts/metrics_view.h"
#include "views/models/model_tree_model.h"
#include "views/widgets/bit_map_view.h"
#include "views/widgets/generator_matrix_view.h"
#include "views/widgets/lattice_view.h"
#include "views/widgets/pipeline_panel.h"

#include <QAbstractItemModelTester>
#include <QDockWidget>
#include <QElapsedTimer>
#include <QFile>
#include <QPlainTextEdit>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTreeView>
#include <QtTest>

#include <fstream>

using glvq::gui::JobRunner;
using glvq::gui::MainWindow;

namespace {

const bool kFull = !qEnvironmentVariableIsEmpty("GLVQ_SCREENSHOT_DIR");

QString fixture(const char* name) { return QString::fromStdString(glvq::test::fixturePath(name).string()); }

// The calling thread's time on the CPU and waiting in the OS's runqueue (ready to run while the OS ran something
// else), in ns, from /proc/thread-self/schedstat ("cpu-ns runqueue-ns slices").
struct SchedStat {
    qint64 cpu = 0;
    qint64 runqueue = 0;
};
SchedStat schedStat()
{
    QFile file(QStringLiteral("/proc/thread-self/schedstat"));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    const auto fields = file.readAll().split(' ');
    return fields.size() >= 2 ? SchedStat { fields[0].toLongLong(), fields[1].trimmed().toLongLong() } : SchedStat {};
}

// Measures the longest gap between ticks of a 5 ms timer: how long the GUI thread was kept from its event loop.
// `longestBlocked` leaves out the time the thread sat runnable in the OS's runqueue (other processes on a busy
// machine), so it counts only what the application itself did on, or waited for in, the GUI thread.
class EventLoopProbe : public QObject {
public:
    EventLoopProbe()
    {
        m_timer.setInterval(5);
        QObject::connect(&m_timer, &QTimer::timeout, this, [this] {
            const qint64 gap = m_clock.nsecsElapsed();
            const SchedStat now = schedStat();
            m_clock.restart();
            m_longestGap = std::max(m_longestGap, gap / 1000000);
            const qint64 blocked = (gap - (now.runqueue - m_last.runqueue)) / 1000000;
            if (blocked > m_longestBlocked) {
                m_longestBlocked = blocked;
                m_cpuOfLongest = (now.cpu - m_last.cpu) / 1000000;
            }
            m_last = now;
        });
    }
    void start()
    {
        m_longestGap = m_longestBlocked = m_cpuOfLongest = 0;
        m_last = schedStat();
        m_clock.start();
        m_timer.start();
    }
    void stop() { m_timer.stop(); }
    qint64 longestGap() const { return m_longestGap; }
    qint64 longestBlocked() const { return m_longestBlocked; }
    qint64 cpuOfLongestBlocked() const { return m_cpuOfLongest; } // GUI-thread CPU time within that gap

private:
    QTimer m_timer;
    QElapsedTimer m_clock;
    SchedStat m_last;
    qint64 m_longestGap = 0;
    qint64 m_longestBlocked = 0;
    qint64 m_cpuOfLongest = 0;
};

} // namespace

class StudioTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void opensWithNoModel();
    void badInputGivesOneLineErrors();
    void opensTheCheckpoint();
    void quantizesLayerByLayerWithoutStallingTheGui();
    void groupAppearsInEveryView();
    void bitMapEditReruns();
    void cancelStopsQuicklyAndKeepsResults();
    void exportsAndNeverOverwrites();
    void opensTheExportedFile();
    void dimensionTwoShowsExactVoronoiCells();
    void cleanupTestCase();

private:
    bool waitIdle(int timeoutMs);
    void configureRun(bool fast);
    void grabViews(const QString& suffix);

    std::unique_ptr<MainWindow> m_window;
    std::unique_ptr<QAbstractItemModelTester> m_treeTester;
    std::unique_ptr<QAbstractItemModelTester> m_proxyTester;
    QTemporaryDir m_temp;
    QString m_exported;
};

bool StudioTest::waitIdle(int timeoutMs)
{
    QElapsedTimer clock;
    clock.start();
    while (m_window->jobs()->isBusy() && clock.elapsed() < timeoutMs)
        QTest::qWait(20);
    return !m_window->jobs()->isBusy();
}

void StudioTest::configureRun(bool fast)
{
    auto* panel = m_window->pipelinePanel();
    glvq::pipeline::PipelineOptions options;
    options.method = "glvq";
    options.bits = 2.0;
    options.calibrationText = glvq::test::fixturePath("calib.txt");
    options.samples = fast ? 8 : 32;
    options.ctx = fast ? 128 : 512;
    options.maxIterations = fast ? 3 : 0;
    options.rowScaleMantissaBits = fast ? 5 : 10; // the fast run also takes the compact row scales through the GUI
    panel->setOptions(options);
    QCOMPARE(panel->options().rowScaleMantissaBits, options.rowScaleMantissaBits);
    QCOMPARE(panel->options().maxIterations, options.maxIterations);
    glvq::views::EvaluationSettings evaluation;
    evaluation.textPath = fixture("eval_austen.txt");
    evaluation.ctx = fast ? 128 : 512;
    evaluation.maxWindows = fast ? 4 : 16;
    panel->setEvaluation(evaluation);
}

void StudioTest::grabViews(const QString& suffix)
{
    const QList<std::pair<QString, QWidget*>> views = {
        { QStringLiteral("histogram"), m_window->histogramView() }, { QStringLiteral("generator"), m_window->generatorView() },
        { QStringLiteral("lattice"), m_window->latticeView() },     { QStringLiteral("bitmap"), m_window->bitMapView() },
        { QStringLiteral("metrics"), m_window->metricsView() },     { QStringLiteral("pipeline"), m_window->pipelinePanel() },
        { QStringLiteral("tree"), m_window->treeView() },
    };
    QStringList dirs = { QStringLiteral(GLVQ_GUI_TEST_OUTPUT) };
    if (kFull)
        dirs << qEnvironmentVariable("GLVQ_SCREENSHOT_DIR");
    for (const auto& [name, widget] : views) {
        if (auto* dock = qobject_cast<QDockWidget*>(widget->parentWidget()))
            dock->raise();
        QTest::qWait(150); // layout and the lattice slice of the raised view
        const QPixmap shot = widget->grab();
        QVERIFY2(shot.width() > 100 && shot.height() > 100, qPrintable(name));
        for (const QString& dir : dirs)
            QVERIFY(shot.save(dir + QStringLiteral("/") + name + suffix + QStringLiteral(".png")));
    }
    for (const QString& dir : dirs)
        QVERIFY(m_window->grab().save(dir + QStringLiteral("/window") + suffix + QStringLiteral(".png")));
    m_window->bitMapView()->setColorBySalience(true);
    QTest::qWait(50);
    for (const QString& dir : dirs)
        QVERIFY(m_window->bitMapView()->grab().save(dir + QStringLiteral("/bitmap-salience") + suffix + QStringLiteral(".png")));
    m_window->bitMapView()->setColorBySalience(false);
}

void StudioTest::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true); // QSettings (layout, recent files) away from the user's
    QVERIFY(m_temp.isValid());
    m_window = std::make_unique<MainWindow>();
    // The real tree model and its sorting proxy are checked on every change the runs below make.
    m_treeTester = std::make_unique<QAbstractItemModelTester>(m_window->treeModel(),
                                                              QAbstractItemModelTester::FailureReportingMode::QtTest);
    m_proxyTester = std::make_unique<QAbstractItemModelTester>(m_window->treeView()->model(),
                                                               QAbstractItemModelTester::FailureReportingMode::QtTest);
    m_window->resize(1600, 1000);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
}

void StudioTest::opensWithNoModel()
{
    QVERIFY(!m_window->hasModel());
    QSignalSpy errors(m_window.get(), &MainWindow::errorShown);
    m_window->startRun();
    QCOMPARE(errors.count(), 1);
    QVERIFY(errors.first().first().toString().contains(QStringLiteral("no checkpoint open")));
    QVERIFY(!m_window->jobs()->isBusy());
}

void StudioTest::badInputGivesOneLineErrors()
{
    QSignalSpy errors(m_window.get(), &MainWindow::errorShown);
    m_window->openPath(m_temp.filePath(QStringLiteral("does-not-exist")));
    QVERIFY(waitIdle(10000));
    QCOMPARE(errors.count(), 1);
    QVERIFY(errors.last().first().toString().contains(QStringLiteral("does-not-exist")));
    const QString garbage = m_temp.filePath(QStringLiteral("garbage.h5"));
    std::ofstream(garbage.toStdString()) << "this is not an HDF5 file";
    m_window->openPath(garbage);
    QVERIFY(waitIdle(10000));
    QCOMPARE(errors.count(), 2);
    const QString message = errors.last().first().toString();
    QVERIFY2(message.contains(QStringLiteral("garbage.h5")) && !message.contains(QLatin1Char('\n')), qPrintable(message));
    QVERIFY(!m_window->hasModel()); // still usable: nothing half-opened
}

void StudioTest::opensTheCheckpoint()
{
    m_window->openPath(fixture("debian-llama-16m"));
    QVERIFY(waitIdle(60000));
    QVERIFY2(m_window->hasModel(), qPrintable(m_window->lastError()));
    QCOMPARE(m_window->treeModel()->rowCount(), 6); // decoder blocks
    QCOMPARE(m_window->treeModel()->rowCount(m_window->treeModel()->index(0, 0)), 7);
}

void StudioTest::quantizesLayerByLayerWithoutStallingTheGui()
{
    if (kFull) { // the screenshots compare two methods: RTN first, then the GLVQ run under test
        configureRun(false);
        auto options = m_window->pipelinePanel()->options();
        options.method = "rtn";
        m_window->pipelinePanel()->setOptions(options);
        m_window->startRun();
        QVERIFY(waitIdle(600000));
    }
    configureRun(!kFull);
    QSignalSpy succeeded(m_window->jobs(), &JobRunner::succeeded);
    QSignalSpy progress(m_window->jobs(), &JobRunner::progressed);
    EventLoopProbe probe;
    int layersSeenWhileRunning = 0;
    QElapsedTimer clock;
    clock.start();
    probe.start();
    m_window->startRun();
    QVERIFY(m_window->jobs()->isBusy());
    while (m_window->jobs()->isBusy() && clock.elapsed() < 900000) {
        QTest::qWait(20);
        if (m_window->jobs()->isBusy())
            layersSeenWhileRunning = std::max(layersSeenWhileRunning, m_window->bitMapView()->plan().layerCount());
    }
    probe.stop();
    qInfo("quantize + evaluate: %.1f s, %d progress updates, longest event-loop gap %lld ms (%lld ms not counting "
          "the OS runqueue, of which %lld ms on the CPU)", clock.elapsed() / 1000.0, int(progress.count()),
          probe.longestGap(), probe.longestBlocked(), probe.cpuOfLongestBlocked());
    QCOMPARE(succeeded.count(), 1);
    QVERIFY2(probe.longestBlocked() < 100, qPrintable(QString::number(probe.longestBlocked())));
    QVERIFY(layersSeenWhileRunning >= 2); // results appeared before the run ended
    QCOMPARE(int(m_window->layers().size()), 42);
    QCOMPARE(m_window->evaluations().size(), std::size_t(kFull ? 2 : 1));
    QVERIFY(m_window->evaluations()[0].pplQuantized > m_window->evaluations()[0].pplOriginal);
    QVERIFY(m_window->logView()->toPlainText().contains(QStringLiteral("model.layers.5.mlp.down_proj")));
}

void StudioTest::groupAppearsInEveryView()
{
    QSignalSpy shown(m_window.get(), &MainWindow::groupDetailShown);
    EventLoopProbe probe; // the views' own work (histograms, heatmaps, lattice) must not block either
    probe.start();
    m_window->selectGroup(QStringLiteral("model.layers.2.mlp.down_proj"), 3);
    QVERIFY(shown.wait(10000));
    QTRY_VERIFY_WITH_TIMEOUT(m_window->latticeView()->infoText().contains(QStringLiteral("Voronoi-relevant")), 20000);
    probe.stop();
    qInfo("selecting a group: longest event-loop gap %lld ms (%lld ms not counting the OS runqueue, %lld ms on the CPU)",
          probe.longestGap(), probe.longestBlocked(), probe.cpuOfLongestBlocked());
    QVERIFY2(probe.longestBlocked() < 100, qPrintable(QString::number(probe.longestBlocked())));
    QVERIFY(m_window->hasGroupDetail());
    QCOMPARE(m_window->treeView()->currentIndex().data(glvq::views::ModelTreeModel::GroupIndexRole).toInt(), 3);
    // A generic 8-D lattice has 2(2⁸ − 1) = 510 relevant vectors; a learned G is generic.
    QVERIFY2(m_window->latticeView()->infoText().contains(QStringLiteral("510 Voronoi-relevant")),
             qPrintable(m_window->latticeView()->infoText()));
    grabViews(QString());
    // Chart export, as the Save PNG…/Save SVG… buttons do it (temporary file renamed into place).
    const QString svg = m_temp.filePath(QStringLiteral("metrics.svg"));
    const QString png = m_temp.filePath(QStringLiteral("metrics.png"));
    QCOMPARE(glvq::views::saveWidgetSvg(m_window->metricsView(), svg, QStringLiteral("metrics")), QString());
    QCOMPARE(glvq::views::saveWidgetPng(m_window->metricsView(), png), QString());
    QFile svgFile(svg);
    QVERIFY(svgFile.open(QIODevice::ReadOnly));
    const QByteArray svgText = svgFile.readAll();
    QVERIFY(svgText.contains("<svg") && svgText.contains("Perplexity"));
    QVERIFY(QImage(png).width() > 100);
    QVERIFY(!glvq::views::saveWidgetPng(m_window->metricsView(), m_temp.filePath(QStringLiteral("no/such/dir.png"))).isEmpty());
}

void StudioTest::bitMapEditReruns()
{
    if (kFull)
        configureRun(true); // the screenshots keep the full run's numbers; the re-run only has to work
    auto* bitMap = m_window->bitMapView();
    const std::string layer = "model.layers.0.self_attn.q_proj";
    const int index = bitMap->plan().layerIndex(layer);
    QVERIFY(index >= 0);
    const int oldBits = bitMap->plan().bits(index, 0);
    const int newBits = oldBits == 4 ? 3 : oldBits + 1;
    bitMap->select(QString::fromStdString(layer), 0);
    bitMap->editSelectedBits(newBits);
    QVERIFY(bitMap->plan().hasEdits());
    m_window->startRun(bitMap->plan().explicitBits());
    QVERIFY(waitIdle(600000));
    QCOMPARE(m_window->layers().front().summary.name, layer);
    QCOMPARE(m_window->layers().front().summary.groups[0].bits, newBits);
    QCOMPARE(m_window->evaluations().size(), std::size_t(kFull ? 3 : 2)); // the re-run's perplexity too
}

void StudioTest::cancelStopsQuicklyAndKeepsResults()
{
    const auto before = m_window->layers();
    configureRun(false);
    auto options = m_window->pipelinePanel()->options();
    options.maxIterations = 0; // the default, slow learning: a run long enough to cancel midway
    m_window->pipelinePanel()->setOptions(options);
    QSignalSpy cancelled(m_window->jobs(), &JobRunner::cancelled);
    QSignalSpy layers(m_window->treeModel(), &QAbstractItemModel::rowsInserted);
    m_window->startRun();
    QTRY_VERIFY_WITH_TIMEOUT(layers.count() >= 1, 300000); // well inside quantization
    QElapsedTimer clock;
    clock.start();
    m_window->cancelJob();
    QVERIFY(cancelled.wait(5000));
    const qint64 latency = clock.elapsed();
    qInfo("cancel took %lld ms", latency);
    QVERIFY2(latency < 1000, qPrintable(QString::number(latency)));
    QVERIFY(waitIdle(5000));
    QCOMPARE(m_window->layers().size(), before.size());
    for (std::size_t i = 0; i < before.size(); ++i)
        QCOMPARE(m_window->layers()[i].layer.get(), before[i].layer.get()); // the very same results
    QCOMPARE(m_window->bitMapView()->plan().layerCount(), 42);            // and the views show them again
    QCOMPARE(m_window->treeModel()->rowCount(m_window->treeModel()->indexFor(QString::fromStdString(before[0].summary.name), -1)),
             int(before[0].summary.groups.size()));
}

void StudioTest::exportsAndNeverOverwrites()
{
    m_exported = m_temp.filePath(QStringLiteral("studio.h5"));
    QSignalSpy failed(m_window->jobs(), &JobRunner::failed);
    m_window->exportHdf5To(m_exported, false);
    QVERIFY(waitIdle(120000));
    QCOMPARE(failed.count(), 0);
    QVERIFY(QFileInfo(m_exported).size() > 100000);
    const auto modified = QFileInfo(m_exported).lastModified();
    m_window->exportHdf5To(m_exported, false); // exists: refused, file untouched
    QVERIFY(waitIdle(120000));
    QCOMPARE(failed.count(), 1);
    QVERIFY(failed.last().at(1).toString().contains(QStringLiteral("exists")));
    QCOMPARE(QFileInfo(m_exported).lastModified(), modified);
    const QString dir = m_temp.filePath(QStringLiteral("dequantized"));
    m_window->exportSafetensorsTo(dir, false);
    QVERIFY(waitIdle(120000));
    QCOMPARE(failed.count(), 1);
    QVERIFY(QFileInfo::exists(dir + QStringLiteral("/model.safetensors")));
    QVERIFY(QFileInfo::exists(dir + QStringLiteral("/config.json")));
}

void StudioTest::opensTheExportedFile()
{
    m_window->openPath(m_exported);
    QVERIFY(waitIdle(60000));
    QCOMPARE(int(m_window->layers().size()), 42);
    QCOMPARE(m_window->evaluations().size(), std::size_t(1)); // the file's stored results
    QSignalSpy shown(m_window.get(), &MainWindow::groupDetailShown);
    m_window->selectGroup(QStringLiteral("model.layers.1.self_attn.k_proj"), 1);
    QVERIFY(shown.wait(10000));
    grabViews(QStringLiteral("-h5"));
}

void StudioTest::dimensionTwoShowsExactVoronoiCells()
{
    m_window->openPath(fixture("debian-llama-16m"));
    QVERIFY(waitIdle(60000));
    configureRun(true);
    auto options = m_window->pipelinePanel()->options();
    options.dim = 2;
    options.allocation = glvq::pipeline::BitAllocation::Uniform;
    m_window->pipelinePanel()->setOptions(options);
    auto evaluation = m_window->pipelinePanel()->evaluation();
    evaluation.textPath.clear(); // no evaluation: only the lattice matters here
    m_window->pipelinePanel()->setEvaluation(evaluation);
    m_window->startRun();
    QVERIFY(waitIdle(600000));
    QCOMPARE(int(m_window->layers().size()), 42);
    QSignalSpy shown(m_window.get(), &MainWindow::groupDetailShown);
    m_window->selectGroup(QStringLiteral("model.layers.0.self_attn.q_proj"), 0);
    QVERIFY(shown.wait(10000));
    // A 2-D lattice has 6 relevant vectors (4 when G's columns are exactly orthogonal).
    QTRY_VERIFY_WITH_TIMEOUT(m_window->latticeView()->infoText().contains(QStringLiteral("d = 2"))
                                 && m_window->latticeView()->infoText().contains(QStringLiteral("relevant")),
                             20000);
    const QString info = m_window->latticeView()->infoText();
    QVERIFY2(info.contains(QStringLiteral("d = 2")) && (info.contains(QStringLiteral(" 6 Voronoi-relevant"))
                                                         || info.contains(QStringLiteral(" 4 Voronoi-relevant"))),
             qPrintable(info));
    if (auto* dock = qobject_cast<QDockWidget*>(m_window->latticeView()->parentWidget()))
        dock->raise();
    QTest::qWait(200);
    QStringList dirs = { QStringLiteral(GLVQ_GUI_TEST_OUTPUT) };
    if (kFull)
        dirs << qEnvironmentVariable("GLVQ_SCREENSHOT_DIR");
    for (const QString& dir : dirs)
        QVERIFY(m_window->latticeView()->grab().save(dir + QStringLiteral("/lattice-d2.png")));
}

void StudioTest::cleanupTestCase()
{
    m_proxyTester.reset();
    m_treeTester.reset();
    m_window.reset();
}

QTEST_MAIN(StudioTest)
#include "test_gui_studio.moc"
