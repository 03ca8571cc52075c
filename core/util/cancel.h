// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Cooperative cancellation. A CancelSource lives with whoever may cancel (the CLI's SIGINT handler, the
// GUI's job runner); workers receive a CancelToken by value and poll it between units of work.
// Thread-safety: requestCancel() and isCancelled() may be called from any thread at any time.
#include "core/util/error.h"

#include <atomic>
#include <memory>

namespace glvq {

class CancelToken {
public:
    CancelToken() = default; // a token that never fires

    bool isCancelled() const { return m_flag && m_flag->load(std::memory_order_relaxed); }
    void throwIfCancelled() const
    {
        if (isCancelled())
            throw Cancelled();
    }

private:
    friend class CancelSource;
    explicit CancelToken(std::shared_ptr<const std::atomic<bool>> flag)
        : m_flag(std::move(flag))
    {
    }
    std::shared_ptr<const std::atomic<bool>> m_flag;
};

class CancelSource {
public:
    CancelSource()
        : m_flag(std::make_shared<std::atomic<bool>>(false))
    {
    }
    void requestCancel() { m_flag->store(true, std::memory_order_relaxed); }
    bool isCancelled() const { return m_flag->load(std::memory_order_relaxed); }
    CancelToken token() const { return CancelToken(m_flag); }

private:
    std::shared_ptr<std::atomic<bool>> m_flag;
};

} // namespace glvq
