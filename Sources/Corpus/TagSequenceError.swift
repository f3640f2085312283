/// An invalid tag or tag sequence, located by 0-based token position in the sequence; readers
/// turn the position into a file line (`CorpusError`), callers decoding predictions into a
/// message naming the token.
public struct TagSequenceError: Error, CustomStringConvertible, Equatable, Sendable {
    public var position: Int
    public var message: String

    public init(position: Int, message: String) {
        self.position = position
        self.message = message
    }

    public var description: String { "token \(position): \(message)" }
}
