// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Saving a chart (with the protocol label beneath it) as PNG or SVG. Writes to a temporary file and renames it
// into place, so a failed save leaves no half-written file; the save dialog asks before replacing a file.
#include <QString>

class QWidget;

namespace glvq::views {

// Renders `widget` (and its children). Returns an empty string on success, else the one-line error.
QString saveWidgetPng(QWidget* widget, const QString& path);
QString saveWidgetSvg(QWidget* widget, const QString& path, const QString& title);

// A small "PNG… / SVG…" button pair that asks for a file name and saves `target`.
QWidget* makeExportButtons(QWidget* target, const QString& baseName, QWidget* parent);

} // namespace glvq::views
