import Random

/// A collective smoke test of every `Communicator` operation, run as
/// `mpirun -np N hmtl <hidden self-test command>`: an xctest process cannot start an MPI
/// world, so this is how the MPI path is checked on real ranks.
///
/// Values are small integers and dyadic fractions, so sums are exact in any reduction order
/// and results are compared with `==`. Each check computes a local verdict and the ranks then
/// agree on it (allgather) before the next check, so a failure stops every rank with the same
/// list of failing ranks instead of desynchronising the collectives that follow.
public enum DistributedSelfTest {
    /// Returns one "ok" line per check (the same on every rank); throws on the first failure.
    public static func run(communicator: Communicator) throws -> String {
        var lines = ["distributed self-test: \(communicator.size) rank(s), \(type(of: communicator))"]
        var variants: [(suffix: String, communicator: Communicator)] = [("", communicator)]
        if let mpi = communicator as? MPICommunicator {
            variants.append((", 7 elements per MPI call", mpi.withMaxElementsPerCall(7)))
        }
        for (suffix, c) in variants {
            lines.append(try agree("allreduce sum of a float range" + suffix, c, floatRangeSum(c)))
            lines.append(try agree("started allreduce sums, three in flight" + suffix, c, startedFloatSums(c)))
            lines.append(try agree("allreduce sum of doubles" + suffix, c, doubleSum(c)))
            lines.append(try agree("allreduce min/max of int64" + suffix, c, int64MinMax(c)))
            lines.append(try agree("broadcast floats" + suffix, c, floatBroadcast(c)))
            lines.append(try agree("broadcast bytes" + suffix, c, bytesBroadcast(c)))
        }
        lines.append(try agree("allgather int64", communicator, allgather(communicator)))
        try communicator.barrier()
        lines.append(try agree("barrier", communicator, nil))
        lines.append(try agree("agreement check: matching fields and world size", communicator,
                               agreementPasses(communicator)))
        lines.append(try agree("agreement check: world size mismatch", communicator,
                               worldSizeMismatch(communicator)))
        if communicator.size > 1 {
            lines.append(try agree("agreement check: mismatch reported identically on every rank", communicator,
                                   fieldMismatch(communicator)))
        } else {
            lines.append("skipped agreement check: field mismatch (needs 2 or more ranks)")
        }
        return lines.joined(separator: "\n")
    }

    /// `failure` is this rank's verdict: nil when the check passed here.
    private static func agree(_ name: String, _ communicator: Communicator, _ failure: String?) throws -> String {
        let failed = try communicator.allgather(failure == nil ? 0 : 1)
        let failing = failed.indices.filter { failed[$0] != 0 }
        guard failing.isEmpty else {
            let here = failure.map { "; on rank \(communicator.rank): \($0)" } ?? ""
            throw DistributedError("self-test '\(name)' failed on \(AgreementCheck.rankList(failing))\(here)")
        }
        return "ok  \(name)"
    }

    /// Reduces the middle of a buffer: the guard elements on both sides must stay local.
    private static func floatRangeSum(_ c: Communicator) throws -> String? {
        let count = 1000, margin = 3
        let scale = Float(c.rank + 1)
        let inside = margin..<(margin + count)
        var buffer = (0..<(count + 2 * margin)).map { inside.contains($0) ? scale * Float($0 % 97) : -scale }
        try buffer.withUnsafeMutableBufferPointer { try c.allreduceSum($0.baseAddress! + margin, count: count) }
        let rankSum = Float(c.size * (c.size + 1) / 2)
        for (i, value) in buffer.enumerated() {
            let expected = inside.contains(i) ? rankSum * Float(i % 97) : -scale
            if value != expected { return "element \(i) is \(value), expected \(expected)" }
        }
        return nil
    }

