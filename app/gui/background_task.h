// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Short computations for the views (a group's detail, a lattice slice) run on Qt's global thread pool so the
// GUI thread never waits on them; the result is delivered on the GUI thread to `receiver` if it still exists.
// Failures arrive as one-line messages. Latest-request-wins is the caller's business (request ids).
#include <QMetaObject>
#include <QPointer>
#include <QString>
#include <QThreadPool>

#include <exception>
#include <optional>
#include <utility>

namespace glvq::gui {

template <typename Work, typename Done>
void runInBackground(QObject* receiver, Work work, Done done)
{
    QPointer<QObject> guard(receiver);
    QThreadPool::globalInstance()->start([guard, work = std::move(work), done = std::move(done)]() mutable {
        std::optional<decltype(work())> result;
        QString error;
        try {
            result.emplace(work());
        } catch (const std::exception& e) {
            error = QString::fromUtf8(e.what());
        }
        if (!guard)
            return;
        QMetaObject::invokeMethod(
            guard.data(),
            [guard, done = std::move(done), result = std::move(result), error]() mutable {
                if (guard)
                    done(std::move(result), error);
            },
            Qt::QueuedConnection);
    });
}

} // namespace glvq::gui
