// SPDX-License-Identifier: GPL-3.0-or-later
#include "views/models/model_tree_model.h"

#include <QRegularExpression>

namespace glvq::views {

namespace {

int kindOf(quintptr id) { return int(id >> 40); }
int blockOf(quintptr id) { return int((id >> 16) & 0xffff) | (kindOf(id) == 1 ? int(id & 0xffff) : 0); }

QString shapeText(std::int64_t rows, std::int64_t cols)
{
    return QString::number(rows) + QStringLiteral(" × ") + QString::number(cols);
}

QVariant number(double value, int role, char format, int precision)
{
    if (role == ModelTreeModel::SortRole)
        return value;
    return QString::number(value, format, precision);
}

} // namespace

ModelTreeModel::ModelTreeModel(QObject* parent)
    : QAbstractItemModel(parent)
{
}

void ModelTreeModel::setModel(const inspect::ModelSummary& summary)
{
    beginResetModel();
    m_blocks.clear();
    static const QRegularExpression blockPattern(QStringLiteral("^(.*layers\\.\\d+)\\."));
    for (const auto& tensor : summary.linears) {
        const QString name = QString::fromStdString(tensor.name);
        const auto match = blockPattern.match(name);
        const QString block = match.hasMatch() ? match.captured(1) : name;
        if (m_blocks.empty() || m_blocks.back().name != block)
            m_blocks.push_back({ block, {} });
        m_blocks.back().tensors.push_back({ tensor, false, {} });
    }
    endResetModel();
}

void ModelTreeModel::setLayerResult(const inspect::LayerSummary& layer)
{
    const QModelIndex tensorIndex = indexFor(QString::fromStdString(layer.name), -1);
    if (!tensorIndex.isValid())
        return;
    const int block = blockOf(tensorIndex.internalId());
    Tensor& tensor = m_blocks[std::size_t(block)].tensors[std::size_t(tensorIndex.row())];
    const int oldGroups = tensor.hasResult ? int(tensor.result.groups.size()) : 0;
    if (oldGroups > 0) {
        beginRemoveRows(tensorIndex, 0, oldGroups - 1);
        tensor.hasResult = false;
        endRemoveRows();
    }
    const int groups = int(layer.groups.size());
    if (groups > 0)
        beginInsertRows(tensorIndex, 0, groups - 1);
    tensor.result = layer;
    tensor.hasResult = true;
    if (groups > 0)
        endInsertRows();
    Q_EMIT dataChanged(tensorIndex.siblingAtColumn(0), tensorIndex.siblingAtColumn(ColumnCount - 1));
    const QModelIndex blockIndex = tensorIndex.parent();
    Q_EMIT dataChanged(blockIndex.siblingAtColumn(0), blockIndex.siblingAtColumn(ColumnCount - 1));
}

void ModelTreeModel::clearResults()
{
    beginResetModel();
    for (auto& block : m_blocks)
        for (auto& tensor : block.tensors) {
            tensor.hasResult = false;
            tensor.result = {};
        }
    endResetModel();
}

void ModelTreeModel::setLayerResults(const std::vector<inspect::LayerSummary>& layers)
{
    beginResetModel();
    for (auto& block : m_blocks)
        for (auto& tensor : block.tensors) {
            tensor.hasResult = false;
            tensor.result = {};
            for (const auto& layer : layers)
                if (layer.name == tensor.info.name) {
                    tensor.result = layer;
                    tensor.hasResult = true;
                }
        }
    endResetModel();
}

QModelIndex ModelTreeModel::indexFor(const QString& tensorName, int group) const
{
    for (std::size_t b = 0; b < m_blocks.size(); ++b)
        for (std::size_t t = 0; t < m_blocks[b].tensors.size(); ++t) {
            const Tensor& tensor = m_blocks[b].tensors[t];
            if (QString::fromStdString(tensor.info.name) != tensorName)
                continue;
            if (group < 0)
                return createIndex(int(t), 0, tensorId(int(b)));
            if (!tensor.hasResult || group >= int(tensor.result.groups.size()))
                return {};
            return createIndex(group, 0, groupId(int(b), int(t)));
        }
    return {};
}

QModelIndex ModelTreeModel::index(int row, int column, const QModelIndex& parent) const
{
    if (!hasIndex(row, column, parent))
        return {};
    if (!parent.isValid())
        return createIndex(row, column, quintptr(0));
    const quintptr id = parent.internalId();
    if (kindOf(id) == 0)
        return createIndex(row, column, tensorId(parent.row()));
    if (kindOf(id) == 1)
        return createIndex(row, column, groupId(int(id & 0xffff), parent.row()));
    return {};
}

QModelIndex ModelTreeModel::parent(const QModelIndex& child) const
{
    if (!child.isValid())
        return {};
    const quintptr id = child.internalId();
    if (kindOf(id) == 1)
        return createIndex(int(id & 0xffff), 0, quintptr(0));
    if (kindOf(id) == 2)
        return createIndex(int(id & 0xffff), 0, tensorId(int((id >> 16) & 0xffff)));
    return {};
}

int ModelTreeModel::rowCount(const QModelIndex& parent) const
{
    if (parent.column() > 0)
        return 0;
    if (!parent.isValid())
        return int(m_blocks.size());
    const quintptr id = parent.internalId();
    if (kindOf(id) == 0)
        return int(m_blocks[std::size_t(parent.row())].tensors.size());
    if (kindOf(id) == 1) {
        const Tensor& tensor = m_blocks[std::size_t(id & 0xffff)].tensors[std::size_t(parent.row())];
        return tensor.hasResult ? int(tensor.result.groups.size()) : 0;
    }
    return 0;
}

int ModelTreeModel::columnCount(const QModelIndex&) const { return ColumnCount; }

QVariant ModelTreeModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid())
        return {};
    const quintptr id = index.internalId();
    if (kindOf(id) == 0)
        return blockData(m_blocks[std::size_t(index.row())], index.column(), role);
    if (kindOf(id) == 1)
        return tensorData(m_blocks[std::size_t(id & 0xffff)].tensors[std::size_t(index.row())], index.column(), role);
    const Tensor& tensor = m_blocks[std::size_t((id >> 16) & 0xffff)].tensors[std::size_t(id & 0xffff)];
    return groupData(tensor, index.row(), index.column(), role);
}

