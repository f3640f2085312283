@testable import Distributed

/// A simulated world for collectives that only gather: `values[call][rank]` is what rank
/// `rank` contributes to its `call`-th allgather. Each `FakeRank` plays one rank and replays
/// the whole world's values, checking that its own contribution matches the script.
final class FakeRank: Communicator {
    let rank: Int
    let size: Int
    private let values: [[Int64]]
    private var calls = 0

    init(rank: Int, values: [[Int64]], size: Int) {
        self.rank = rank
        self.size = size
        self.values = values
    }

    /// One rank per column of `fields` (fields[f][rank]), all in a world of `fields[0].count`.
    static func world(_ fields: [[Int64]]) -> [FakeRank] {
        let size = fields.first?.count ?? 1
        return (0..<size).map { FakeRank(rank: $0, values: fields, size: size) }
    }

    func allgather(_ value: Int64) throws -> [Int64] {
        precondition(calls < values.count, "rank \(rank): allgather #\(calls) is not scripted")
        let gathered = values[calls]
        precondition(gathered[rank] == value, "rank \(rank) contributed \(value), script says \(gathered[rank])")
        calls += 1
        return gathered
    }

    var allgatherCalls: Int { calls }

    func allreduceSum(_ buffer: UnsafeMutablePointer<Float>, count: Int) throws { throw notSimulated }
    func allreduceSum(_ values: inout [Double]) throws { throw notSimulated }
    func allreduceMin(_ values: inout [Int64]) throws { throw notSimulated }
    func allreduceMax(_ values: inout [Int64]) throws { throw notSimulated }
    func broadcast(_ buffer: UnsafeMutablePointer<Float>, count: Int, root: Int) throws { throw notSimulated }
    func broadcast(_ bytes: inout [UInt8], root: Int) throws { throw notSimulated }
    func barrier() throws { throw notSimulated }
    func finalize() throws {}
    func abort(_ message: String, code: Int32) -> Never { fatalError("FakeRank.abort: \(message)") }

    private var notSimulated: DistributedError { DistributedError("not simulated by FakeRank") }
}
