import CHDF5

/// A failed HDF5 operation, naming the file, the object and what was attempted.
///
/// HDF5's own error stack is never printed (see `HDF5Library.silenceAutomaticPrinting`); its
/// innermost entry — the most specific reason, e.g. "file signature not found" — becomes
/// `detail`.
public struct HDF5Error: Error, CustomStringConvertible, Sendable {
    public let file: String
    public let object: String
    public let operation: String
    public let detail: String

    public var description: String { "\(file): \(explanation)" }

    /// The description without the file, for lists that already name it.
    public var explanation: String {
        "\(object): cannot \(operation)" + (detail.isEmpty ? "" : " (\(detail))")
    }

    /// Builds the error from HDF5's current error stack and clears the stack.
    static func fromStack(file: String, object: String, operation: String) -> HDF5Error {
        HDF5Error(file: file, object: object, operation: operation, detail: HDF5Library.drainErrorStack())
    }
}

/// Process-wide HDF5 settings. The serial HDF5 library is not thread-safe: only one thread
/// may use it at a time (rank 0's checkpoint writer, or a command-line tool).
enum HDF5Library {
    /// Stops HDF5 printing its error stack to stderr on every failure; failures surface as
    /// `HDF5Error`s instead. Idempotent, so every entry point calls it.
    static func silenceAutomaticPrinting() {
        H5Eset_auto2(chdf5_e_default(), nil, nil)
    }

    /// The innermost (most specific) message on the default error stack; clears the stack.
    static func drainErrorStack() -> String {
        var messages: [String] = []
        withUnsafeMutablePointer(to: &messages) { sink in
            _ = H5Ewalk2(chdf5_e_default(), H5E_WALK_DOWNWARD, { _, entry, sink in
                guard let entry, let sink, let text = entry.pointee.desc else { return 0 }
                sink.assumingMemoryBound(to: [String].self).pointee.append(String(cString: text))
                return 0
            }, sink)
        }
        H5Eclear2(chdf5_e_default())
        return messages.last ?? ""
    }
}
