/// 64-bit FNV-1a: a stable hash, identical on every machine and run (unlike `Hasher`), for
/// the fingerprints ranks compare at start-up (config, vocabularies) and the determinism check.
public enum FNV1a {
    public static let offsetBasis: UInt64 = 0xcbf2_9ce4_8422_2325

    public static func hash(_ text: String) -> UInt64 { hash(bytes: text.utf8) }

    /// Continues the hash `start` over `bytes`. Inlinable so that callers hashing raw buffers
    /// (checkpoint files, megabytes) get a specialised byte loop.
    @inlinable
    public static func hash<C: Sequence>(bytes: C, into start: UInt64 = offsetBasis) -> UInt64 where C.Element == UInt8 {
        var h = start
        for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return h
    }

    /// Folds whole 64-bit values in (one multiply each), for combining fingerprints.
    public static func combine(_ values: [UInt64], into start: UInt64 = offsetBasis) -> UInt64 {
        values.reduce(start) { ($0 ^ $1) &* 0x100_0000_01b3 }
    }
}
