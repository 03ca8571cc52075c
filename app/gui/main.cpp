// SPDX-License-Identifier: GPL-3.0-or-later
// glvq-studio [PATH] [--calib FILE] [--eval-text FILE] [--device cpu|cuda]: the desktop application. PATH (a
// checkpoint directory or an exported .h5) is opened at start; --calib and --eval-text prefill the pipeline panel.
#include "app/gui/main_window.h"
#include "core/model/compute_device.h"
#include "views/widgets/pipeline_panel.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QTimer>

int main(int argc, char** argv)
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("glvq-studio"));
    QApplication::setOrganizationName(QStringLiteral("glvq-studio"));
    QApplication::setApplicationVersion(QStringLiteral(GLVQ_VERSION));
    glvq::model::configureCpuThreads();

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("GLVQ Studio: grouped lattice vector quantization of LLM weights"));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(QStringLiteral("path"), QStringLiteral("checkpoint directory or exported .h5 to open"));
    const QCommandLineOption calib(QStringLiteral("calib"), QStringLiteral("calibration text"), QStringLiteral("FILE"));
    const QCommandLineOption evalText(QStringLiteral("eval-text"), QStringLiteral("evaluation text"), QStringLiteral("FILE"));
    parser.addOption(calib);
    parser.addOption(evalText);
    parser.process(app);

    glvq::gui::MainWindow window;
    auto options = window.pipelinePanel()->options();
    if (parser.isSet(calib))
        options.calibrationText = parser.value(calib).toStdString();
    window.pipelinePanel()->setOptions(options);
    if (parser.isSet(evalText)) {
        auto evaluation = window.pipelinePanel()->evaluation();
        evaluation.textPath = parser.value(evalText);
        window.pipelinePanel()->setEvaluation(evaluation);
    }
    window.show();
    if (!parser.positionalArguments().isEmpty()) {
        const QString path = parser.positionalArguments().first();
        QTimer::singleShot(0, &window, [&window, path] { window.openPath(path); });
    }
    return app.exec();
}
