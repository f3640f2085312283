/// A failed collective or a start-up disagreement between ranks; `message` is complete and
/// meant for the user as is.
public struct DistributedError: Error, CustomStringConvertible, Equatable, Sendable {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
