/// A run cannot go on: a config, data, checkpoint or launch problem, described in one line
/// that names the file or key and what was expected.
public struct TrainingError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
