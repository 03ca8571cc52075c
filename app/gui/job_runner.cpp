// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/gui/job_runner.h"

#include "core/util/error.h"

#include <QLoggingCategory>
#include <QThread>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>

Q_LOGGING_CATEGORY(lcJobs, "glvq.gui")

namespace glvq::gui {

namespace {

// Drops progress updates closer than 50 ms apart unless the stage changes; runs on the worker thread.
class ProgressThrottle {
public:
    bool pass(const ProgressInfo& info)
    {
        const auto now = std::chrono::steady_clock::now();
        if (info.stage == m_stage && now - m_last < std::chrono::milliseconds(50) && info.fraction < 1.0)
            return false;
        m_stage = info.stage;
        m_last = now;
        return true;
    }

private:
    std::string m_stage;
    std::chrono::steady_clock::time_point m_last {};
};

} // namespace

JobRunner::JobRunner(QObject* parent)
    : QObject(parent)
{
}

JobRunner::~JobRunner()
{
    if (m_thread) {
        m_cancel.requestCancel();
        m_thread->wait();
        delete m_thread;
    }
}

void JobRunner::post(int generation, std::function<void()> function)
{
    QPointer<JobRunner> self(this);
    QMetaObject::invokeMethod(
        this,
        [self, generation, function = std::move(function)] {
            if (self && self->m_generation == generation)
                function();
        },
        Qt::QueuedConnection);
}

bool JobRunner::start(const QString& name, Work work)
{
    if (m_thread)
        return false;
    m_cancel = CancelSource();
    m_name = name;
    const int generation = ++m_generation;
    m_clock.start();
    auto throttle = std::make_shared<ProgressThrottle>();
    JobContext context;
    context.cancel = m_cancel.token();
    context.post = [this, generation](std::function<void()> f) { post(generation, std::move(f)); };
    context.log = [this, generation](const QString& line) { post(generation, [this, line] { Q_EMIT logged(line); }); };
    context.progress = [this, generation, throttle](const ProgressInfo& info) {
        if (!throttle->pass(info))
            return;
        post(generation, [this, info] {
            Q_EMIT progressed(info.fraction, QString::fromStdString(info.stage), QString::fromStdString(info.detail),
                              info.etaSeconds);
        });
    };
    m_thread = QThread::create([this, generation, name, work = std::move(work), context] {
        try {
            work(context);
            post(generation, [this, name] { Q_EMIT succeeded(name, m_clock.elapsed() / 1000.0); });
        } catch (const Cancelled&) {
            post(generation, [this, name] { Q_EMIT cancelled(name); });
        } catch (const std::exception& e) {
            const QString message = QString::fromUtf8(e.what());
            post(generation, [this, name, message] { Q_EMIT failed(name, message); });
        }
    });
    m_thread->setObjectName(QStringLiteral("glvq-job"));
    connect(m_thread, &QThread::finished, this, [this, generation] { finish(generation); });
    m_thread->start();
    qCInfo(lcJobs) << "job started:" << name;
    Q_EMIT busyChanged(true);
    return true;
}

void JobRunner::finish(int generation)
{
    if (generation != m_generation || !m_thread)
        return;
    m_thread->deleteLater();
    m_thread = nullptr;
    Q_EMIT busyChanged(false);
}

void JobRunner::cancel()
{
    if (m_thread)
        m_cancel.requestCancel();
}

} // namespace glvq::gui
