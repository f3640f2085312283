import Distributed
import Tensor

/// Sums a task's gradient ranges over the ranks, item by item of a `ReductionPlan`, with the
/// word-embedding table reduced by rows; overlapped, while backward is still running.
///
/// The table is most of the bytes (20,000 × 300 floats at the yardstick shapes, 24 MB), but a
/// step touches only the rows of the words in its batches: every other row's gradient is
/// exactly zero on every rank. So the ranks first sum their touched-row masks (one reduction of
/// a float per row), then reduce just the union's rows, packed in row order; the rest of the
/// ranges is reduced densely. Every row of the result holds the same sum as a dense reduction
/// (untouched rows stay zero), and the union — hence every buffer length — is the same on
/// every rank.
///
/// Overlapped, an item is started (non-blocking) as soon as backward reports it finished
/// (`finished(at:)`), each report lets the started ones progress, and `finish` waits for them;
/// the mask goes first, at `begin`, since a step's rows are known before its forward pass.
/// Otherwise `finish` reduces every item with a blocking call, after backward. Every rank starts
/// the same items in the same order, whenever its own backward gets there. Each element is
/// summed in one reduction of the same values either way: on two ranks, where a + b = b + a,
/// both give the same bits; with more, MPI's blocking and non-blocking algorithms may add in
/// different orders.
///
/// A class: it owns the mask and the packed rows, memory that MPI reads and writes while a
/// reduction is in flight and that must stay where it is until then.
final class GradientReduction {
    /// The word-embedding table, [rows, dimension].
    let table: Parameter
    let arena: ParameterArena
    let communicator: Communicator
    let overlapped: Bool
    /// 1 where this rank's batches of the step used the row (padding included).
    private let touched: UnsafeMutableBufferPointer<Float>
    /// The union's rows, packed; grown when a step touches more rows than any before.
    private var packed = UnsafeMutableBufferPointer<Float>(start: nil, count: 0)

    // The step in progress.
    private var plan: ReductionPlan?
    /// Items of `plan` already sent.
    private var sentItems = 0
    /// Floats sent so far (what would be sent, on one rank).
    private var sentFloats = 0
    /// The mask's reduction, started at `begin` when overlapped, and the latest started one.
    private var mask: PendingReduction?
    private var latest: PendingReduction?
    /// The union's rows, once the mask is summed: the table rows whose gradient may be
    /// non-zero after `finish`; nil when the step's plan has no table (frozen, or not among the
    /// task's ranges) and nothing is known.
    private(set) var tableRows: TableGradientRows?
    /// The lowest offset backward has reported.
    private var reported = Int.max
    /// The first error during backward: nothing more is sent, and `finish` throws it.
    private var failure: Error?

    init(table: Parameter, arena: ParameterArena, communicator: Communicator, overlapped: Bool) {
        self.table = table
        self.arena = arena
        self.communicator = communicator
        self.overlapped = overlapped
        touched = .allocate(capacity: table.shape[0])
        touched.initialize(repeating: 0)
    }

    deinit {
        touched.deallocate()
        packed.deallocate()
    }

    /// Records the rows a batch of this step looks up (ids past the table name frozen vectors,
    /// which take no gradient).
    func markTouched(_ wordIDs: [Int32]) {
        for id in wordIDs where Int(id) < touched.count { touched[Int(id)] = 1 }
    }

    /// Records the table row holding arena element `offset`, if the table holds it: for a
    /// gradient written outside the lookups (the fault injection's NaN).
    func markTouched(element offset: Int) {
        let row = (offset - table.offset) / table.shape[1]
        if offset >= table.offset, row < touched.count { touched[row] = 1 }
    }

    /// Starts a step's reduction along `plan`, after every batch of the step is marked.
    func begin(_ plan: ReductionPlan) throws {
        self.plan = plan
        (sentItems, sentFloats, mask, latest, tableRows, reported, failure) = (0, 0, nil, nil, nil, .max, nil)
        if overlapped, plan.items.contains(.table) { mask = try reduce(touched.baseAddress!, count: touched.count) }
    }

    /// Backward's report (`GradientsFinished`): starts every item from `offset` up, then lets
    /// the started ones progress. Blocks only to read the mask's sum when the table's turn
    /// comes, calling `waitingForRanks` around that wait. Ignored unless overlapped.
    func finished(at offset: Int, waitingForRanks: (Bool) -> Void) {
        guard overlapped, let plan, failure == nil else { return }
        precondition(offset <= reported, "GradientReduction: backward reported \(offset) after \(reported)")
        reported = offset
        do {
            while sentItems < plan.items.count, plan.start(of: plan.items[sentItems]) >= offset {
                try send(plan.items[sentItems], waitingForRanks: waitingForRanks)
            }
            if communicator.size > 1 { try communicator.progressReductions() }
        } catch {
            failure = error
        }
    }

    /// Sends what is left, waits for everything and clears the touched rows; returns the number
    /// of floats each rank sent (on one rank nothing is sent, but the count is what would be).
    func finish() throws -> Int {
        guard let plan else { preconditionFailure("GradientReduction: finish without begin") }
        defer {
            touched.update(repeating: 0)
            self.plan = nil
        }
        if let failure { throw failure }
        while sentItems < plan.items.count { try send(plan.items[sentItems], waitingForRanks: { _ in }) }
        if let latest { try communicator.waitForReductions(through: latest) }
        guard communicator.size > 1, let rows = tableRows?.rows else { return sentFloats }
        let dimension = table.shape[1], base = arena.grads.baseAddress! + table.offset
        for (k, row) in rows.enumerated() { (base + row * dimension).update(from: packed.baseAddress! + k * dimension, count: dimension) }
        return sentFloats
    }

    private func send(_ item: ReductionPlan.Item, waitingForRanks: (Bool) -> Void) throws {
        sentItems += 1
        switch item {
        case .dense(let range):
            sentFloats += range.count
            _ = try reduce(arena.grads.baseAddress! + range.lowerBound, count: range.count)
        case .table:
            if let mask {  // overlapped: started at `begin`
                waitingForRanks(true)
                try communicator.waitForReductions(through: mask)
                waitingForRanks(false)
            } else {
                _ = try reduce(touched.baseAddress!, count: touched.count)
            }
            let rows = touched.indices.filter { touched[$0] > 0 }
            let dimension = table.shape[1], base = arena.grads.baseAddress! + table.offset
            tableRows = TableGradientRows(table: table.offset..<(table.offset + table.count), dimension: dimension, rows: rows)
            sentFloats += touched.count + rows.count * dimension
            guard communicator.size > 1 else { return }
            if packed.count < rows.count * dimension {
                packed.deallocate()
                packed = .allocate(capacity: rows.count * dimension)
            }
            for (k, row) in rows.enumerated() { (packed.baseAddress! + k * dimension).update(from: base + row * dimension, count: dimension) }
            _ = try reduce(packed.baseAddress!, count: rows.count * dimension)
        }
    }

    /// Sums `buffer[0..<count]` over the ranks: started, when overlapped (its request is
    /// returned and becomes `latest`), else done before returning. Nothing on one rank.
    private func reduce(_ buffer: UnsafeMutablePointer<Float>, count: Int) throws -> PendingReduction? {
        guard communicator.size > 1 else { return nil }
        guard overlapped else {
            try communicator.allreduceSum(buffer, count: count)
            return nil
        }
        latest = try communicator.startAllreduceSum(buffer, count: count)
        return latest
    }
}
