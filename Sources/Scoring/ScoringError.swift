/// Options of `hmtl score` that do not fit together or do not parse, in one line.
public struct ScoringError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
