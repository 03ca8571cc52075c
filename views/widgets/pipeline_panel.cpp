// SPDX-License-Identifier: GPL-3.0-or-later
#include "views/widgets/pipeline_panel.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QSpinBox>
#include <QToolButton>
#include <QVBoxLayout>

#include <cmath>

namespace glvq::views {

namespace {

QString etaText(double seconds)
{
    if (seconds < 0)
        return QStringLiteral("ETA —");
    const int s = int(std::lround(seconds));
    return QStringLiteral("ETA %1:%2").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
}

} // namespace

PipelinePanel::PipelinePanel(QWidget* parent)
    : QWidget(parent)
    , m_method(new QComboBox(this))
    , m_variant(new QComboBox(this))
    , m_bits(new QDoubleSpinBox(this))
    , m_dim(new QComboBox(this))
    , m_groupSize(new QSpinBox(this))
    , m_allocation(new QComboBox(this))
    , m_calibration(new QLineEdit(this))
    , m_samples(new QSpinBox(this))
    , m_ctx(new QSpinBox(this))
    , m_device(new QComboBox(this))
    , m_seed(new QSpinBox(this))
    , m_iterations(new QSpinBox(this))
    , m_rowScaleBits(new QSpinBox(this))
    , m_evalText(new QLineEdit(this))
    , m_evalCtx(new QSpinBox(this))
    , m_evalWindows(new QSpinBox(this))
    , m_run(new QPushButton(tr("&Run"), this))
    , m_cancel(new QPushButton(tr("Cancel"), this))
    , m_progress(new QProgressBar(this))
    , m_stage(new QLabel(this))
{
    auto* scroll = new QScrollArea(this);
    scroll->setWidget(buildForm());
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_run);
    buttons->addWidget(m_cancel);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(scroll, 1);
    layout->addLayout(buttons);
    layout->addWidget(m_progress);
    layout->addWidget(m_stage);
    m_progress->setRange(0, 1000);
    m_progress->setValue(0);
    m_progress->setFormat(QStringLiteral("%p%"));
    m_stage->setWordWrap(true);
    m_run->setToolTip(tr("Quantize the open checkpoint with these settings (Ctrl+R)"));
    m_cancel->setToolTip(tr("Stop the running job; earlier results stay (Esc)"));
    m_cancel->setEnabled(false);
    connect(m_run, &QPushButton::clicked, this, &PipelinePanel::runRequested);
    connect(m_cancel, &QPushButton::clicked, this, &PipelinePanel::cancelRequested);
    setOptions(pipeline::PipelineOptions {});
    setCanRun(false, tr("Open a checkpoint directory to quantize it."));
}

QLineEdit* PipelinePanel::fileField(QLineEdit* edit, const QString& caption)
{
    auto* browse = new QToolButton(this);
    browse->setText(QStringLiteral("…"));
    browse->setToolTip(caption);
    connect(browse, &QToolButton::clicked, this, [this, edit, caption] {
        const QString path = QFileDialog::getOpenFileName(this, caption, edit->text(), tr("Text (*.txt);;All files (*)"));
        if (!path.isEmpty())
            edit->setText(path);
    });
    edit->setProperty("browseButton", QVariant::fromValue(static_cast<QObject*>(browse)));
    return edit;
}

QWidget* PipelinePanel::buildForm()
{
    auto* form = new QWidget;
    auto* layout = new QFormLayout(form);
    for (const auto& method : pipeline::supportedMethods())
        m_method->addItem(QString::fromStdString(method).toUpper(), QString::fromStdString(method));
    for (const auto& variant : pipeline::methodVariants())
        m_variant->addItem(QString::fromStdString(variant));
    m_bits->setRange(1.0, 4.0);
    m_bits->setSingleStep(0.25);
    m_bits->setDecimals(2);
    m_bits->setToolTip(tr("mean bits per weight of the codes; fractions mix two widths"));
    for (int d : { 2, 4, 8, 16, 32 })
        m_dim->addItem(QString::number(d), d);
    m_dim->setToolTip(tr("GLVQ lattice dimension d; must divide the group size"));
    m_groupSize->setRange(8, 1 << 16);
    m_groupSize->setSingleStep(32);
    m_groupSize->setToolTip(tr("input columns per group"));
    m_samples->setToolTip(tr("calibration windows × tokens per window"));
    m_ctx->setToolTip(tr("tokens per calibration window"));
    m_seed->setToolTip(tr("seed of the calibration windows and every random choice"));
    m_allocation->addItem(tr("salience"), int(pipeline::BitAllocation::Salience));
    m_allocation->addItem(tr("uniform"), int(pipeline::BitAllocation::Uniform));
    m_samples->setRange(1, 1 << 16);
    m_ctx->setRange(2, 1 << 16);
    m_device->addItem(QStringLiteral("cpu"));
    m_device->addItem(QStringLiteral("cuda"));
    m_seed->setRange(0, 1 << 30);
    m_iterations->setRange(0, 100000);
    m_iterations->setSpecialValueText(tr("default"));
    m_iterations->setToolTip(tr("GLVQ learning iterations per group (default: 300 for d ≤ 8, 500 above)"));
    m_rowScaleBits->setRange(0, 10);
    m_rowScaleBits->setValue(10);
    m_rowScaleBits->setToolTip(tr("GLVQ row scales rounded to this many fp16 mantissa bits (10: plain fp16; 3 makes "
                                  "the exported side information a third smaller, perplexity within noise)"));
    m_evalCtx->setRange(2, 1 << 16);
    m_evalWindows->setRange(0, 1 << 20);
    m_evalWindows->setSpecialValueText(tr("all"));
    auto withBrowse = [this](QLineEdit* edit, const QString& caption) {
        auto* row = new QHBoxLayout;
        row->addWidget(fileField(edit, caption), 1);
        row->addWidget(qobject_cast<QWidget*>(edit->property("browseButton").value<QObject*>()));
        return row;
    };
    auto pair = [form](QWidget* first, const QString& between, QWidget* second) {
        auto* row = new QHBoxLayout;
        row->addWidget(first, 1);
        row->addWidget(new QLabel(between, form));
        row->addWidget(second, 1);
        return row;
    };
    layout->addRow(tr("Method"), m_method);
    layout->addRow(tr("Variant"), m_variant);
    layout->addRow(tr("Bits"), m_bits);
    layout->addRow(tr("Lattice d"), pair(m_dim, tr("group"), m_groupSize));
    layout->addRow(tr("Allocation"), m_allocation);
    layout->addRow(tr("Calibration"), withBrowse(m_calibration, tr("Calibration text")));
    layout->addRow(tr("Samples"), pair(m_samples, tr("× ctx"), m_ctx));
    layout->addRow(tr("Device"), pair(m_device, tr("row-scale bits"), m_rowScaleBits));
    layout->addRow(tr("Seed"), pair(m_seed, tr("iterations"), m_iterations));
    layout->addRow(new QLabel(tr("<b>Evaluation after the run</b>"), form));
    layout->addRow(tr("Text"), withBrowse(m_evalText, tr("Evaluation text (empty: skip)")));
    layout->addRow(tr("Context"), pair(m_evalCtx, tr("windows"), m_evalWindows));
    return form;
}

