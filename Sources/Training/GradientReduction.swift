import Distributed
import Tensor

/// Sums a task's gradient ranges over the ranks, with the word-embedding table reduced by rows.
///
/// The table is most of the bytes (20,000 × 300 floats at the yardstick shapes, 24 MB), but a
/// step touches only the rows of the words in its batches: every other row's gradient is
/// exactly zero on every rank. So the ranks first sum their touched-row masks (one reduction of
/// a float per row), then reduce just the union's rows, packed in row order; the rest of the
/// ranges is reduced densely. Every row of the result holds the same sum as a dense reduction
/// (untouched rows stay zero), and the union — hence every buffer length — is the same on
/// every rank.
struct GradientReduction {
    /// The word-embedding table, [rows, dimension].
    let table: Parameter
    /// 1 where this rank's batches of the step used the row (padding included).
    private var touched: [Float]
    private var packed: [Float] = []

    init(table: Parameter) {
        self.table = table
        touched = Array(repeating: 0, count: table.shape[0])
    }

    /// Records the rows a batch of this step looks up (ids past the table name frozen vectors,
    /// which take no gradient).
    mutating func markTouched(_ wordIDs: [Int32]) {
        for id in wordIDs where Int(id) < touched.count { touched[Int(id)] = 1 }
    }

    /// Reduces `ranges` of the gradient in place and clears the touched rows; returns the number
    /// of floats each rank sends (on one rank nothing is sent, but the count is what would be).
    @discardableResult
    mutating func reduce(_ ranges: [Range<Int>], arena: ParameterArena, communicator: Communicator) throws -> Int {
        defer { touched.withUnsafeMutableBufferPointer { $0.update(repeating: 0) } }
        let grads = arena.grads.baseAddress!
        let reducing = communicator.size > 1
        var sent = 0
        var coversTable = false
        for r in ranges {
            for piece in Self.pieces(of: r, without: table.range) {
                if reducing { try communicator.allreduceSum(grads + piece.lowerBound, count: piece.count) }
                sent += piece.count
            }
            guard r.overlaps(table.range) else { continue }
            precondition(r.lowerBound <= table.offset && table.range.upperBound <= r.upperBound, "GradientReduction: range \(r) cuts the table \(table.range)")
            coversTable = true
        }
        guard coversTable else { return sent }

        if reducing { try touched.withUnsafeMutableBufferPointer { try communicator.allreduceSum($0.baseAddress!, count: $0.count) } }
        let rows = touched.indices.filter { touched[$0] > 0 }
        let dimension = table.shape[1], base = grads + table.offset
        sent += touched.count + rows.count * dimension
        guard reducing else { return sent }
        packed.removeAll(keepingCapacity: true)
        packed.reserveCapacity(rows.count * dimension)
        for row in rows { packed.append(contentsOf: UnsafeBufferPointer(start: base + row * dimension, count: dimension)) }
        try packed.withUnsafeMutableBufferPointer { try communicator.allreduceSum($0.baseAddress!, count: $0.count) }
        for (k, row) in rows.enumerated() {
            packed.withUnsafeBufferPointer { (base + row * dimension).update(from: $0.baseAddress! + k * dimension, count: dimension) }
        }
        return sent
    }

    /// `range` minus `hole`: up to two pieces, empty ones dropped.
    static func pieces(of range: Range<Int>, without hole: Range<Int>) -> [Range<Int>] {
        guard range.overlaps(hole) else { return [range] }
        return [range.lowerBound..<hole.lowerBound, hole.upperBound..<range.upperBound].filter { !$0.isEmpty }
    }
}
