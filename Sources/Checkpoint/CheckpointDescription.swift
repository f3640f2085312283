import Foundation

extension CheckpointStore {
    /// Human-readable metadata and a parameter table (name, shape, count, min, max, mean,
    /// L2 norm) for `hmtl checkpoint inspect`; the config JSON comes last, verbatim.
    public static func describe(_ url: URL) throws -> String {
        let (contents, version) = try readVersioned(url)
        let integrity = version >= 2 ? "checksum verified" : "no checksum"
        var lines = [
            "checkpoint   \(url.path)",
            "format       \(CheckpointSchema.format) v\(version) (\(integrity)), created by \(contents.createdBy)",
            "step         \(contents.step)   world size \(contents.worldSize)   seed \(contents.seed)",
            "sampler      \(contents.samplerDraws) draws",
            "config file  " + (contents.configFile.map { "\($0) (the config's relative paths resolve against its folder)" }
                ?? "not recorded (relative paths in the config resolve against the current folder)"),
            "vectors      " + (contents.vectorsFile.map { "\($0.file) (embedder.glove): \($0.identity)" }
                ?? (version >= 5 ? "none" : "not recorded (format_version \(version))")),
            "origin       " + (contents.origin.map { o in
                let hex = String(o.checksum, radix: 16)
                return "--init-from \(o.file) (checksum \(String(repeating: "0", count: 16 - hex.count) + hex)), frozen: "
                    + (o.frozen.isEmpty ? "none" : o.frozen.joined(separator: ", "))
            } ?? "trained from scratch"),
        ]
        lines += contents.optimizers.map {
            "optimizer    \($0.task): step \($0.step), learning rate \($0.learningRate), \($0.m.count) m and \($0.v.count) v arrays"
        }
        lines += contents.data.map { d in
            "data         \(d.task): epoch \(d.epoch), position \(d.position)" + (d.globalBatch.map { ", global batch \($0)" } ?? "")
        }
        lines += contents.progress.map {
            "metrics      \($0.task): best \(number($0.bestScore)) at step \($0.bestStep), \($0.badEpochs) bad epochs"
                + ($0.outOfPatience ? " (out of patience)" : "") + ", \($0.history.count) evaluations"
        }
        lines += contents.vocabularies.sorted { $0.key < $1.key }.map { "vocabulary   \($0.key): \($0.value.count) entries" }
        let total = contents.parameters.reduce(0) { $0 + $1.values.count }
        lines.append("parameters   \(contents.parameters.count) tensors, \(total) values")
        lines.append("")
        let header = ["name", "shape", "count", "min", "max", "mean", "l2"]
        lines += table([header] + contents.parameters.map(row))
        lines += ["", "config", contents.config]
        return lines.joined(separator: "\n") + "\n"
    }

    /// Statistics accumulate in Double so large tensors do not lose precision.
    private static func row(_ array: NamedArray) -> [String] {
        let shape = "[" + array.shape.map(String.init).joined(separator: ", ") + "]"
        guard let first = array.values.first else { return [array.name, shape, "0", "-", "-", "-", "-"] }
        var (low, high, sum, squares) = (first, first, 0.0, 0.0)
        for value in array.values {
            low = min(low, value)
            high = max(high, value)
            sum += Double(value)
            squares += Double(value) * Double(value)
        }
        return [array.name, shape, String(array.values.count), number(Double(low)), number(Double(high)),
                number(sum / Double(array.values.count)), number(squares.squareRoot())]
    }

    private static func number(_ value: Double) -> String { String(format: "%.6g", value) }

    /// Left-aligns the first two columns (name, shape) and right-aligns the numbers.
    private static func table(_ rows: [[String]]) -> [String] {
        let widths = rows[0].indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            row.indices.map { column in
                let padding = String(repeating: " ", count: widths[column] - row[column].count)
                return column < 2 ? row[column] + padding : padding + row[column]
            }.joined(separator: "  ")
        }
    }
}