QVariant ModelTreeModel::blockData(const Block& block, int column, int role) const
{
    if (role != Qt::DisplayRole && role != SortRole)
        return {};
    double bits = 0, weights = 0, mse = 0, out = 0;
    int done = 0;
    for (const auto& tensor : block.tensors) {
        if (!tensor.hasResult)
            continue;
        const double n = double(tensor.info.rows * tensor.info.cols);
        bits += tensor.result.bitsPerWeight * n;
        weights += n;
        mse = std::max(mse, tensor.result.weightMse);
        out = std::max(out, tensor.result.outputRelativeError);
        ++done;
    }
    switch (column) {
    case NameColumn: // "layers.3": the "model." prefix is the same for every block
        return block.name.startsWith(QStringLiteral("model.")) ? block.name.mid(6) : block.name;
    case ShapeColumn:
        return role == SortRole ? QVariant(int(block.tensors.size()))
                                : QVariant(QString::number(block.tensors.size()) + QStringLiteral(" tensors"));
    case BitsColumn:
        return done ? number(bits / weights, role, 'f', 3) : QVariant();
    case WeightErrorColumn:
        return done ? number(mse, role, 'e', 2) : QVariant();
    case OutputErrorColumn:
        return done ? number(out, role, 'f', 4) : QVariant();
    default:
        return {};
    }
}

QVariant ModelTreeModel::tensorData(const Tensor& tensor, int column, int role) const
{
    const QString name = QString::fromStdString(tensor.info.name);
    if (role == TensorNameRole)
        return name;
    if (role == GroupIndexRole)
        return -1;
    if (role == Qt::ToolTipRole)
        return name;
    if (role != Qt::DisplayRole && role != SortRole)
        return {};
    switch (column) {
    case NameColumn:
        return name.section(QLatin1Char('.'), -2);
    case ShapeColumn:
        return role == SortRole ? QVariant(double(tensor.info.rows * tensor.info.cols))
                                : QVariant(shapeText(tensor.info.rows, tensor.info.cols));
    case BitsColumn:
        return tensor.hasResult ? number(tensor.result.bitsPerWeight, role, 'f', 3) : QVariant();
    case WeightErrorColumn:
        return tensor.hasResult ? number(tensor.result.weightMse, role, 'e', 2) : QVariant();
    case OutputErrorColumn:
        return tensor.hasResult && tensor.result.outputRelativeError > 0
            ? number(tensor.result.outputRelativeError, role, 'f', 4)
            : QVariant();
    default:
        return {};
    }
}

QVariant ModelTreeModel::groupData(const Tensor& tensor, int group, int column, int role) const
{
    if (role == TensorNameRole)
        return QString::fromStdString(tensor.info.name);
    if (role == GroupIndexRole)
        return group;
    if (role != Qt::DisplayRole && role != SortRole)
        return {};
    const auto& g = tensor.result.groups[std::size_t(group)];
    const std::int64_t first = group * tensor.result.groupSize;
    const std::int64_t columns = std::min(tensor.result.groupSize, tensor.result.cols - first);
    switch (column) {
    case NameColumn:
        return role == SortRole ? QVariant(group) : QVariant(QStringLiteral("group ") + QString::number(group));
    case ShapeColumn:
        return role == SortRole ? QVariant(double(columns)) : QVariant(shapeText(tensor.result.rows, columns));
    case BitsColumn:
        return role == SortRole ? QVariant(g.bits) : QVariant(QString::number(g.bits));
    case WeightErrorColumn:
        return g.weightMse > 0 ? number(g.weightMse, role, 'e', 2) : QVariant();
    case OutputErrorColumn: // per group: the proxy loss tr(E H_g Eᵀ), the group's share of the output error
        return g.proxyLoss > 0 ? number(g.proxyLoss, role, 'e', 2) : QVariant();
    default:
        return {};
    }
}

QVariant ModelTreeModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    if (role == Qt::DisplayRole) {
        static const char* const names[] = { "Name", "Shape", "Bits", "Weight error", "Output error" };
        return section >= 0 && section < ColumnCount ? QString::fromLatin1(names[section]) : QString();
    }
    if (role == Qt::ToolTipRole) {
        static const char* const tips[] = {
            "decoder layer, tensor or column group",
            "output features × input features (groups: × their columns)",
            "bits per weight: side information included for tensors, code width for groups",
            "mean squared weight error (W − Ŵ)²",
            "tensors: relative output error ‖(W−Ŵ)X‖²/‖WX‖² on calibration inputs; groups: proxy loss tr(E H Eᵀ)",
        };
        return section >= 0 && section < ColumnCount ? QString::fromLatin1(tips[section]) : QString();
    }
    return {};
}

} // namespace glvq::views
