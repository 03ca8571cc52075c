// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The pipeline panel: every setting of a quantization run (method, bits, d, group size, allocation, calibration
// text, samples, ctx, device, seed, iterations) and of the evaluation after it, Run / Cancel, and the running
// job's progress (stage, layer, ETA). It only collects settings and shows progress: the application copies
// options() into the job when it starts. GUI thread.
#include "core/pipeline/pipeline_options.h"

#include <QWidget>

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;

namespace glvq::views {

struct EvaluationSettings {
    bool enabled = true;
    QString textPath;
    int ctx = 512;
    int maxWindows = 0; // 0: all
};

class PipelinePanel : public QWidget {
    Q_OBJECT
public:
    explicit PipelinePanel(QWidget* parent = nullptr);

    pipeline::PipelineOptions options() const; // a copy of the current settings
    EvaluationSettings evaluation() const;
    QString device() const;                   // "cpu" or "cuda"

    void setOptions(const pipeline::PipelineOptions& options);
    void setEvaluation(const EvaluationSettings& settings);
    void setCudaAvailable(bool available);
    void setRunning(bool running);
    void setCanRun(bool canRun, const QString& why); // e.g. no checkpoint open
    void setProgress(double fraction, const QString& stage, const QString& detail, double etaSeconds);
    void setStatus(const QString& text);
    // A job without measurable progress (an export): a busy bar and what it is doing, until the next setProgress.
    void setIndeterminate(const QString& stage);

Q_SIGNALS:
    void runRequested();
    void cancelRequested();

private:
    QWidget* buildForm();
    QLineEdit* fileField(QLineEdit* edit, const QString& caption);

    QComboBox* m_method;
    QComboBox* m_variant;
    QDoubleSpinBox* m_bits;
    QComboBox* m_dim;
    QSpinBox* m_groupSize;
    QComboBox* m_allocation;
    QLineEdit* m_calibration;
    QSpinBox* m_samples;
    QSpinBox* m_ctx;
    QComboBox* m_device;
    QSpinBox* m_seed;
    QSpinBox* m_iterations;
    QSpinBox* m_rowScaleBits;
    QLineEdit* m_evalText;
    QSpinBox* m_evalCtx;
    QSpinBox* m_evalWindows;
    QPushButton* m_run;
    QPushButton* m_cancel;
    QProgressBar* m_progress;
    QLabel* m_stage;
    bool m_canRun = false;
    bool m_running = false;
};

} // namespace glvq::views