pipeline::PipelineOptions PipelinePanel::options() const
{
    pipeline::PipelineOptions o;
    o.method = m_method->currentData().toString().toStdString();
    o.variant = m_variant->currentText().toStdString();
    o.bits = m_bits->value();
    o.dim = m_dim->currentData().toInt();
    o.groupSize = m_groupSize->value();
    o.allocation = pipeline::BitAllocation(m_allocation->currentData().toInt());
    o.calibrationText = m_calibration->text().toStdString();
    o.samples = m_samples->value();
    o.ctx = m_ctx->value();
    o.seed = std::uint64_t(m_seed->value());
    o.maxIterations = m_iterations->value();
    o.rowScaleMantissaBits = m_rowScaleBits->value();
    return o;
}

void PipelinePanel::setOptions(const pipeline::PipelineOptions& o)
{
    m_method->setCurrentIndex(std::max(0, m_method->findData(QString::fromStdString(o.method))));
    m_variant->setCurrentIndex(std::max(0, m_variant->findText(QString::fromStdString(o.variant))));
    m_bits->setValue(o.bits);
    m_dim->setCurrentIndex(std::max(0, m_dim->findData(o.dim)));
    m_groupSize->setValue(int(o.groupSize));
    m_allocation->setCurrentIndex(std::max(0, m_allocation->findData(int(o.allocation))));
    m_calibration->setText(QString::fromStdString(o.calibrationText.string()));
    m_samples->setValue(int(o.samples));
    m_ctx->setValue(int(o.ctx));
    m_seed->setValue(int(o.seed));
    m_iterations->setValue(o.maxIterations);
    m_rowScaleBits->setValue(o.rowScaleMantissaBits);
}

EvaluationSettings PipelinePanel::evaluation() const
{
    return { !m_evalText->text().trimmed().isEmpty(), m_evalText->text().trimmed(), m_evalCtx->value(), m_evalWindows->value() };
}

void PipelinePanel::setEvaluation(const EvaluationSettings& s)
{
    m_evalText->setText(s.textPath);
    m_evalCtx->setValue(s.ctx);
    m_evalWindows->setValue(s.maxWindows);
}

QString PipelinePanel::device() const
{
    return m_device->currentIndex() == 1 ? QStringLiteral("cuda") : QStringLiteral("cpu");
}

void PipelinePanel::setCudaAvailable(bool available)
{
    m_device->setItemData(1, available ? QVariant() : QVariant(0), Qt::UserRole - 1); // 0 = disabled item
    m_device->setItemText(1, available ? QStringLiteral("cuda") : tr("cuda (not available)"));
    if (!available)
        m_device->setCurrentIndex(0);
}

void PipelinePanel::setRunning(bool running)
{
    m_running = running;
    m_run->setEnabled(!running && m_canRun);
    m_cancel->setEnabled(running);
    if (!running)
        m_progress->setValue(m_progress->value());
}

void PipelinePanel::setCanRun(bool canRun, const QString& why)
{
    m_canRun = canRun;
    m_run->setEnabled(canRun && !m_running);
    if (!canRun)
        m_stage->setText(why);
}

void PipelinePanel::setIndeterminate(const QString& stage)
{
    m_progress->setRange(0, 0);
    m_stage->setText(stage);
}

void PipelinePanel::setProgress(double fraction, const QString& stage, const QString& detail, double etaSeconds)
{
    m_progress->setRange(0, 1000);
    m_progress->setValue(int(std::lround(1000.0 * fraction)));
    m_stage->setText(stage + (detail.isEmpty() ? QString() : QStringLiteral(" · ") + detail) + QStringLiteral(" · ")
                     + etaText(etaSeconds));
}

void PipelinePanel::setStatus(const QString& text) { m_stage->setText(text); }

} // namespace glvq::views
