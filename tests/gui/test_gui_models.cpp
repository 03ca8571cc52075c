// SPDX-License-Identifier: GPL-3.0-or-later
// The Qt item models under QAbstractItemModelTester (results arriving layer by layer, replaced, cleared, sorted
// through a proxy), the bit plan's arithmetic, and the lattice geometry (test_lattice_geometry.cpp).
#include "tests/gui/test_lattice_geometry.h"
#include "views/models/bit_plan.h"
#include "views/models/model_tree_model.h"

#include <QAbstractItemModelTester>
#include <QSortFilterProxyModel>
#include <QtTest>

using glvq::inspect::GroupSummary;
using glvq::inspect::LayerSummary;
using glvq::inspect::ModelSummary;
using glvq::views::BitPlan;
using glvq::views::ModelTreeModel;

namespace {

ModelSummary twoBlocks()
{
    ModelSummary summary;
    for (int block = 0; block < 2; ++block)
        for (const char* tensor : { "self_attn.q_proj", "mlp.down_proj" })
            summary.linears.push_back({ "model.layers." + std::to_string(block) + "." + tensor, 64, 256 });
    return summary;
}

LayerSummary result(const std::string& name, std::vector<int> bits, double error)
{
    LayerSummary layer;
    layer.name = name;
    layer.method = "glvq";
    layer.rows = 64;
    layer.cols = 256;
    layer.groupSize = 256 / int(bits.size());
    layer.weightMse = error;
    layer.outputRelativeError = 10 * error;
    double codeBits = 0;
    for (int b : bits) {
        layer.groups.push_back(GroupSummary { b, 0.1, 5.0, 1.2, error, error, 1.0 + b, 10 });
        codeBits += b;
    }
    layer.bitsPerWeight = codeBits / double(bits.size()) + 0.25; // 0.25 bits of side information
    return layer;
}

} // namespace

class ModelsTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void treeModelPassesTheTester();
    void treeSortsByError();
    void bitPlanEditsAndCosts();
};

void ModelsTest::treeModelPassesTheTester()
{
    ModelTreeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSortFilterProxyModel proxy;
    proxy.setSourceModel(&model);
    proxy.setSortRole(ModelTreeModel::SortRole);
    proxy.sort(ModelTreeModel::WeightErrorColumn);
    QAbstractItemModelTester proxyTester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setModel(twoBlocks());
    QCOMPARE(model.rowCount(), 2);
    const QModelIndex block0 = model.index(0, 0);
    QCOMPARE(block0.data().toString(), QStringLiteral("layers.0"));
    QCOMPARE(model.rowCount(block0), 2);
    const QModelIndex q = model.index(0, 0, block0);
    QCOMPARE(model.rowCount(q), 0); // no result yet: no group rows
    QCOMPARE(model.index(0, ModelTreeModel::ShapeColumn, block0).data().toString(), QStringLiteral("64 × 256"));
    model.setLayerResult(result("model.layers.0.self_attn.q_proj", { 1, 2, 3, 2 }, 1e-4));
    QCOMPARE(model.rowCount(q), 4);
    QCOMPARE(model.index(2, ModelTreeModel::BitsColumn, q).data().toString(), QStringLiteral("3"));
    QCOMPARE(model.index(0, ModelTreeModel::BitsColumn, block0).data().toString(), QStringLiteral("2.250"));
    model.setLayerResult(result("model.layers.0.self_attn.q_proj", { 2, 2 }, 2e-4)); // a re-run replaces
    QCOMPARE(model.rowCount(q), 2);
    model.setLayerResult(result("model.layers.1.mlp.down_proj", { 4 }, 5e-5));
    model.setLayerResult(result("no.such.layer", { 4 }, 5e-5)); // ignored
    const QModelIndex group = model.indexFor(QStringLiteral("model.layers.1.mlp.down_proj"), 0);
    QVERIFY(group.isValid());
    QCOMPARE(group.data(ModelTreeModel::GroupIndexRole).toInt(), 0);
    QCOMPARE(group.parent().data(ModelTreeModel::TensorNameRole).toString(), QStringLiteral("model.layers.1.mlp.down_proj"));
    model.setLayerResults({ result("model.layers.0.mlp.down_proj", { 1, 2, 3 }, 1e-4) }); // all at once
    QCOMPARE(model.rowCount(model.index(0, 0, block0)), 0);
    QCOMPARE(model.rowCount(model.index(1, 0, block0)), 3);
    model.clearResults();
    QCOMPARE(model.rowCount(q), 0);
    model.setModel({});
    QCOMPARE(model.rowCount(), 0);
}

void ModelsTest::treeSortsByError()
{
    ModelTreeModel model;
    model.setModel(twoBlocks());
    model.setLayerResult(result("model.layers.0.self_attn.q_proj", { 2 }, 3e-4));
    model.setLayerResult(result("model.layers.0.mlp.down_proj", { 2 }, 1e-4));
    QSortFilterProxyModel proxy;
    proxy.setSourceModel(&model);
    proxy.setSortRole(ModelTreeModel::SortRole);
    // Blocks are sorted too (by their largest error), so find block 0 by name.
    auto firstTensorOfBlock0 = [&proxy] {
        for (int row = 0; row < proxy.rowCount(); ++row)
            if (proxy.index(row, 0).data().toString() == QStringLiteral("layers.0"))
                return proxy.index(0, 0, proxy.index(row, 0)).data(ModelTreeModel::TensorNameRole).toString();
        return QString();
    };
    proxy.sort(ModelTreeModel::WeightErrorColumn, Qt::DescendingOrder);
    QCOMPARE(firstTensorOfBlock0(), QStringLiteral("model.layers.0.self_attn.q_proj"));
    proxy.sort(ModelTreeModel::WeightErrorColumn, Qt::AscendingOrder);
    QCOMPARE(firstTensorOfBlock0(), QStringLiteral("model.layers.0.mlp.down_proj"));
}

void ModelsTest::bitPlanEditsAndCosts()
{
    BitPlan plan;
    plan.setLayers({ result("a", { 2, 2, 2, 2 }, 1e-4), result("b", { 1, 3 }, 1e-4) });
    QCOMPARE(plan.maxGroupCount(), 4);
    QCOMPARE(plan.meanCodeBits(), 2.0);
    const double before = plan.estimatedBytes();
    // Codes 2 bits × 2 × 16384 weights + side 0.25 bits × 2 × 16384, over 8 bits per byte.
    QCOMPARE(before, (2.0 + 0.25) * 2 * 16384 / 8);
    plan.setBits(0, 1, 4);
    QVERIFY(plan.isEdited(0, 1));
    QCOMPARE(plan.bits(0, 1), 4);
    QCOMPARE(plan.meanCodeBits(), 2.25); // +2 bits on 4096 of the 32768 weights
    QCOMPARE(plan.estimatedBytes() - before, 2.0 * 64 * 64 / 8);
    QCOMPARE(plan.explicitBits().at("a"), (std::vector<int> { 2, 4, 2, 2 }));
    plan.setBits(0, 1, 2); // back to the run's value: no longer an edit
    QVERIFY(!plan.hasEdits());
    plan.setBits(1, 0, 9); // clamped to 1..4
    QCOMPARE(plan.bits(1, 0), 4);
}

int main(int argc, char** argv)
{
    QGuiApplication app(argc, argv);
    ModelsTest models;
    LatticeGeometryTest geometry;
    return QTest::qExec(&models, argc, argv) | QTest::qExec(&geometry, argc, argv);
}

#include "test_gui_models.moc"