    /// Three pieces of one buffer reduced at once, progressed between starts, then waited for
    /// in two goes: through the second (the first two must be done), then through the third.
    /// The elements around the pieces stay local. The buffer is not a Swift array: a
    /// reduction in flight must keep its memory where it is.
    private static func startedFloatSums(_ c: Communicator) throws -> String? {
        let pieces = [3..<1003, 1006..<1023, 1026..<1326]
        let scale = Float(c.rank + 1), rankSum = Float(c.size * (c.size + 1) / 2)
        let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: 1329)
        defer { buffer.deallocate() }
        for i in buffer.indices { buffer[i] = pieces.contains { $0.contains(i) } ? scale * Float(i % 97) : -scale }
        var started: [PendingReduction] = []
        for piece in pieces {
            started.append(try c.startAllreduceSum(buffer.baseAddress! + piece.lowerBound, count: piece.count))
            try c.progressReductions()
        }
        func mismatch(in checked: [Range<Int>]) -> String? {
            for i in checked.joined() where buffer[i] != rankSum * Float(i % 97) {
                return "element \(i) is \(buffer[i]), expected \(rankSum * Float(i % 97))"
            }
            return nil
        }
        try c.waitForReductions(through: started[1])
        if let wrong = mismatch(in: Array(pieces.prefix(2))) { return "after waiting through the second: \(wrong)" }
        try c.waitForReductions(through: started[2])
        if let wrong = mismatch(in: pieces) { return wrong }
        for i in buffer.indices where !pieces.contains(where: { $0.contains(i) }) && buffer[i] != -scale {
            return "guard element \(i) is \(buffer[i]), expected \(-scale)"
        }
        return nil
    }

    private static func doubleSum(_ c: Communicator) throws -> String? {
        var values = [Double(c.rank) + 0.25, 1e15, -Double(c.rank)]
        try c.allreduceSum(&values)
        var empty: [Double] = []
        try c.allreduceSum(&empty)
        let w = Double(c.size), ranks = w * (w - 1) / 2
        let expected = [ranks + 0.25 * w, 1e15 * w, -ranks]
        return values == expected && empty.isEmpty ? nil : "got \(values), expected \(expected)"
    }

    private static func int64MinMax(_ c: Communicator) throws -> String? {
        let r = Int64(c.rank), last = Int64(c.size - 1)
        let local = [r, Int64.max - r, Int64.min + r]
        var low = local, high = local
        try c.allreduceMin(&low)
        try c.allreduceMax(&high)
        let expectedLow = [0, Int64.max - last, Int64.min]
        let expectedHigh = [last, Int64.max, Int64.min + last]
        if low != expectedLow { return "min gave \(low), expected \(expectedLow)" }
        if high != expectedHigh { return "max gave \(high), expected \(expectedHigh)" }
        return nil
    }

    private static func allgather(_ c: Communicator) throws -> String? {
        let gathered = try c.allgather(Int64(c.rank) * 1_000_003 - 5)
        let expected = (0..<c.size).map { Int64($0) * 1_000_003 - 5 }
        return gathered == expected ? nil : "got \(gathered), expected \(expected)"
    }

    /// From the last rank, so a root other than 0 is exercised.
    private static func floatBroadcast(_ c: Communicator) throws -> String? {
        let root = c.size - 1, count = 1000
        let sent = (0..<count).map { Float($0) * 0.5 + Float(root) }
        var buffer = c.rank == root ? sent : [Float](repeating: .nan, count: count)
        try buffer.withUnsafeMutableBufferPointer { try c.broadcast($0.baseAddress!, count: count, root: root) }
        return buffer == sent ? nil : "received data differs from root \(root)'s"
    }

    /// Receivers start with arrays of other lengths; the second round broadcasts an empty array.
    private static func bytesBroadcast(_ c: Communicator) throws -> String? {
        let payload = (0..<100).map { UInt8(($0 * 7 + 3) % 256) }
        var bytes = c.rank == 0 ? payload : [UInt8](repeating: 0xAA, count: c.rank)
        try c.broadcast(&bytes, root: 0)
        if bytes != payload { return "received \(bytes.count) bytes differing from root 0's \(payload.count)" }
        var empty: [UInt8] = c.rank == c.size - 1 ? [] : [1, 2, 3]
        try c.broadcast(&empty, root: c.size - 1)
        return empty.isEmpty ? nil : "an empty broadcast left \(empty.count) bytes"
    }

    private static func agreementPasses(_ c: Communicator) throws -> String? {
        let check = AgreementCheck(fields: [AgreementField("self-test config hash", 0x5EED),
                                            AgreementField("self-test parameter count", 12_345)],
                                   expectedWorldSize: c.size)
        do {
            try check.verify(on: c)
            return nil
        } catch let error as DistributedError {
            return "equal fields were rejected: \(error)"
        }
    }

    private static func worldSizeMismatch(_ c: Communicator) throws -> String? {
        do {
            try AgreementCheck(fields: [], expectedWorldSize: c.size + 1).verify(on: c)
            return "a world of \(c.size) ranks passed as \(c.size + 1)"
        } catch let error as DistributedError {
            return error.message.contains("expected a world of \(c.size + 1) ranks") ? nil : "unexpected message: \(error)"
        }
    }

    /// The last rank holds a different value; every rank must throw the same message naming it.
    private static func fieldMismatch(_ c: Communicator) throws -> String? {
        let last = c.size - 1
        let check = AgreementCheck(fields: [AgreementField("self-test vocabulary hash", c.rank == last ? 2 : 1)])
        var message = ""
        do {
            try check.verify(on: c)
        } catch let error as DistributedError {
            message = error.message
        }
        let hashes = try c.allgather(Int64(bitPattern: FNV1a.hash(message)))
        if message.isEmpty { return "the mismatch was not detected" }
        if Set(hashes).count != 1 { return "ranks threw different messages; here: \(message)" }
        if !message.contains("self-test vocabulary hash") || !message.contains("rank \(last) has 2") {
            return "the message does not name the field and rank \(last): \(message)"
        }
        return nil
    }
}
