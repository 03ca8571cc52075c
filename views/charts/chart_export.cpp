// SPDX-License-Identifier: GPL-3.0-or-later
#include "views/charts/chart_export.h"

#include <QFileDialog>
#include <QHBoxLayout>
#include <QMessageBox>
#include <QPainter>
#include <QPixmap>
#include <QPushButton>
#include <QSaveFile>
#include <QSvgGenerator>
#include <QWidget>

namespace glvq::views {

QString saveWidgetPng(QWidget* widget, const QString& path)
{
    QSaveFile file(path); // temp + rename on commit
    if (!file.open(QIODevice::WriteOnly))
        return path + QStringLiteral(": ") + file.errorString();
    if (!widget->grab().save(&file, "PNG")) {
        file.cancelWriting();
        return path + QStringLiteral(": could not encode the PNG");
    }
    return file.commit() ? QString() : path + QStringLiteral(": ") + file.errorString();
}

QString saveWidgetSvg(QWidget* widget, const QString& path, const QString& title)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return path + QStringLiteral(": ") + file.errorString();
    QSvgGenerator generator;
    generator.setOutputDevice(&file);
    generator.setSize(widget->size());
    generator.setViewBox(QRect(QPoint(0, 0), widget->size()));
    generator.setTitle(title);
    generator.setDescription(QStringLiteral("GLVQ Studio chart"));
    {
        QPainter painter(&generator);
        widget->render(&painter);
    }
    return file.commit() ? QString() : path + QStringLiteral(": ") + file.errorString();
}

QWidget* makeExportButtons(QWidget* target, const QString& baseName, QWidget* parent)
{
    auto* box = new QWidget(parent);
    auto* layout = new QHBoxLayout(box);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addStretch();
    for (const bool svg : { false, true }) {
        auto* button = new QPushButton(svg ? QObject::tr("Save SVG…") : QObject::tr("Save PNG…"), box);
        button->setToolTip(QObject::tr("Save this chart with its protocol line"));
        layout->addWidget(button);
        QObject::connect(button, &QPushButton::clicked, box, [target, baseName, svg, box] {
            const QString suffix = svg ? QStringLiteral(".svg") : QStringLiteral(".png");
            // QFileDialog asks before replacing an existing file.
            const QString path = QFileDialog::getSaveFileName(box, QObject::tr("Save chart"), baseName + suffix,
                                                              svg ? QObject::tr("SVG (*.svg)") : QObject::tr("PNG (*.png)"));
            if (path.isEmpty())
                return;
            const QString error = svg ? saveWidgetSvg(target, path, baseName) : saveWidgetPng(target, path);
            if (!error.isEmpty())
                QMessageBox::warning(box, QObject::tr("Save chart"), error);
        });
    }
    return box;
}

} // namespace glvq::views
