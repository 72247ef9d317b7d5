#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The SigV4 timestamp `yyyyMMdd'T'HHmmss'Z'` in UTC, computed arithmetically so no locale,
/// calendar or time-zone setting can change the digits.
public struct AMZDate: Sendable, Equatable {
    /// The full timestamp, e.g. `20150830T123600Z`.
    public let timestamp: String
    /// The date part used in the credential scope, e.g. `20150830`.
    public let dateStamp: String

    /// Formats `date` in UTC (seconds are truncated).
    public init(_ date: Date) {
        let digits = AMZTimestamp(date)
        timestamp = digits.string
        dateStamp = digits.withUnsafeBytes { String(decoding: $0.prefix(8), as: UTF8.self) }
    }
}

/// The 16 bytes of an `AMZDate` timestamp held inline, for the signer to copy where they go.
struct AMZTimestamp {
    private var digits: (UInt64, UInt64) = (0, 0)

    init(_ date: Date) {
        let c = UTCComponents(date)
        // Fixed-width digits written directly (years outside 0…9999 are not AWS timestamps).
        let year = min(max(c.year, 0), 9999)
        Swift.withUnsafeMutableBytes(of: &digits) { out in
            func put(_ value: Int, _ width: Int, at offset: Int) {
                var value = value
                for index in (offset..<offset + width).reversed() {
                    out[index] = UInt8(0x30 + value % 10)
                    value /= 10
                }
            }
            put(year, 4, at: 0)
            put(c.month, 2, at: 4)
            put(c.day, 2, at: 6)
            out[8] = UInt8(ascii: "T")
            put(c.hour, 2, at: 9)
            put(c.minute, 2, at: 11)
            put(c.second, 2, at: 13)
            out[15] = UInt8(ascii: "Z")
        }
    }

    /// The timestamp as a String (the `X-Amz-Date` value).
    var string: String { withUnsafeBytes { String(decoding: $0, as: UTF8.self) } }

    /// The timestamp, e.g. `20150830T123600Z`; its first 8 bytes are the date stamp.
    func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try Swift.withUnsafeBytes(of: digits, body)
    }
}

/// Calendar fields of an instant in UTC (proleptic Gregorian), from days-since-epoch arithmetic
/// (H. Hinnant, "chrono-compatible low-level date algorithms").
public struct UTCComponents: Sendable, Equatable {
    public let year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int

    /// Splits `date` into UTC calendar fields; sub-second parts are dropped.
    public init(_ date: Date) {
        let total = Int(date.timeIntervalSince1970.rounded(.down))
        var days = total / 86_400
        var secondsOfDay = total % 86_400
        if secondsOfDay < 0 {
            secondsOfDay += 86_400
            days -= 1
        }
        hour = secondsOfDay / 3600
        minute = secondsOfDay % 3600 / 60
        second = secondsOfDay % 60
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        day = doy - (153 * mp + 2) / 5 + 1
        month = mp < 10 ? mp + 3 : mp - 9
        year = yoe + era * 400 + (month <= 2 ? 1 : 0)
    }
}
