// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Runs one long job at a time (open, quantize, evaluate, export) on its own thread, so the GUI thread never runs
// torch. The job gets a progress callback, a cancel token and post(), which queues a function onto the GUI
// thread (results cross as values captured by that function). Progress is throttled to one update per 50 ms
// (stage changes always pass). Cancel is cooperative: it sets the token the core polls between layers and groups.
// Signals are emitted on the GUI thread. Destroying the runner cancels the job and waits for its thread.
#include "core/util/cancel.h"
#include "core/util/progress.h"

#include <QElapsedTimer>
#include <QObject>
#include <QPointer>
#include <QString>

#include <functional>

class QThread;

namespace glvq::gui {

struct JobContext {
    ProgressCallback progress;
    CancelToken cancel;
    std::function<void(std::function<void()>)> post; // runs the function on the GUI thread, in order
    std::function<void(const QString&)> log;         // a log line, shown in the log view
};

class JobRunner : public QObject {
    Q_OBJECT
public:
    using Work = std::function<void(const JobContext&)>;

    explicit JobRunner(QObject* parent = nullptr);
    ~JobRunner() override;

    // Starts `work` on a new thread; false (and nothing started) while another job runs.
    bool start(const QString& name, Work work);
    void cancel();
    bool isBusy() const { return m_thread != nullptr; }
    QString currentJob() const { return m_name; }

Q_SIGNALS:
    void busyChanged(bool busy);
    void progressed(double fraction, QString stage, QString detail, double etaSeconds);
    void logged(QString line);
    void succeeded(QString job, double seconds);
    void failed(QString job, QString message);
    void cancelled(QString job);

private:
    void finish(int generation);
    void post(int generation, std::function<void()> function);

    QThread* m_thread = nullptr;
    CancelSource m_cancel;
    QString m_name;
    int m_generation = 0;
    QElapsedTimer m_clock;
};

} // namespace glvq::gui
