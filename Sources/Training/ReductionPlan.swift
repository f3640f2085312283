import Tensor

/// The pieces in which `GradientReduction` sums a task's gradient ranges over the ranks, in the
/// order it sends them: top of the arena first, the order in which backward finishes them (it
/// runs the hierarchy top-down over a bottom-up layout, see `GradientsFinished`).
///
/// With a bucket size, each range is cut into buckets of whole parameters as PyTorch's DDP cuts
/// a model: walking down from the top, a bucket closes once it holds `bucketFloats` (so it may
/// pass that by less than one parameter). Without one, each range is one bucket — the messages
/// of a reduction after backward. Either way the word-embedding table is an item of its own
/// (reduced by touched rows) that no bucket spans.
struct ReductionPlan: Equatable {
    enum Item: Equatable {
        case dense(Range<Int>)
        /// The word-embedding table.
        case table
    }

    /// In sending order: each item lies below the ones before it.
    let items: [Item]
    /// The table's arena range.
    let table: Range<Int>

    /// `ranges` must be disjoint and consist of whole parameters of `layout`.
    init(ranges: [Range<Int>], layout: ParameterLayout, table: Parameter, bucketFloats: Int?) {
        precondition(bucketFloats.map { $0 > 0 } ?? true, "ReductionPlan: bucket size \(bucketFloats!) must be positive")
        var items: [Item] = []
        for range in ranges.sorted(by: { $0.lowerBound > $1.lowerBound }) {
            let parameters = layout.parameters.filter { range.lowerBound <= $0.offset && $0.range.upperBound <= range.upperBound }
            precondition(parameters.reduce(0) { $0 + $1.count } == range.count, "ReductionPlan: range \(range) cuts a parameter")
            var top = range.upperBound  // where the open bucket ends
            for p in parameters.reversed() {
                if p == table {
                    if top > p.range.upperBound { items.append(.dense(p.range.upperBound..<top)) }
                    items.append(.table)
                    top = p.offset
                } else if let cap = bucketFloats, top - p.offset >= cap {
                    items.append(.dense(p.offset..<top))
                    top = p.offset
                }
            }
            if top > range.lowerBound { items.append(.dense(range.lowerBound..<top)) }
        }
        self.items = items
        self.table = table.range
    }

    /// The item's first arena offset: it can be sent once backward is finished from there up.
    func start(of item: Item) -> Int {
        switch item {
        case .dense(let range): range.lowerBound
        case .table: table.lowerBound
        }
    }
}
