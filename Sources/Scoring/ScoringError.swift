/// Options of `hmtl score` that do not fit together or do not parse, in one line.
struct ScoringError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
