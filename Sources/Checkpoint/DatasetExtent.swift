/// A dataset's size as its header declares it, checked before anything is allocated for it.
///
/// A corrupted or hostile header can declare any dimensions (HDF5 takes them as unsigned
/// 64-bit), and reading allocates their product up front: without this check one bad byte
/// turns into an out-of-memory kill or an overflow trap instead of an error.
public struct DatasetExtent: Sendable, Equatable {
    /// The dimensions exactly as declared (`[]` for a scalar).
    public let dimensions: [UInt64]
    /// Bytes one element takes in the file (for a variable-length string, its reference).
    public let storedElementSize: Int

    public init(dimensions: [UInt64], storedElementSize: Int) {
        self.dimensions = dimensions
        self.storedElementSize = storedElementSize
    }

    /// The dimensions as `Int`s; nil if any exceeds `Int.max`.
    public var shape: [Int]? {
        let shape = dimensions.compactMap { Int(exactly: $0) }
        return shape.count == dimensions.count ? shape : nil
    }

    /// The number of elements; nil if the product overflows `Int`.
    public var elementCount: Int? {
        guard let shape else { return nil }
        var count = 1
        for dimension in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
            guard !overflow else { return nil }
            count = product
        }
        return count
    }

    /// Why the declared data cannot be in a file of `fileSize` bytes (nil when it can): the
    /// data is stored uncompressed, so it takes at least its element count times the stored
    /// element size (the file has no filters, and unwritten data would be a corruption too).
    public func problem(fileSize: Int) -> String? {
        let declared = "declared shape [" + dimensions.map(String.init).joined(separator: ", ") + "]"
        guard let count = elementCount else { return declared + " has more elements than this machine can address" }
        let (bytes, overflow) = count.multipliedReportingOverflow(by: max(storedElementSize, 1))
        guard !overflow, bytes <= fileSize else {
            return declared + " of \(storedElementSize)-byte elements needs more bytes than the whole file has (\(fileSize))"
        }
        return nil
    }
}
