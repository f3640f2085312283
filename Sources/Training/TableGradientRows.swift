/// The word table's rows that can hold a non-zero gradient after a step's reduction: the union
/// of every rank's looked-up rows (`GradientReduction`). Every other row is exactly +0 —
/// backward adds only to looked-up rows and Adam leaves +0 in what it reads — so the passes
/// after the reduction (RE's loss scale, the clipping norm, Adam) cut a range into `pieces`
/// and skip reading the zero rows, with the bits a dense pass gives. At the yardstick's
/// 20,000 × 300 table and 800 tokens a step, that skips most of 24 MB, twice.
struct TableGradientRows: Sendable {
    /// The table's elements in the arena.
    let table: Range<Int>
    let dimension: Int
    /// Sorted and distinct.
    let rows: [Int]

    /// `range` cut into consecutive pieces that cover it in order, each saying whether its
    /// gradient may be non-zero: everything outside the table may; inside, runs of listed
    /// rows may and runs of the other rows are +0.
    func pieces(of range: Range<Int>) -> [(span: Range<Int>, nonZero: Bool)] {
        let inside = range.clamped(to: table)
        guard !inside.isEmpty else { return [(range, true)] }
        var pieces: [(span: Range<Int>, nonZero: Bool)] = []
        func append(_ span: Range<Int>, nonZero: Bool) {
            guard !span.isEmpty else { return }
            if let last = pieces.last, last.nonZero == nonZero, last.span.upperBound == span.lowerBound {
                pieces[pieces.count - 1].span = last.span.lowerBound..<span.upperBound
            } else {
                pieces.append((span, nonZero))
            }
        }
        append(range.lowerBound..<inside.lowerBound, nonZero: true)
        var cursor = inside.lowerBound
        for row in rows {
            let start = table.lowerBound + row * dimension
            let span = (start..<start + dimension).clamped(to: inside)
            guard !span.isEmpty else { continue }
            append(cursor..<span.lowerBound, nonZero: false)
            append(span, nonZero: true)
            cursor = span.upperBound
        }
        append(cursor..<inside.upperBound, nonZero: false)
        append(inside.upperBound..<range.upperBound, nonZero: true)
        return pieces
    }

    /// The parts of `ranges` whose gradient may be non-zero.
    func nonZeroSpans(of ranges: [Range<Int>]) -> [Range<Int>] {
        ranges.flatMap { pieces(of: $0).filter(\.nonZero).map(\.span) }
    }
}
