// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The model tree: decoder layers → their linear tensors → column groups, with shape, bits, weight error and
// output error columns. Quantization results arrive layer by layer (setLayerResult) and only touch their rows.
// Lives on the GUI thread; all data are copies of core/inspect values.
#include "core/inspect/studio_types.h"

#include <QAbstractItemModel>

#include <vector>

namespace glvq::views {

class ModelTreeModel : public QAbstractItemModel {
    Q_OBJECT
public:
    enum Column { NameColumn, ShapeColumn, BitsColumn, WeightErrorColumn, OutputErrorColumn, ColumnCount };
    enum Role {
        SortRole = Qt::UserRole + 1, // numeric value of a cell, for sorting
        TensorNameRole,              // QString: the tensor's module name (tensor and group rows)
        GroupIndexRole,              // int: the group, −1 for layer and tensor rows
    };

    explicit ModelTreeModel(QObject* parent = nullptr);

    // Replaces everything (inside begin/endResetModel). Tensors are grouped by their "model.layers.N." prefix.
    void setModel(const inspect::ModelSummary& summary);
    // Fills in one tensor's results and its group rows; an unknown name is ignored.
    void setLayerResult(const inspect::LayerSummary& layer);
    void clearResults();
    // Replaces every tensor's results at once (one model reset: cheaper than 42 incremental inserts).
    void setLayerResults(const std::vector<inspect::LayerSummary>& layers);

    // The index of a tensor (group < 0) or of one of its groups, in column 0; invalid when unknown.
    QModelIndex indexFor(const QString& tensor, int group) const;

    QModelIndex index(int row, int column, const QModelIndex& parent = {}) const override;
    QModelIndex parent(const QModelIndex& child) const override;
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    struct Tensor {
        inspect::TensorSummary info;
        bool hasResult = false;
        inspect::LayerSummary result;
    };
    struct Block {
        QString name; // "model.layers.3"
        std::vector<Tensor> tensors;
    };
    // internalId says what a row is: 0 for a block, kind 1 | block for a tensor, kind 2 | block | tensor for a
    // group (the ids name the row's parent, so parent() needs no lookup).
    static quintptr tensorId(int block) { return quintptr(1) << 40 | quintptr(block); }
    static quintptr groupId(int block, int tensor) { return quintptr(2) << 40 | quintptr(block) << 16 | quintptr(tensor); }
    QVariant blockData(const Block& block, int column, int role) const;
    QVariant tensorData(const Tensor& tensor, int column, int role) const;
    QVariant groupData(const Tensor& tensor, int group, int column, int role) const;

    std::vector<Block> m_blocks;
};

} // namespace glvq::views
