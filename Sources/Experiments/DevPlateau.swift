/// Whether a task's dev score had levelled off when a cap ended its run: its best dev score
/// rose by less than `minimumGain` F1 points over its last `window` validations. A curve with
/// no more than `window` validations cannot show it and counts as still rising. A run the cap
/// stopped is marked levelled off only when every task's curve was.
enum DevPlateau {
    static let window = 5
    /// F1 points (percent).
    static let minimumGain = 0.5

    /// How much the best of the last `window` validations beat the best before them, in
    /// points (0 when it did not); nil with too few validations. `scores` in step order, in
    /// percent.
    static func gain(_ scores: [Double]) -> Double? {
        let finite = scores.filter(\.isFinite)
        guard finite.count > window else { return nil }
        let before = finite.dropLast(window).max()!, recent = finite.suffix(window).max()!
        return max(0, recent - before)
    }

    static func isLevelledOff(gain: Double?) -> Bool { gain.map { $0 < minimumGain } ?? false }
}
